// Opens an MRT file as a stream of decompressed chunks: plain, gzip (node:zlib) or bzip2 (a `bzip2 -dc`
// child process, which decompresses on another core), chosen by the magic bytes, never by the file name.
// The file is never held in memory whole. A cut or corrupt compressed stream is not an exception: every
// byte decompressed before the damage is delivered, then readMrtChunks() resolves with one warning.
// bzip2 details (worker thread, cut streams, fallback decoder) are in bzip2.ts.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { readBzip2 } from './bzip2.js';
import { CHUNK_SIZE } from './constants.js';
import { MrtError, type MrtWarning } from './errors.js';

export type Compression = 'none' | 'gzip' | 'bzip2';

/** gzip: 1f 8b (RFC 1952 §2.3.1); bzip2: "BZh" then the block size digit '1'..'9'. */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) {
    const level = head[3]!;
    if (level >= 0x31 && level <= 0x39) return 'bzip2';
  }
  return 'none';
}

/** What readMrtChunks() found out about the input. */
export interface ChunkSourceResult {
  compression: Compression;
  /** Set when the compressed stream was cut or corrupt (`records` is filled in by the record reader). */
  warning?: MrtWarning;
}

/**
 * Calls `onChunk` with each decompressed chunk of `path`, in order. When `onChunk` returns a promise (output
 * backpressure) reading waits for it. `onChunk` returning false stops reading early (e.g. the output closed).
 */
export async function readMrtChunks(
  path: string,
  onChunk: (chunk: Buffer) => boolean | Promise<boolean>,
): Promise<ChunkSourceResult> {
  const compression = await sniff(path);
  if (compression === 'bzip2') return readBzip2(path, onChunk);
  const file = createReadStream(path, { highWaterMark: CHUNK_SIZE });
  let stream: Readable = file;
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: CHUNK_SIZE });
    file.on('error', (err) => gunzip.destroy(err));
    stream = file.pipe(gunzip);
  }
  try {
    for await (const chunk of stream) {
      let more = onChunk(chunk as Buffer);
      if (typeof more !== 'boolean') more = await more;
      if (!more) break;
    }
  } catch (err) {
    if (isOpenError(err))
      throw new MrtError('ERR_MRT_OPEN', `${path}: ${(err as Error).message}`, { cause: err });
    return {
      compression,
      warning: {
        code: 'ERR_MRT_TRUNCATED_COMPRESSED',
        message: `gzip stream is cut or corrupt (${(err as Error).message})`,
        records: 0,
      },
    };
  } finally {
    file.destroy();
    if (stream !== file) stream.destroy();
  }
  return { compression };
}

async function sniff(path: string): Promise<Compression> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new MrtError('ERR_MRT_OPEN', `${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } catch (err) {
    throw new MrtError('ERR_MRT_OPEN', `${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    await fh.close();
  }
}

function isOpenError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR';
}

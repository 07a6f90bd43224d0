// Opens an MRT file as a stream of decompressed chunks: plain, gzip (node:zlib) or bzip2 (a `bzip2 -dc`
// child process, which decompresses on another core), chosen by the magic bytes, never by the file name.
// The file is never held in memory whole. A cut or corrupt compressed stream is not an exception: every
// byte decompressed before the damage is delivered, then readMrtChunks() resolves with one warning.
// `bzip2 -dc` drops the last few KiB it decoded when the stream is cut (it writes in 5000-octet pieces), so
// then the file is decoded again with unbzip2-stream (pure JavaScript, ~5 MB/s) to deliver the rest; that
// decoder is also the fallback when the bzip2 program is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import unbzip2Stream from 'unbzip2-stream';
import { MrtError, type MrtWarning } from './errors.js';

export type Compression = 'none' | 'gzip' | 'bzip2';

const CHUNK_SIZE = 256 * 1024;

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

/** bzip2: `bzip2 -dc` reads the file itself; its exit status and stderr tell a cut stream from a clean end. */
async function readBzip2(
  path: string,
  onChunk: (chunk: Buffer) => boolean | Promise<boolean>,
): Promise<ChunkSourceResult> {
  const fh = await open(path, 'r');
  let child: ChildProcess;
  try {
    child = spawn('bzip2', ['-dc'], { stdio: [fh.fd, 'pipe', 'pipe'] });
  } finally {
    // The child has its own copy of the descriptor once spawned.
    await fh.close();
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  const exited = new Promise<{ code: number | null; spawnError?: Error }>((resolve) => {
    child.on('error', (err) => resolve({ code: null, spawnError: err }));
    child.on('close', (code) => resolve({ code }));
  });
  let stoppedEarly = false;
  let delivered = 0;
  try {
    // bzip2 writes 5000-octet pieces, so the pipe yields chunks of a few KiB: gather them into blocks of
    // CHUNK_SIZE so framing and the per-chunk work downstream run a few times per MiB, not hundreds.
    let pieces: Buffer[] = [];
    let pending = 0;
    const deliver = async (): Promise<boolean> => {
      const block = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, pending);
      pieces = [];
      delivered += pending;
      pending = 0;
      const more = onChunk(block);
      return typeof more === 'boolean' ? more : more;
    };
    for await (const chunk of child.stdout!) {
      pieces.push(chunk as Buffer);
      pending += (chunk as Buffer).length;
      if (pending < CHUNK_SIZE) continue;
      if (!(await deliver())) {
        stoppedEarly = true;
        break;
      }
    }
    if (!stoppedEarly && pending > 0 && !(await deliver())) stoppedEarly = true;
  } catch {
    // A read error on the pipe shows up again as a non-zero exit below.
  }
  if (stoppedEarly) child.kill();
  const { code, spawnError } = await exited;
  if (spawnError) {
    if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') return readBzip2InJs(path, onChunk, 0);
    throw new MrtError('ERR_MRT_OPEN', `${path}: ${spawnError.message}`, { cause: spawnError });
  }
  if (!stoppedEarly && code !== 0) {
    // Recover what bzip2 decoded but did not write, then report the damage.
    await readBzip2InJs(path, onChunk, delivered);
    const detail = stderr
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '' && !l.includes('bzip2recover'));
    return {
      compression: 'bzip2',
      warning: {
        code: 'ERR_MRT_TRUNCATED_COMPRESSED',
        message: `bzip2 stream is cut or corrupt (${(detail ?? `bzip2 exit status ${code}`)
          .replace(/^bzip2: /, '')
          .replace(/;$/, '')
          .trim()})`,
        records: 0,
      },
    };
  }
  return { compression: 'bzip2' };
}

/**
 * Decode `path` with unbzip2-stream, skipping the first `skip` decompressed octets (already delivered by
 * `bzip2 -dc`). A decoder error is the cut/corrupt-stream warning.
 */
async function readBzip2InJs(
  path: string,
  onChunk: (chunk: Buffer) => boolean | Promise<boolean>,
  skip: number,
): Promise<ChunkSourceResult> {
  const file = createReadStream(path, { highWaterMark: CHUNK_SIZE });
  // unbzip2-stream is a classic (through) stream whose error must not discard data it already emitted, so
  // it is read with 'data' events and paused for backpressure rather than async-iterated.
  const decoder = unbzip2Stream();
  let position = 0;
  let failure: Error | undefined;
  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      file.destroy();
      decoder.destroy();
      resolve();
    };
    file.on('error', (err) => {
      failure = err;
      finish();
    });
    decoder.on('error', (err: Error) => {
      failure = err;
      finish();
    });
    decoder.on('end', finish);
    decoder.on('data', (data: Buffer) => {
      if (finished) return;
      let chunk = data;
      const start = position;
      position += chunk.length;
      if (position <= skip) return;
      if (start < skip) chunk = chunk.subarray(skip - start);
      const more = onChunk(chunk);
      if (more === false) finish();
      else if (more !== true) {
        decoder.pause();
        void more.then((m) => (m ? decoder.resume() : finish()));
      }
    });
    file.pipe(decoder);
  });
  if (!failure) return { compression: 'bzip2' };
  return {
    compression: 'bzip2',
    warning: {
      code: 'ERR_MRT_TRUNCATED_COMPRESSED',
      message: `bzip2 stream is cut or corrupt (JavaScript decoder: ${failure.message})`,
      records: 0,
    },
  };
}

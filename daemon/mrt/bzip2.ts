// bzip2 input for the MRT reader. Node has no bzip2, so a `bzip2 -dc` child process decompresses on another
// core. Its pipe holds only 64 KiB, so if the main thread (busy formatting) read it, bzip2 would mostly wait:
// a small worker thread reads the pipe instead, gathers blocks of CHUNK_SIZE and transfers them to the main
// thread, with at most IN_FLIGHT_LIMIT octets not yet consumed (the file is never held whole).
//
// When the stream is cut, `bzip2 -dc` drops the last few KiB it decoded (it writes in 5000-octet pieces), so
// the file is then decoded again by unbzip2-stream (pure JavaScript, ~5 MB/s), skipping what was delivered,
// to deliver the remaining complete records. The same decoder is the fallback when bzip2 is not installed.
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import unbzip2Stream from 'unbzip2-stream';
import { MrtError } from './errors.js';
import { CHUNK_SIZE } from './constants.js';
import type { ChunkSourceResult } from './source.js';

const IN_FLIGHT_LIMIT = 8 * 1024 * 1024;

/** The worker: CommonJS source run with `eval`, so it needs no file of its own (and no TypeScript loader). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { path, block, limit } = workerData;
let fd;
try {
  fd = fs.openSync(path, 'r');
} catch (err) {
  parentPort.postMessage({ type: 'open-error', message: err.message });
  fd = undefined;
}
if (fd !== undefined) {
  const child = spawn('bzip2', ['-dc'], { stdio: [fd, 'pipe', 'pipe'] });
  fs.closeSync(fd);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => { if (stderr.length < 4096) stderr += s; });
  let pieces = [];
  let pending = 0;
  let inFlight = 0;
  let paused = false;
  const flush = () => {
    if (pending === 0) return;
    const data = Buffer.concat(pieces, pending);
    pieces = [];
    const ab = data.byteOffset === 0 && data.buffer.byteLength === data.length
      ? data.buffer
      : data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    inFlight += pending;
    pending = 0;
    parentPort.postMessage({ type: 'data', data: ab }, [ab]);
    if (inFlight > limit && !paused) {
      paused = true;
      child.stdout.pause();
    }
  };
  child.stdout.on('data', (c) => {
    pieces.push(c);
    pending += c.length;
    if (pending >= block) flush();
  });
  parentPort.on('message', (m) => {
    if (m.type === 'ack') {
      inFlight -= m.bytes;
      if (paused && inFlight <= limit / 2) {
        paused = false;
        child.stdout.resume();
      }
    } else if (m.type === 'stop') {
      child.kill();
    }
  });
  child.on('error', (err) => {
    parentPort.postMessage({ type: 'end', code: null, spawnError: err.code || err.message, stderr });
  });
  child.on('close', (code) => {
    flush();
    parentPort.postMessage({ type: 'end', code, stderr });
  });
}
`;

type WorkerMessage =
  | { type: 'data'; data: ArrayBuffer }
  | { type: 'end'; code: number | null; spawnError?: string; stderr: string }
  | { type: 'open-error'; message: string };

/** Decompress `path` with bzip2 (see the file header), calling `onChunk` with blocks in order. */
export async function readBzip2(
  path: string,
  onChunk: (chunk: Buffer) => boolean | Promise<boolean>,
): Promise<ChunkSourceResult> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, block: CHUNK_SIZE, limit: IN_FLIGHT_LIMIT },
  });
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let workerError: Error | undefined;
  worker.on('message', (m: WorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  let exited = false;
  worker.on('error', (err) => {
    workerError = err;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  const next = async (): Promise<WorkerMessage | undefined> => {
    while (queue.length === 0 && !workerError && !exited) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    return queue.shift();
  };
  let delivered = 0;
  let stoppedEarly = false;
  let end: Extract<WorkerMessage, { type: 'end' }> | undefined;
  try {
    for (;;) {
      const m = await next();
      if (!m) break;
      if (m.type === 'open-error') throw new MrtError('ERR_MRT_OPEN', `${path}: ${m.message}`);
      if (m.type === 'end') {
        end = m;
        break;
      }
      const chunk = Buffer.from(m.data);
      delivered += chunk.length;
      let more = onChunk(chunk);
      if (typeof more !== 'boolean') more = await more;
      worker.postMessage({ type: 'ack', bytes: chunk.length });
      if (!more) {
        stoppedEarly = true;
        worker.postMessage({ type: 'stop' });
        break;
      }
    }
  } finally {
    await worker.terminate();
  }
  if (stoppedEarly) return { compression: 'bzip2' };
  if (!end || end.spawnError === 'ENOENT') return readBzip2InJs(path, onChunk, delivered);
  if (end.spawnError) throw new MrtError('ERR_MRT_OPEN', `${path}: bzip2: ${end.spawnError}`);
  if (end.code !== 0) {
    // Recover what bzip2 decoded but did not write, then report the damage as bzip2 described it.
    await readBzip2InJs(path, onChunk, delivered);
    const detail = end.stderr
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '' && !l.includes('bzip2recover'));
    return {
      compression: 'bzip2',
      warning: {
        code: 'ERR_MRT_TRUNCATED_COMPRESSED',
        message: `bzip2 stream is cut or corrupt (${(detail ?? `bzip2 exit status ${end.code}`)
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
 * `bzip2 -dc`). A decoder error is the cut/corrupt-stream warning; a promise of `onChunk` that rejects
 * rejects the whole read (as on the `bzip2 -dc` path).
 */
export async function readBzip2InJs(
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
  await new Promise<void>((resolve, reject) => {
    let finished = false;
    const finish = (err?: unknown): void => {
      if (finished) return;
      finished = true;
      file.destroy();
      decoder.destroy();
      if (err === undefined) resolve();
      else reject(err as Error);
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
        more.then(
          (m) => (m ? decoder.resume() : finish()),
          (err: unknown) => finish(err ?? new Error('onChunk rejected')),
        );
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

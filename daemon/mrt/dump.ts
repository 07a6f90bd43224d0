// `xbgpctl mrt dump` as a library function: stream an MRT file to a Writable as `bgpdump -m` lines or JSON
// lines. Output is written in one block per decompressed input chunk (hundreds of KiB), with backpressure;
// when the reader of the output goes away (EPIPE, e.g. `| head`) reading stops quietly.
import type { Writable } from 'node:stream';
import type { MrtSkip } from './errors.js';
import { readMrtRaw, type MrtReadResult } from './reader.js';
import { RouteWalker } from './routes.js';
import { BgpdumpSink, JsonSink } from './sinks.js';

export type DumpFormat = 'bgpdump' | 'json';

export interface DumpResult extends MrtReadResult {
  /** Lines produced (written unless the output closed early). */
  lines: number;
  /** Records (and RIB entries, and BGP messages in part) left out: the sum of `skips`. */
  skipped: number;
  /** What was left out, one entry per kind (code, and MRT type/subtype), in the order first met. */
  skips: MrtSkip[];
  /** BGP4MP messages of non-ADDPATH subtypes that carried RFC 7911 path identifiers (read with them). */
  addPathInPlain?: { first: number; count: number };
  /** The output stream closed or failed (EPIPE) before the end. */
  outputClosed: boolean;
}

/** Below this much pending text, keep accumulating across input chunks. */
const WRITE_THRESHOLD = 128 * 1024;

export async function dumpMrt(
  path: string,
  out: Writable,
  format: DumpFormat = 'bgpdump',
): Promise<DumpResult> {
  const sink = format === 'json' ? new JsonSink() : new BgpdumpSink();
  const walker = new RouteWalker(sink);
  let outputClosed = false;
  const onError = (): void => {
    outputClosed = true;
  };
  out.on('error', onError);
  const flush = (): boolean | Promise<boolean> => {
    if (outputClosed) return false;
    const text = sink.take();
    if (text.length === 0 || out.write(text)) return !outputClosed;
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', done);
        resolve(!outputClosed);
      };
      out.on('drain', done);
      out.on('close', done);
      out.on('error', done);
    });
  };
  try {
    const result = await readMrtRaw(path, (h, data, start, end) => walker.record(h, data, start, end), {
      afterChunk: () => (sink.pendingLength < WRITE_THRESHOLD ? !outputClosed : flush()),
    });
    if (!outputClosed) {
      const last = flush();
      if (last !== true && last !== false) await last;
    }
    const done: DumpResult = {
      ...result,
      lines: sink.lines,
      skipped: walker.skipped,
      skips: [...walker.skips.values()],
      outputClosed,
    };
    if (walker.addPathInPlain) done.addPathInPlain = walker.addPathInPlain;
    return done;
  } finally {
    out.off('error', onError);
  }
}

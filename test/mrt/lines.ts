// Test helpers for the MRT dump: run the dump in-process into memory or into a line stream, and compare two
// line streams in lockstep (neither side is ever held whole, so the 500k-line RouteViews table stays cheap).
import { spawn } from 'node:child_process';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { dumpMrt, type DumpFormat, type DumpResult } from '../../daemon/mrt/dump.js';

/** The dump of `path` as one string, with its result. */
export async function dumpToString(
  path: string,
  format: DumpFormat = 'bgpdump',
): Promise<{ text: string; result: DumpResult }> {
  const parts: string[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      parts.push(chunk.toString());
      cb();
    },
  });
  const result = await dumpMrt(path, out, format);
  return { text: parts.join(''), result };
}

/** The dump of `path` as a readable stream of text, and the promise of its result. */
export function dumpToStream(path: string): { stream: Readable; done: Promise<DumpResult> } {
  const stream = new PassThrough();
  const done = dumpMrt(path, stream).finally(() => stream.end());
  return { stream, done };
}

/** `bgpdump -m path` stdout as a stream (stderr discarded). */
export function bgpdumpStream(path: string): Readable {
  const child = spawn('bgpdump', ['-m', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  return child.stdout;
}

export interface LineComparison {
  /** Lines read from each side. */
  ours: number;
  theirs: number;
  /** The first differing line (1-based) and both texts, or undefined when every common line matched. */
  firstDifference?: { line: number; ours: string | undefined; theirs: string | undefined };
}

/** Read both streams chunk by chunk in lockstep and report the first differing line. */
export async function compareLineStreams(ours: Readable, theirs: Readable): Promise<LineComparison> {
  ours.setEncoding('utf8');
  theirs.setEncoding('utf8');
  const a = ours[Symbol.asyncIterator]() as AsyncIterator<string>;
  const b = theirs[Symbol.asyncIterator]() as AsyncIterator<string>;
  let pendingA = '';
  let pendingB = '';
  let doneA = false;
  let doneB = false;
  let linesBefore = 0;
  let difference: LineComparison['firstDifference'];
  let countA = 0;
  let countB = 0;
  const lines = (s: string): number => {
    let n = 0;
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
    return n;
  };
  while (!doneA || !doneB) {
    // Read from the side that is behind (both when level); a finished side lets the other catch up.
    const needA = !doneA && (pendingA.length <= pendingB.length || doneB);
    const needB = !doneB && (pendingB.length <= pendingA.length || doneA);
    const [x, y] = await Promise.all([needA ? a.next() : undefined, needB ? b.next() : undefined]);
    if (x) {
      if (x.done) doneA = true;
      else {
        pendingA += x.value;
        countA += lines(x.value);
      }
    }
    if (y) {
      if (y.done) doneB = true;
      else {
        pendingB += y.value;
        countB += lines(y.value);
      }
    }
    if (difference) {
      pendingA = pendingB = '';
      continue;
    }
    // Compare the part both sides have, up to its last complete line.
    const common = Math.min(pendingA.length, pendingB.length);
    const head = pendingA.slice(0, common);
    if (head === pendingB.slice(0, common) && !(doneA && doneB)) {
      const cut = head.lastIndexOf('\n') + 1;
      linesBefore += lines(head.slice(0, cut));
      pendingA = pendingA.slice(cut);
      pendingB = pendingB.slice(cut);
      continue;
    }
    if (pendingA === pendingB) continue;
    const la = pendingA.split('\n');
    const lb = pendingB.split('\n');
    let i = 0;
    while (la[i] === lb[i]) i++;
    difference = { line: linesBefore + i + 1, ours: la[i], theirs: lb[i] };
  }
  const result: LineComparison = { ours: countA, theirs: countB };
  if (difference) result.firstDifference = difference;
  return result;
}

// The MRT reader's public entry points: stream a file (plain, gzip or bzip2) record by record, never holding
// it whole. Damage is reported once, as a value: every complete record is delivered first, then the result
// carries `warning` (a cut compressed stream, a record cut short, an absurd record length).
//
//   readMrtFile(path, (rec) => ...)          decoded records (records.ts types)
//   readMrtRaw(path, (h, data, s, e) => ...)  framed records as bytes (fastest; what the dump uses)
import { MrtFramer, type MrtRecordHandler } from './framer.js';
import type { MrtWarning } from './errors.js';
import { decodeMrtRecord, type MrtRecord } from './records.js';
import { readMrtChunks, type Compression } from './source.js';

export interface MrtReadResult {
  compression: Compression;
  /** Complete records delivered. */
  records: number;
  /** Set when the input was damaged or cut; `warning.records` equals `records`. */
  warning?: MrtWarning;
  /** True when a callback asked to stop before the end. */
  stopped: boolean;
}

export interface RawReadOptions {
  /**
   * Called after each decompressed chunk has been framed (a few hundred KiB of records): return false to
   * stop, or a promise to pause reading until it settles (output backpressure).
   */
  afterChunk?: () => boolean | Promise<boolean>;
}

/** Frame `path` and call `onRecord` for each complete record (body = data[start, end), valid during the call). */
export async function readMrtRaw(
  path: string,
  onRecord: MrtRecordHandler,
  options: RawReadOptions = {},
): Promise<MrtReadResult> {
  const framer = new MrtFramer(onRecord);
  const afterChunk = options.afterChunk;
  let stopped = false;
  const source = await readMrtChunks(path, (chunk) => {
    if (!framer.push(chunk)) return false;
    if (!afterChunk) return true;
    const more = afterChunk();
    if (more === false) stopped = true;
    else if (more !== true) {
      return more.then((m) => {
        if (!m) stopped = true;
        return m;
      });
    }
    return more;
  });
  let warning: MrtWarning | undefined;
  if (source.warning) warning = { ...source.warning, records: framer.records };
  else if (!stopped) warning = framer.end();
  else warning = undefined;
  const result: MrtReadResult = { compression: source.compression, records: framer.records, stopped };
  if (warning) result.warning = warning;
  return result;
}

/**
 * Decode `path` record by record. `onRecord` returning false stops reading. Byte fields of a record
 * (attributes, message, body) are views of a reused buffer: copy them to keep them past the callback.
 */
export async function readMrtFile(
  path: string,
  onRecord: (rec: MrtRecord) => void | boolean,
): Promise<MrtReadResult> {
  let stop = false;
  return readMrtRaw(
    path,
    (h, data, start, end) => {
      if (stop) return;
      if (onRecord(decodeMrtRecord(h, data, start, end)) === false) stop = true;
    },
    { afterChunk: () => !stop },
  );
}

// Coded errors and warnings of the MRT reader and writer. A damaged input is not an exception: the reader
// yields every complete record and then reports one MrtWarning. MrtError is thrown only for caller mistakes
// (a file that cannot be opened, a writer argument out of range).

export type MrtWarningCode =
  /** The input ends inside a record (header or body). */
  | 'ERR_MRT_TRUNCATED_RECORD'
  /** The gzip or bzip2 stream is cut or corrupt; everything decompressed before the damage was read. */
  | 'ERR_MRT_TRUNCATED_COMPRESSED'
  /** A record header announces a body larger than MRT_MAX_RECORD_LENGTH: reading stops there. */
  | 'ERR_MRT_RECORD_TOO_LARGE';

export type MrtErrorCode =
  /** The file cannot be opened or read. */
  | 'ERR_MRT_OPEN'
  /** A writer argument cannot be encoded (field out of range, missing peer). */
  | 'ERR_MRT_ENCODE';

/** One problem found while reading; the records before it were delivered. */
export interface MrtWarning {
  code: MrtWarningCode;
  message: string;
  /** Records delivered before the problem. */
  records: number;
}

export class MrtError extends Error {
  readonly code: MrtErrorCode;
  constructor(code: MrtErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MrtError';
    this.code = code;
  }
}

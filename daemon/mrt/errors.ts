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

/** Why a record, or part of one, was not printed by the dump (one warning per kind, see dump.ts). */
export type MrtSkipCode =
  /** A record type this reader does not know. */
  | 'ERR_MRT_UNKNOWN_TYPE'
  /** A known type with a subtype this reader does not know (or does not print, as bgpdump: BGP NULL, SYNC). */
  | 'ERR_MRT_UNKNOWN_SUBTYPE'
  /** A record body that does not fit its type's layout. */
  | 'ERR_MRT_MALFORMED_RECORD'
  /** A TABLE_DUMP_V2 RIB entry naming a peer the last PEER_INDEX_TABLE does not have (the entry is skipped). */
  | 'ERR_MRT_UNKNOWN_PEER_INDEX'
  /** A BGP message that does not decode: the prefixes of the failing field are not printed. */
  | 'ERR_MRT_BGP_MESSAGE';

/** What the dump left out, per kind: the first record (1-based), how many, and why. */
export interface MrtSkip {
  code: MrtSkipCode;
  /** The first record's reason (details of later records of the kind may differ). */
  reason: string;
  first: number;
  count: number;
}

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

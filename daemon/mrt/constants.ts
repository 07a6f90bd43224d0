// MRT (RFC 6396, RFC 8050) type and subtype numbers, and the header sizes the framer and writer share.
// Only numbers live here: decoding is in records.ts, encoding in writer.ts.

// ===== record types (RFC 6396 §4) =====
/** Deprecated BGP type (RFC 6396 Appendix B.2.4, the MRT draft's BGP), written by RIS and RouteViews to ~2001. */
export const MRT_BGP = 5;
export const MRT_TABLE_DUMP = 12;
export const MRT_TABLE_DUMP_V2 = 13;
export const MRT_BGP4MP = 16;
export const MRT_BGP4MP_ET = 17;

// ===== deprecated BGP (type 5) subtypes (RFC 6396 Appendix B.2.4) =====
export const BGP_NULL = 0;
export const BGP_UPDATE = 1;
export const BGP_PREF_UPDATE = 2;
export const BGP_STATE_CHANGE = 3;
export const BGP_SYNC = 4;
export const BGP_OPEN = 5;
export const BGP_NOTIFY = 6;
export const BGP_KEEPALIVE = 7;

// ===== TABLE_DUMP subtypes (RFC 6396 §4.2): the subtype is the AFI =====
export const TABLE_DUMP_AFI_IPV4 = 1;
export const TABLE_DUMP_AFI_IPV6 = 2;

// ===== TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 8050 §4) =====
export const TDV2_PEER_INDEX_TABLE = 1;
export const TDV2_RIB_IPV4_UNICAST = 2;
export const TDV2_RIB_IPV4_MULTICAST = 3;
export const TDV2_RIB_IPV6_UNICAST = 4;
export const TDV2_RIB_IPV6_MULTICAST = 5;
export const TDV2_RIB_GENERIC = 6;
export const TDV2_RIB_IPV4_UNICAST_ADDPATH = 8;
export const TDV2_RIB_IPV4_MULTICAST_ADDPATH = 9;
export const TDV2_RIB_IPV6_UNICAST_ADDPATH = 10;
export const TDV2_RIB_IPV6_MULTICAST_ADDPATH = 11;
export const TDV2_RIB_GENERIC_ADDPATH = 12;

/** PEER_INDEX_TABLE Peer Type bits (RFC 6396 §4.3.1). */
export const PEER_TYPE_IPV6 = 0x01;
export const PEER_TYPE_AS4 = 0x02;

// ===== BGP4MP / BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050 §3) =====
export const BGP4MP_STATE_CHANGE = 0;
export const BGP4MP_MESSAGE = 1;
export const BGP4MP_MESSAGE_AS4 = 4;
export const BGP4MP_STATE_CHANGE_AS4 = 5;
export const BGP4MP_MESSAGE_LOCAL = 6;
export const BGP4MP_MESSAGE_AS4_LOCAL = 7;
export const BGP4MP_MESSAGE_ADDPATH = 8;
export const BGP4MP_MESSAGE_AS4_ADDPATH = 9;
export const BGP4MP_MESSAGE_LOCAL_ADDPATH = 10;
export const BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH = 11;

/** Whether a BGP4MP subtype is one of the MESSAGE family (MESSAGE, _AS4, _LOCAL and _ADDPATH variants). */
export function isBgp4mpMessageSubtype(subtype: number): boolean {
  return (
    subtype === BGP4MP_MESSAGE ||
    subtype === BGP4MP_MESSAGE_AS4 ||
    (subtype >= BGP4MP_MESSAGE_LOCAL && subtype <= BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH)
  );
}

/** Whether a BGP4MP subtype carries 4-octet AS numbers in its peer and local AS fields. */
export function isBgp4mpAs4Subtype(subtype: number): boolean {
  return (
    subtype === BGP4MP_MESSAGE_AS4 ||
    subtype === BGP4MP_STATE_CHANGE_AS4 ||
    subtype === BGP4MP_MESSAGE_AS4_LOCAL ||
    subtype === BGP4MP_MESSAGE_AS4_ADDPATH ||
    subtype === BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH
  );
}

// ===== address families used in MRT bodies =====
export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;

// ===== sizes =====
/** Timestamp(4) Type(2) Subtype(2) Length(4) (RFC 6396 §2). */
export const MRT_HEADER_LENGTH = 12;
/** BGP4MP_ET adds a 4-octet Microsecond Timestamp counted in Length (RFC 6396 §3). */
export const MRT_ET_EXTRA_LENGTH = 4;
/**
 * Largest record body the reader accepts. RFC 6396 allows 2^32-1, but a RIB record that large does not exist
 * in practice; a bigger Length means a corrupt file, and buffering it would hold the rest of the input in memory.
 */
export const MRT_MAX_RECORD_LENGTH = 64 * 1024 * 1024;

/** Decompressed input is handed to the framer in blocks of about this size. */
export const CHUNK_SIZE = 256 * 1024;

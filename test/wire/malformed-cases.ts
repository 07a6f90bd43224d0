// The malformed-input table: each case names the RFC section it exercises and the exact outcome the decoder
// must reach (RFC 7606 action, stable error code, and for session resets the NOTIFICATION code/subcode and,
// where the RFC fixes it, the data). Read by malformed.test.ts.
import type { BgpErrorCode, DecodeContext, ErrorAction } from '../../daemon/wire/index.js';
import { familyKey } from '../../daemon/wire/index.js';
import { attr, concat, hex, message, update } from './helpers/bytes.js';

export interface MalformedCase {
  name: string;
  /** The RFC section the expected outcome comes from. */
  rfc: string;
  /** The sentence of the RFC that decides the outcome, where the choice is not obvious. */
  quote?: string;
  ctx?: DecodeContext;
  bytes: Uint8Array;
  expect: {
    action: ErrorAction | 'none';
    /** Code of the error that decides the outcome (the first one with the strongest action). */
    code?: BgpErrorCode;
    /** NOTIFICATION (code, subcode) for session resets. */
    notification?: [number, number];
    /** NOTIFICATION data, hex. */
    data?: string;
    attrType?: number;
    /** AFI/SAFI named by an afisafi-disable outcome. */
    family?: [number, number];
    /** Attribute types left after decoding (discards remove attributes). */
    attributes?: string[];
    /** The action the deciding error alone calls for, when RFC 7606 5.2 raised it to session-reset. */
    escalatedFrom?: ErrorAction;
  };
}

const MARKER = 'ffffffffffffffffffffffffffffffff';
const O = attr(0x40, 1, '00');
const P = attr(0x40, 2, '02 01 0000fde9');
const N = attr(0x40, 3, 'c0000201');
const NLRI = '18 c00002';
const IBGP: DecodeContext = { asn4: true, peerType: 'ibgp' };
const EBGP: DecodeContext = { asn4: true, peerType: 'ebgp' };
const V6_REACH = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 30 20010db80001');
/** MP_UNREACH_NLRI withdrawing 2001:db8:1::/48. */
const V6_UNREACH = attr(0x80, 15, '0002 01 30 20010db80001');
/** A MULTI_EXIT_DISC of 3 octets: treat-as-withdraw (RFC 7606 7.4). */
const BAD_MED = attr(0x80, 4, '000001');
/** AS_PATH AS_SEQUENCE 65001 65002 in 2-octet form. */
const PATH2 = attr(0x40, 2, '02 02 fde9 fdea');

const RFC7606_5_2 =
  'if any path attribute errors are encountered in such an UPDATE message [path attributes other than ' +
  'MP_UNREACH_NLRI, no reachable NLRI] and if any encountered error specifies an error-handling approach ' +
  'other than "attribute discard", then the "session reset" approach MUST be used.';
const RFC7606_4 =
  'In either of these cases, an error condition exists and the "treat-as-withdraw" approach MUST be used ' +
  '(unless some other, more severe error is encountered dictating a stronger approach), and the Total ' +
  'Attribute Length MUST be relied upon to enable the beginning of the NLRI field to be located.';

/** An UPDATE announcing 192.0.2.0/24 with ORIGIN, AS_PATH, NEXT_HOP followed by `extra` attributes. */
function withBase(...extra: Uint8Array[]): Uint8Array {
  return update({ attrs: concat(O, P, N, ...extra), nlri: NLRI });
}
/** An UPDATE with exactly these attributes and the NLRI. */
function withAttrs(...attrs: Uint8Array[]): Uint8Array {
  return update({ attrs: concat(...attrs), nlri: NLRI });
}
/** An UPDATE whose attribute section is `section` verbatim (lengths computed from it). */
function rawSection(section: string, nlri = NLRI): Uint8Array {
  return update({ attrs: hex(section), nlri });
}
const OPEN_OK = '04 fde9 00b4 c0000201';
function open(body: string): Uint8Array {
  return message(1, body);
}

export const MALFORMED_CASES: MalformedCase[] = [
  // ===== Message header (RFC 4271 6.1) =====
  {
    name: 'marker not all ones',
    rfc: 'RFC 4271 6.1',
    bytes: hex(`fffffffffffffffffffffffffffffffe 0013 04`),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_MARKER', notification: [1, 1] },
  },
  {
    name: 'length field 18',
    rfc: 'RFC 4271 6.1',
    bytes: hex(`${MARKER} 0012 04 00`),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_LENGTH', notification: [1, 2], data: '0012' },
  },
  {
    name: 'length 4097 without Extended Message',
    rfc: 'RFC 4271 6.1 / RFC 8654',
    bytes: concat(hex(`${MARKER} 1001 02`), new Uint8Array(4097 - 19)),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_LENGTH', notification: [1, 2], data: '1001' },
  },
  {
    name: 'unknown message type 6',
    rfc: 'RFC 4271 6.1',
    bytes: hex(`${MARKER} 0013 06`),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_TYPE', notification: [1, 3], data: '06' },
  },
  {
    name: 'KEEPALIVE of 20 octets',
    rfc: 'RFC 4271 6.1',
    bytes: hex(`${MARKER} 0014 04 00`),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_LENGTH', notification: [1, 2], data: '0014' },
  },
  {
    name: 'OPEN shorter than 29 octets',
    rfc: 'RFC 4271 6.1',
    bytes: message(1, '04 fde9 00b4 c00002'),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_LENGTH', notification: [1, 2], data: '001b' },
  },
  {
    name: 'UPDATE shorter than 23 octets',
    rfc: 'RFC 4271 6.1',
    bytes: message(2, '0000 00'),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_LENGTH', notification: [1, 2], data: '0016' },
  },
  {
    name: 'NOTIFICATION shorter than 21 octets',
    rfc: 'RFC 4271 6.1',
    bytes: message(3, '06'),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_LENGTH', notification: [1, 2], data: '0014' },
  },
  {
    name: 'ROUTE-REFRESH shorter than 23 octets',
    rfc: 'RFC 4271 6.1 / RFC 2918 3',
    bytes: message(5, '0001 00'),
    expect: { action: 'session-reset', code: 'ERR_BGP_HEADER_LENGTH', notification: [1, 2], data: '0016' },
  },

  // ===== OPEN (RFC 4271 6.2) =====
  {
    name: 'OPEN version 3',
    rfc: 'RFC 4271 6.2',
    bytes: open('03 fde9 00b4 c0000201 00'),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_VERSION', notification: [2, 1], data: '0004' },
  },
  {
    name: 'OPEN peer AS 0',
    rfc: 'RFC 7607 2',
    bytes: open('04 0000 00b4 c0000201 00'),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_PEER_AS', notification: [2, 2] },
  },
  {
    name: 'OPEN hold time 1',
    rfc: 'RFC 4271 6.2',
    bytes: open('04 fde9 0001 c0000201 00'),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_HOLD_TIME', notification: [2, 6] },
  },
  {
    name: 'OPEN hold time 2',
    rfc: 'RFC 4271 6.2',
    bytes: open('04 fde9 0002 c0000201 00'),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_HOLD_TIME', notification: [2, 6] },
  },
  {
    name: 'OPEN hold time 0 is acceptable',
    rfc: 'RFC 4271 4.2',
    bytes: open('04 fde9 0000 c0000201 00'),
    expect: { action: 'none' },
  },
  {
    name: 'OPEN BGP Identifier 0',
    rfc: 'RFC 6286 2.2 / RFC 4271 6.2',
    bytes: open('04 fde9 00b4 00000000 00'),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_BGP_ID', notification: [2, 3] },
  },
  {
    name: 'OPEN optional parameter type 1 (authentication, deprecated)',
    rfc: 'RFC 4271 6.2',
    bytes: open(`${OPEN_OK} 03 01 01 00`),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_OPT_PARAM', notification: [2, 4] },
  },
  {
    name: 'OPEN optional parameters length beyond the message',
    rfc: 'RFC 4271 6.2',
    bytes: open(`${OPEN_OK} 08 02 02 0200`),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_MALFORMED', notification: [2, 0] },
  },
  {
    name: 'OPEN parameter overruns the parameters',
    rfc: 'RFC 4271 6.2',
    bytes: open(`${OPEN_OK} 04 02 05 0200`),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_MALFORMED', notification: [2, 0] },
  },
  {
    name: 'OPEN multiprotocol capability of length 3',
    rfc: 'RFC 4271 6.2 (recognised but malformed: Unspecific)',
    bytes: open(`${OPEN_OK} 07 02 05 0103000100`),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_MALFORMED', notification: [2, 0] },
  },
  {
    name: 'OPEN capability overruns its parameter',
    rfc: 'RFC 5492 4',
    bytes: open(`${OPEN_OK} 04 02 02 4104`),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_MALFORMED', notification: [2, 0] },
  },
  {
    name: 'OPEN 4-octet AS capability with AS 0',
    rfc: 'RFC 7607 2',
    bytes: open(`${OPEN_OK} 08 02 06 4104 00000000`),
    expect: { action: 'session-reset', code: 'ERR_BGP_OPEN_PEER_AS', notification: [2, 2] },
  },

  // ===== UPDATE structure (RFC 4271 6.3, RFC 7606 5.3) =====
  {
    name: 'Withdrawn Routes Length beyond the message',
    rfc: 'RFC 4271 6.3',
    bytes: message(2, '0010 0000'),
    expect: { action: 'session-reset', code: 'ERR_BGP_UPDATE_LENGTHS', notification: [3, 1] },
  },
  {
    name: 'Total Path Attribute Length beyond the message',
    rfc: 'RFC 4271 6.3',
    bytes: message(2, '0000 0010 40010100'),
    expect: { action: 'session-reset', code: 'ERR_BGP_UPDATE_LENGTHS', notification: [3, 1] },
  },
  {
    name: 'withdrawn prefix length 33',
    rfc: 'RFC 7606 5.3 / RFC 4271 6.3',
    bytes: update({ withdrawn: '21 0a000000 00' }),
    expect: { action: 'session-reset', code: 'ERR_BGP_NLRI_INVALID', notification: [3, 10] },
  },
  {
    name: 'NLRI prefix overruns the message',
    rfc: 'RFC 7606 5.3 / RFC 4271 6.3',
    bytes: update({ attrs: concat(O, P, N), nlri: '18 c000' }),
    expect: { action: 'session-reset', code: 'ERR_BGP_NLRI_INVALID', notification: [3, 10] },
  },
  {
    name: 'NLRI with a truncated ADD-PATH path identifier',
    rfc: 'RFC 7911 3 / RFC 7606 5.3',
    ctx: { asn4: true, addPath: new Set([familyKey(1, 1)]) },
    bytes: update({ attrs: concat(O, P, N), nlri: '000000' }),
    expect: { action: 'session-reset', code: 'ERR_BGP_NLRI_INVALID', notification: [3, 10] },
  },

  // ===== Attribute section (RFC 7606 4) =====
  {
    name: 'last attribute overruns the attribute section',
    rfc: 'RFC 7606 4',
    bytes: rawSection('400101 00 400306 c0000201'),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_OVERRUN', attributes: ['origin'] },
  },
  {
    name: 'two octets left where an attribute header is due',
    rfc: 'RFC 7606 4',
    bytes: rawSection('40010100 4002'),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_OVERRUN' },
  },
  {
    name: 'three octets left with the Extended Length bit',
    rfc: 'RFC 7606 4',
    bytes: rawSection('40010100 500200'),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_OVERRUN' },
  },

  // ===== Nothing to withdraw (RFC 7606 5.2, 3 j) =====
  {
    name: 'malformed MULTI_EXIT_DISC in a withdrawal-only UPDATE',
    rfc: 'RFC 7606 5.2',
    quote: RFC7606_5_2,
    bytes: update({ withdrawn: '08 0a', attrs: concat(O, P, BAD_MED) }),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ATTR_LENGTH',
      notification: [3, 5],
      attrType: 4,
      escalatedFrom: 'treat-as-withdraw',
    },
  },
  {
    name: 'ORIGIN value 3 in an UPDATE with no prefixes at all',
    rfc: 'RFC 7606 5.2',
    quote: RFC7606_5_2,
    bytes: update({ attrs: concat(attr(0x40, 1, '03'), P) }),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ORIGIN_VALUE',
      notification: [3, 6],
      escalatedFrom: 'treat-as-withdraw',
    },
  },
  {
    name: '2-octet AS_PATH on a 4-octet session, with NLRI',
    rfc: 'RFC 7606 7.2',
    quote:
      'An AS_PATH is considered malformed if an unrecognized segment type is encountered or if it contains ' +
      'a malformed segment. ... An UPDATE message with a malformed AS_PATH attribute SHALL be handled ' +
      'using the approach of "treat-as-withdraw".',
    bytes: withAttrs(O, PATH2, N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AS_PATH_MALFORMED', attrType: 2 },
  },
  {
    name: '2-octet AS_PATH on a 4-octet session, withdrawal only',
    rfc: 'RFC 7606 5.2 / 7.2',
    quote: RFC7606_5_2,
    bytes: update({ withdrawn: '08 0a', attrs: concat(O, PATH2) }),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_AS_PATH_MALFORMED',
      notification: [3, 11],
      escalatedFrom: 'treat-as-withdraw',
    },
  },
  {
    name: 'attribute length overruns the section, withdrawal only',
    rfc: 'RFC 7606 4 / 5.2',
    quote: RFC7606_5_2,
    bytes: update({ withdrawn: '08 0a', attrs: hex('400101 00 400306 c0000201') }),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ATTR_OVERRUN',
      notification: [3, 5],
      escalatedFrom: 'treat-as-withdraw',
    },
  },
  {
    name: 'attribute section cannot be walked to its end, no prefixes',
    rfc: 'RFC 7606 4 / 5.2 / 3 j',
    quote:
      'in order to use the approach of "treat-as-withdraw", the entire NLRI field and/or the MP_REACH_NLRI ' +
      'and MP_UNREACH_NLRI attributes need to be successfully parsed ... If this is not possible, the ' +
      'procedures of [RFC4271] and/or [RFC4760] continue to apply, meaning that the "session reset" ' +
      'approach (or the "AFI/SAFI disable" approach) MUST be followed.',
    bytes: update({ attrs: hex('40010100 4002') }),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ATTR_OVERRUN',
      notification: [3, 1],
      escalatedFrom: 'treat-as-withdraw',
    },
  },
  {
    name: 'attribute section cut after an MP_UNREACH_NLRI',
    rfc: 'RFC 7606 5.2',
    quote: RFC7606_5_2,
    bytes: update({ attrs: concat(V6_UNREACH, hex('4002')) }),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ATTR_OVERRUN',
      notification: [3, 1],
      escalatedFrom: 'treat-as-withdraw',
    },
  },
  {
    name: 'attribute section cut after an MP_REACH_NLRI whose prefixes were located',
    rfc: 'RFC 7606 4',
    quote: RFC7606_4,
    bytes: update({ attrs: concat(V6_REACH, O, hex('4002')) }),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_OVERRUN' },
  },
  {
    name: 'malformed attribute next to an MP_UNREACH_NLRI (any family, negotiated or not)',
    rfc: 'RFC 7606 5.2',
    quote: RFC7606_5_2,
    bytes: update({ attrs: concat(V6_UNREACH, O, P, BAD_MED) }),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ATTR_LENGTH',
      notification: [3, 5],
      escalatedFrom: 'treat-as-withdraw',
    },
  },
  {
    name: 'malformed attribute with an MP_REACH_NLRI of no prefixes',
    rfc: 'RFC 7606 5.2',
    quote: RFC7606_5_2,
    bytes: update({
      attrs: concat(O, P, attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00'), BAD_MED),
    }),
    expect: { action: 'session-reset', code: 'ERR_BGP_ATTR_LENGTH', escalatedFrom: 'treat-as-withdraw' },
  },
  {
    name: 'MP_UNREACH_NLRI with wrong flags as the only attribute is not raised',
    rfc: 'RFC 7606 3 c / 5.2 (no attribute other than MP_UNREACH_NLRI)',
    quote:
      'if an UPDATE message is encountered that does contain path attributes other than MP_UNREACH_NLRI ' +
      "and doesn't encode any reachable NLRI, we cannot be confident that the NLRI have been successfully " +
      'parsed',
    bytes: update({ attrs: attr(0xc0, 15, '0002 01 30 20010db80001') }),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_FLAGS', attrType: 15 },
  },
  {
    name: 'attribute discard in a withdrawal-only UPDATE is not raised',
    rfc: 'RFC 7606 5.2 (only approaches other than "attribute discard")',
    quote: RFC7606_5_2,
    bytes: update({ withdrawn: '08 0a', attrs: concat(O, P, attr(0x40, 6, '00')) }),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_ATTR_LENGTH', attrType: 6 },
  },
  {
    name: 'malformed MP_REACH_NLRI next hop with no other NLRI: AFI/SAFI disable, not raised',
    rfc: 'RFC 7606 7.11 / 3 j',
    quote:
      'it will not be possible to reliably locate the NLRI; thus, the "session reset" approach or the ' +
      '"AFI/SAFI disable" approach MUST be used.',
    bytes: update({ attrs: concat(O, P, attr(0x80, 14, '0002 01 04 c0000201 00 30 20010db80001')) }),
    expect: { action: 'afisafi-disable', code: 'ERR_BGP_MP_NEXT_HOP_LENGTH', family: [2, 1] },
  },

  // ===== Section-level rules (RFC 7606 3) =====
  {
    name: 'ORIGIN with the Optional bit set',
    rfc: 'RFC 7606 3 c',
    bytes: withAttrs(attr(0xc0, 1, '00'), P, N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_FLAGS', attrType: 1 },
  },
  {
    name: 'MULTI_EXIT_DISC flagged well-known',
    rfc: 'RFC 7606 3 c',
    bytes: withBase(attr(0x40, 4, '00000001')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_FLAGS', attrType: 4 },
  },
  {
    name: 'Partial bit on a well-known attribute is ignored',
    rfc: 'RFC 7606 3 c (only Optional and Transitive are checked)',
    bytes: withAttrs(attr(0x60, 1, '00'), P, N),
    expect: { action: 'none' },
  },
  {
    name: 'ORIGIN twice: later copies discarded',
    rfc: 'RFC 7606 3 g',
    bytes: withBase(attr(0x40, 1, '02')),
    expect: {
      action: 'attribute-discard',
      code: 'ERR_BGP_ATTR_DUPLICATE',
      attrType: 1,
      attributes: ['origin', 'as-path', 'next-hop'],
    },
  },
  {
    name: 'MP_REACH_NLRI twice',
    rfc: 'RFC 7606 3 g',
    bytes: withBase(V6_REACH, V6_REACH),
    expect: { action: 'session-reset', code: 'ERR_BGP_ATTR_MP_DUPLICATE', notification: [3, 1] },
  },
  {
    name: 'MP_UNREACH_NLRI twice',
    rfc: 'RFC 7606 3 g',
    bytes: update({ attrs: concat(attr(0x80, 15, '0002 01'), attr(0x80, 15, '0002 01')) }),
    expect: { action: 'session-reset', code: 'ERR_BGP_ATTR_MP_DUPLICATE', notification: [3, 1] },
  },
  {
    name: 'unrecognized well-known attribute',
    rfc: 'RFC 4271 6.3',
    bytes: withBase(attr(0x40, 99, 'aa')),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ATTR_UNRECOGNIZED_WELL_KNOWN',
      notification: [3, 2],
      data: '406301aa',
    },
  },
  {
    name: 'ORIGIN missing with NLRI',
    rfc: 'RFC 7606 3 d / RFC 4271 6.3',
    bytes: withAttrs(P, N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_MISSING', attrType: 1, data: '01' },
  },
  {
    name: 'AS_PATH missing with NLRI',
    rfc: 'RFC 7606 3 d',
    bytes: withAttrs(O, N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_MISSING', attrType: 2, data: '02' },
  },
  {
    name: 'NEXT_HOP missing with NLRI in the NLRI field',
    rfc: 'RFC 7606 3 d',
    bytes: withAttrs(O, P),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_MISSING', attrType: 3, data: '03' },
  },
  {
    name: 'ORIGIN missing with MP_REACH_NLRI prefixes',
    rfc: 'RFC 7606 3 d',
    bytes: update({ attrs: concat(P, V6_REACH) }),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_MISSING', attrType: 1 },
  },
  {
    name: 'NEXT_HOP not needed when only MP_REACH_NLRI announces',
    rfc: 'RFC 7606 3 d (RFC 4760 makes NEXT_HOP discretionary)',
    bytes: update({ attrs: concat(O, P, V6_REACH) }),
    expect: { action: 'none' },
  },
  {
    name: 'no mandatory attributes needed without NLRI',
    rfc: 'RFC 4271 5',
    bytes: update({ withdrawn: '08 0a', attrs: attr(0x80, 4, '00000001') }),
    expect: { action: 'none' },
  },

  // ===== Per attribute (RFC 7606 7) =====
  {
    name: 'ORIGIN of length 2',
    rfc: 'RFC 7606 7.1',
    bytes: withAttrs(attr(0x40, 1, '0000'), P, N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 1 },
  },
  {
    name: 'ORIGIN value 3',
    rfc: 'RFC 7606 7.1',
    bytes: withAttrs(attr(0x40, 1, '03'), P, N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ORIGIN_VALUE', attrType: 1 },
  },
  {
    name: 'AS_PATH segment type 5',
    rfc: 'RFC 7606 7.2',
    bytes: withAttrs(O, attr(0x40, 2, '05 01 0000fde9'), N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AS_PATH_MALFORMED', attrType: 2 },
  },
  {
    name: 'AS_PATH segment length 0',
    rfc: 'RFC 7606 7.2',
    bytes: withAttrs(O, attr(0x40, 2, '02 00'), N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AS_PATH_MALFORMED' },
  },
  {
    name: 'AS_PATH segment overruns the attribute',
    rfc: 'RFC 7606 7.2',
    bytes: withAttrs(O, attr(0x40, 2, '02 02 0000fde9'), N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AS_PATH_MALFORMED' },
  },
  {
    name: 'AS_PATH with one octet after the last segment',
    rfc: 'RFC 7606 7.2',
    bytes: withAttrs(O, attr(0x40, 2, '02 01 0000fde9 02'), N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AS_PATH_MALFORMED' },
  },
  {
    name: 'AS_PATH with 4-octet ASNs on a 2-octet session',
    rfc: 'RFC 7606 7.2',
    ctx: { asn4: false },
    bytes: withAttrs(O, attr(0x40, 2, '02 01 0000fde9'), N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AS_PATH_MALFORMED' },
  },
  {
    name: 'AS_CONFED_SEQUENCE from an eBGP peer',
    rfc: 'RFC 7606 7.2 / RFC 5065 5.3',
    ctx: EBGP,
    bytes: withAttrs(O, attr(0x40, 2, '03 01 0000fc00 02 01 0000fde9'), N),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AS_PATH_CONFED' },
  },
  {
    name: 'AS_CONFED_SEQUENCE from a confederation eBGP peer',
    rfc: 'RFC 5065 5.3',
    ctx: { ...EBGP, confedPeer: true },
    bytes: withAttrs(O, attr(0x40, 2, '03 01 0000fc00 02 01 0000fde9'), N),
    expect: { action: 'none' },
  },
  {
    name: 'NEXT_HOP of length 5',
    rfc: 'RFC 7606 7.3',
    bytes: withAttrs(O, P, attr(0x40, 3, 'c000020100')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 3 },
  },
  {
    name: 'MULTI_EXIT_DISC of length 3',
    rfc: 'RFC 7606 7.4',
    bytes: withBase(attr(0x80, 4, '000001')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 4 },
  },
  {
    name: 'LOCAL_PREF from an eBGP peer',
    rfc: 'RFC 7606 7.5',
    ctx: EBGP,
    bytes: withBase(attr(0x40, 5, '00000064')),
    expect: {
      action: 'attribute-discard',
      code: 'ERR_BGP_ATTR_EBGP_ONLY_IBGP',
      attrType: 5,
      attributes: ['origin', 'as-path', 'next-hop'],
    },
  },
  {
    name: 'LOCAL_PREF of length 3 from an iBGP peer',
    rfc: 'RFC 7606 7.5',
    ctx: IBGP,
    bytes: withBase(attr(0x40, 5, '000064')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 5 },
  },
  {
    name: 'ATOMIC_AGGREGATE of length 1',
    rfc: 'RFC 7606 7.6',
    bytes: withBase(attr(0x40, 6, '00')),
    expect: {
      action: 'attribute-discard',
      code: 'ERR_BGP_ATTR_LENGTH',
      attrType: 6,
      attributes: ['origin', 'as-path', 'next-hop'],
    },
  },
  {
    name: 'AGGREGATOR of length 6 on a 4-octet session',
    rfc: 'RFC 7606 7.7',
    bytes: withBase(attr(0xc0, 7, 'fde9 0a000001')),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_ATTR_LENGTH', attrType: 7 },
  },
  {
    name: 'AGGREGATOR of length 8 on a 2-octet session',
    rfc: 'RFC 7606 7.7',
    ctx: { asn4: false },
    bytes: withAttrs(O, attr(0x40, 2, '02 01 fde9'), N, attr(0xc0, 7, '0000fde9 0a000001')),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_ATTR_LENGTH', attrType: 7 },
  },
  {
    name: 'COMMUNITIES of length 5',
    rfc: 'RFC 7606 7.8',
    bytes: withBase(attr(0xc0, 8, 'fde9006401')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 8 },
  },
  {
    name: 'COMMUNITIES of length 0',
    rfc: 'RFC 7606 7.8',
    bytes: withBase(attr(0xc0, 8, '')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 8 },
  },
  {
    name: 'ORIGINATOR_ID from an eBGP peer',
    rfc: 'RFC 7606 7.9',
    ctx: EBGP,
    bytes: withBase(attr(0x80, 9, '01020304')),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_ATTR_EBGP_ONLY_IBGP', attrType: 9 },
  },
  {
    name: 'ORIGINATOR_ID of length 3 from an iBGP peer',
    rfc: 'RFC 7606 7.9',
    ctx: IBGP,
    bytes: withBase(attr(0x80, 9, '010203')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 9 },
  },
  {
    name: 'CLUSTER_LIST from an eBGP peer',
    rfc: 'RFC 7606 7.10',
    ctx: EBGP,
    bytes: withBase(attr(0x80, 10, '01020304')),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_ATTR_EBGP_ONLY_IBGP', attrType: 10 },
  },
  {
    name: 'CLUSTER_LIST of length 6 from an iBGP peer',
    rfc: 'RFC 7606 7.10',
    ctx: IBGP,
    bytes: withBase(attr(0x80, 10, '010203040506')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 10 },
  },
  {
    name: 'MP_REACH_NLRI too short for AFI/SAFI',
    rfc: 'RFC 7606 7.11',
    bytes: withBase(attr(0x80, 14, '0002')),
    expect: { action: 'session-reset', code: 'ERR_BGP_MP_MALFORMED', notification: [3, 9] },
  },
  {
    name: 'MP_REACH_NLRI IPv6 with a 4-octet next hop',
    rfc: 'RFC 7606 7.11',
    bytes: withBase(attr(0x80, 14, '0002 01 04 c0000201 00 30 20010db80001')),
    expect: { action: 'afisafi-disable', code: 'ERR_BGP_MP_NEXT_HOP_LENGTH', family: [2, 1] },
  },
  {
    name: 'MP_REACH_NLRI next hop overruns the attribute',
    rfc: 'RFC 7606 7.11',
    bytes: withBase(attr(0x80, 14, '0002 01 20 20010db8')),
    expect: { action: 'afisafi-disable', code: 'ERR_BGP_MP_NEXT_HOP_LENGTH', family: [2, 1] },
  },
  {
    name: 'MP_REACH_NLRI prefix length 129',
    rfc: 'RFC 7606 5.3 / 7.11',
    bytes: withBase(
      attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 81 20010db8000000000000000000000000 00'),
    ),
    expect: { action: 'afisafi-disable', code: 'ERR_BGP_MP_NLRI_INVALID', family: [2, 1] },
  },
  {
    name: 'MP_UNREACH_NLRI too short for AFI/SAFI',
    rfc: 'RFC 7606 7.12',
    bytes: update({ attrs: attr(0x80, 15, '00') }),
    expect: { action: 'session-reset', code: 'ERR_BGP_MP_MALFORMED', notification: [3, 9] },
  },
  {
    name: 'MP_UNREACH_NLRI prefix overruns the attribute',
    rfc: 'RFC 7606 5.3 / 7.12',
    bytes: update({ attrs: attr(0x80, 15, '0002 01 40 20010db8') }),
    expect: { action: 'afisafi-disable', code: 'ERR_BGP_MP_NLRI_INVALID', family: [2, 1] },
  },
  {
    name: 'MP_REACH_NLRI of an opaque family is never an error',
    rfc: 'RFC 4760 (other AFI/SAFI kept opaque)',
    bytes: update({ attrs: concat(O, P, attr(0x80, 14, '0001 85 00 00 ff')) }),
    expect: { action: 'none' },
  },
  {
    name: 'EXTENDED_COMMUNITIES of length 7',
    rfc: 'RFC 7606 7.14',
    bytes: withBase(attr(0xc0, 16, '00020000000000')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 16 },
  },
  {
    name: 'AS4_PATH with a zero-length segment',
    rfc: 'RFC 6793 6',
    ctx: { asn4: false },
    bytes: withAttrs(O, attr(0x40, 2, '02 01 5ba0'), N, attr(0xc0, 17, '02 00')),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_AS4_PATH_MALFORMED', attrType: 17 },
  },
  {
    name: 'AS4_PATH with an AS_CONFED_SEQUENCE',
    rfc: 'RFC 6793 6',
    ctx: { asn4: false },
    bytes: withAttrs(O, attr(0x40, 2, '02 01 5ba0'), N, attr(0xc0, 17, '03 01 fa56ea00')),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_AS4_PATH_MALFORMED' },
  },
  {
    name: 'AS4_AGGREGATOR of length 6',
    rfc: 'RFC 6793 6',
    ctx: { asn4: false },
    bytes: withAttrs(O, attr(0x40, 2, '02 01 5ba0'), N, attr(0xc0, 18, '5ba0 0a000001')),
    expect: { action: 'attribute-discard', code: 'ERR_BGP_ATTR_LENGTH', attrType: 18 },
  },
  {
    name: 'LARGE_COMMUNITY of length 11',
    rfc: 'RFC 8092 6',
    bytes: withBase(attr(0xc0, 32, '0000fde9 00000001 000000')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 32 },
  },
  {
    name: 'LARGE_COMMUNITY duplicates are not an error',
    rfc: 'RFC 8092 6',
    bytes: withBase(attr(0xc0, 32, '0000fde9 00000001 00000002 0000fde9 00000001 00000002')),
    expect: { action: 'none' },
  },
  {
    name: 'AIGP TLV overrunning the attribute',
    rfc: 'RFC 7311 3',
    bytes: withBase(attr(0x80, 26, '01 000b 00000000')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_AIGP_MALFORMED', attrType: 26 },
  },
  {
    name: 'unknown optional non-transitive attribute is kept',
    rfc: 'RFC 4271 5',
    bytes: withBase(attr(0x80, 200, '01')),
    expect: { action: 'none', attributes: ['origin', 'as-path', 'next-hop', 'unknown'] },
  },

  // ===== Several errors: the strongest wins (RFC 7606 3) =====
  {
    name: 'attribute discard + treat-as-withdraw',
    rfc: 'RFC 7606 3 (strongest)',
    bytes: withBase(attr(0x40, 6, '00'), attr(0x80, 4, '00')),
    expect: { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTR_LENGTH', attrType: 4 },
  },
  {
    name: 'treat-as-withdraw + AFI/SAFI disable',
    rfc: 'RFC 7606 3 (strongest)',
    bytes: withBase(attr(0x80, 4, '00'), attr(0x80, 14, '0002 01 04 c0000201 00')),
    expect: { action: 'afisafi-disable', code: 'ERR_BGP_MP_NEXT_HOP_LENGTH', family: [2, 1] },
  },
  {
    name: 'AFI/SAFI disable + session reset',
    rfc: 'RFC 7606 3 (strongest)',
    bytes: withBase(attr(0x80, 14, '0002 01 04 c0000201 00'), attr(0x80, 14, '0002 01 04 c0000201 00')),
    expect: { action: 'session-reset', code: 'ERR_BGP_ATTR_MP_DUPLICATE', notification: [3, 1] },
  },

  // ===== ROUTE-REFRESH (RFC 7313 5) =====
  {
    name: 'BoRR with a 5-octet body',
    rfc: 'RFC 7313 5',
    bytes: message(5, '0001 01 01 00'),
    expect: {
      action: 'session-reset',
      code: 'ERR_BGP_ROUTE_REFRESH_LENGTH',
      notification: [7, 1],
      data: '0001010100',
    },
  },
  {
    name: 'normal ROUTE-REFRESH with ORF entries is kept',
    rfc: 'RFC 7313 5 / RFC 5291',
    bytes: message(5, '0001 00 01 01 0000'),
    expect: { action: 'none' },
  },
];

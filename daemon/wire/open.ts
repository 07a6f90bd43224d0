// OPEN message (type 1) codec: RFC 4271 4.2 with optional parameters (RFC 5492 capabilities) and the
// RFC 9072 extended optional parameters length. Errors map to the RFC 4271 6.2 subcodes. Checks that need
// configuration (Bad Peer AS against the configured AS, hold time policy, collisions) belong to the session.
//
// RFC 4271 4.2:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+
//   |    Version    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     My Autonomous System      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           Hold Time           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         BGP Identifier                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Opt Parm Len  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |             Optional Parameters (variable)                    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// RFC 9072 2: when Opt Parm Len is 255 and the next octet (Non-Ext OP Type) is 255, a 2-octet Extended
// Optional Parameters Length follows and each parameter has a 2-octet length.
import { decodeCapabilities, type Capability } from './capabilities.js';
import { openError } from './errors.js';
import { OpenSubcode, OptParamType } from './iana.js';
import { getU16, WireReader } from './reader.js';
import { decoded, failed, type DecodeResult } from './result.js';
import type { WireWriter } from './writer.js';

export type OptionalParameter =
  | { type: 2; capabilities: Capability[]; raw: Uint8Array }
  | { type: number; capabilities?: undefined; raw: Uint8Array };

export interface OpenMessage {
  type: 'open';
  version: number;
  /** My Autonomous System (2 octets; AS_TRANS when the real AS is in the 4-octet AS capability). */
  myAs: number;
  holdTime: number;
  /** BGP Identifier as a u32. */
  bgpId: number;
  /** Optional parameters in received order. */
  params: OptionalParameter[];
  /** RFC 9072 extended optional parameter encoding used on the wire. */
  extendedParams: boolean;
  /** All capabilities of all parameters, in order (the same objects as in `params`). */
  capabilities: Capability[];
}

/** Decode an OPEN body (header removed; the header check guarantees at least 10 octets). Never throws. */
export function decodeOpen(body: Uint8Array): DecodeResult<OpenMessage> {
  // 1. Read the fixed part (10 octets; the header check requires 29 octets for a whole OPEN).
  const fixed = new WireReader(body);
  const version = fixed.u8();
  const myAs = fixed.u16();
  const holdTime = fixed.u16();
  const bgpId = fixed.u32();
  let optLength = fixed.u8();
  // Bodies shorter than 10 octets only come from callers bypassing the header check.
  if (fixed.overrun)
    return failed(openError('ERR_BGP_OPEN_MALFORMED', 0, `OPEN body of ${body.length} octets`));
  // 2. Check the fixed fields.
  // RFC 4271 6.2: "If the version number in the Version field of the received OPEN message is not
  // supported, then the Error Subcode MUST be set to Unsupported Version Number. The Data field is a 2-octet
  // unsigned integer, which indicates the largest, locally-supported version number less than the version
  // the remote BGP peer bid".
  if (version !== 4)
    return failed(
      openError(
        'ERR_BGP_OPEN_VERSION',
        OpenSubcode.UnsupportedVersionNumber,
        `version ${version}`,
        Uint8Array.of(0, 4),
      ),
    );
  // RFC 7607 2: "A BGP speaker MUST NOT originate or propagate a route with an AS number of zero ... If a
  // BGP speaker receives zero as the peer AS in an OPEN message, it MUST abort the connection and send a
  // NOTIFICATION with Error Code "OPEN Message Error" and subcode "Bad Peer AS"".
  if (myAs === 0) return failed(openError('ERR_BGP_OPEN_PEER_AS', OpenSubcode.BadPeerAs, 'peer AS 0'));
  // RFC 4271 6.2: "If the Hold Time field of the OPEN message is unacceptable, then the Error Subcode MUST
  // be set to Unacceptable Hold Time. An implementation MUST reject Hold Time values of one or two seconds."
  if (holdTime === 1 || holdTime === 2)
    return failed(
      openError('ERR_BGP_OPEN_HOLD_TIME', OpenSubcode.UnacceptableHoldTime, `hold time ${holdTime}`),
    );
  // RFC 6286 2.2 (updating RFC 4271 6.2): the BGP Identifier is a non-zero 4-octet unsigned integer;
  // "If the BGP Identifier field of the OPEN message is syntactically incorrect, then the Error Subcode MUST
  // be set to Bad BGP Identifier."
  if (bgpId === 0)
    return failed(openError('ERR_BGP_OPEN_BGP_ID', OpenSubcode.BadBgpIdentifier, 'BGP Identifier 0'));

  // 3. Optional parameters.
  let pos = fixed.pos;
  let extendedParams = false;
  // RFC 9072 2 (paraphrased): a Non-Ext OP Len of 255 followed by a Non-Ext OP Type of 255 announces the
  // extended encoding: a 2-octet Extended Opt. Parm. Length, then parameters with 2-octet lengths.
  if (optLength === 255 && body.length > 10 && body[10] === OptParamType.ExtendedLength) {
    if (body.length < 13)
      return failed(openError('ERR_BGP_OPEN_MALFORMED', 0, 'extended optional parameters length truncated'));
    optLength = getU16(body, 11);
    pos = 13;
    extendedParams = true;
  }
  // RFC 4271 6.2 / 6.1: the optional parameters must exactly fill the rest of the message.
  if (pos + optLength !== body.length) {
    return failed(
      openError(
        'ERR_BGP_OPEN_MALFORMED',
        0,
        `optional parameters length ${optLength} does not match the message (${body.length - pos} octets)`,
      ),
    );
  }
  const params: OptionalParameter[] = [];
  const capabilities: Capability[] = [];
  const end = body.length;
  const headerLength = extendedParams ? 3 : 2;
  while (pos < end) {
    if (pos + headerLength > end)
      return failed(openError('ERR_BGP_OPEN_MALFORMED', 0, 'optional parameter header truncated'));
    const type = body[pos]!;
    const len = extendedParams ? getU16(body, pos + 1) : body[pos + 1]!;
    const value = body.subarray(pos + headerLength, pos + headerLength + len);
    if (pos + headerLength + len > end)
      return failed(openError('ERR_BGP_OPEN_MALFORMED', 0, `optional parameter ${type} overruns`));
    pos += headerLength + len;
    // RFC 4271 6.2: "If one of the Optional Parameters in the OPEN message is not recognized, then the Error
    // Subcode MUST be set to Unsupported Optional Parameters."
    if (type !== OptParamType.Capabilities) {
      return failed(
        openError(
          'ERR_BGP_OPEN_OPT_PARAM',
          OpenSubcode.UnsupportedOptionalParameter,
          `optional parameter type ${type}`,
        ),
      );
    }
    // RFC 4271 6.2: "If one of the Optional Parameters in the OPEN message is recognized, but is malformed,
    // then the Error Subcode MUST be set to 0 (Unspecific)."
    const caps = decodeCapabilities(value);
    if (typeof caps === 'string') return failed(openError('ERR_BGP_OPEN_MALFORMED', 0, caps));
    for (const c of caps) capabilities.push(c);
    params.push({ type: OptParamType.Capabilities, capabilities: caps, raw: value });
  }
  for (const c of capabilities) {
    // RFC 7607 2: a 4-octet AS capability carrying AS 0 is handled like peer AS 0 ("Bad Peer AS").
    if (c.type === 'four-octet-as' && c.asn === 0)
      return failed(openError('ERR_BGP_OPEN_PEER_AS', OpenSubcode.BadPeerAs, '4-octet AS 0'));
  }
  return decoded({ type: 'open', version, myAs, holdTime, bgpId, params, extendedParams, capabilities });
}

/** Write an OPEN body. RFC 9072 encoding when `extendedParams` is set or the parameters need it. */
export function writeOpenBody(w: WireWriter, msg: OpenMessage): void {
  w.u8(msg.version).u16(msg.myAs).u16(msg.holdTime).u32(msg.bgpId);
  let total = 0;
  for (const p of msg.params) total += 2 + p.raw.length;
  const extended = msg.extendedParams || total > 255 || msg.params.some((p) => p.raw.length > 255);
  if (extended) {
    w.u8(255).u8(OptParamType.ExtendedLength);
    const at = w.pos;
    w.u16(0);
    for (const p of msg.params) w.u8(p.type).u16(p.raw.length).bytes(p.raw);
    w.patchU16(at, w.pos - at - 2);
  } else {
    const at = w.pos;
    w.u8(0);
    for (const p of msg.params) w.u8(p.type).u8(p.raw.length).bytes(p.raw);
    w.patchU8(at, w.pos - at - 1);
  }
}

/** Build an OPEN with all capabilities in one optional parameter. `myAs` above 65535 is sent as AS_TRANS. */
export function makeOpen(opts: {
  myAs: number;
  holdTime: number;
  bgpId: number;
  capabilities: Capability[];
}): OpenMessage {
  const caps = opts.capabilities;
  const params: OptionalParameter[] = [];
  if (caps.length > 0) {
    let size = 0;
    for (const c of caps) size += 2 + c.raw.length;
    const raw = new Uint8Array(size);
    let p = 0;
    for (const c of caps) {
      raw[p++] = c.code;
      raw[p++] = c.raw.length;
      raw.set(c.raw, p);
      p += c.raw.length;
    }
    params.push({ type: OptParamType.Capabilities, capabilities: caps, raw });
  }
  return {
    type: 'open',
    version: 4,
    myAs: opts.myAs > 0xffff ? 23456 : opts.myAs,
    holdTime: opts.holdTime,
    bgpId: opts.bgpId >>> 0,
    params,
    extendedParams: false,
    capabilities: caps,
  };
}

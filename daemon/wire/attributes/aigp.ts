// AIGP (type 26, optional non-transitive, RFC 7311): accumulated IGP metric, a list of TLVs of which
// type 1 (length 11: type 1 + length 2 + 8-octet metric) is the AIGP metric.
import { AttrType, UpdateSubcode } from '../iana.js';
import { attrError, OPTIONAL_NON_TRANSITIVE, type AttributeDescriptor } from './descriptor.js';
import type { AigpAttribute, PathAttribute } from './types.js';

export const aigpDescriptor: AttributeDescriptor = {
  code: AttrType.Aigp,
  name: 'AIGP',
  flags: OPTIONAL_NON_TRANSITIVE,
  decode(raw, flags) {
    let metric: bigint | undefined;
    let pos = 0;
    while (pos < raw.length) {
      // RFC 7311 3: each TLV is Type (1 octet), Length (2 octets, covering the whole TLV), Value.
      // A TLV that does not fit, or an AIGP TLV whose length is not 11, makes the attribute malformed;
      // RFC 7311 3.1 ("treat-as-withdraw" is the approach used here).
      if (pos + 3 > raw.length) return malformed('truncated TLV header');
      const tlvType = raw[pos]!;
      const tlvLength = (raw[pos + 1]! << 8) | raw[pos + 2]!;
      if (tlvLength < 3 || pos + tlvLength > raw.length) return malformed(`TLV length ${tlvLength}`);
      if (tlvType === 1) {
        if (tlvLength !== 11) return malformed(`AIGP TLV length ${tlvLength}`);
        if (metric !== undefined) return malformed('more than one AIGP TLV');
        let m = 0n;
        for (let i = 0; i < 8; i++) m = (m << 8n) | BigInt(raw[pos + 3 + i]!);
        metric = m;
      }
      pos += tlvLength;
    }
    return { type: 'aigp', code: AttrType.Aigp, flags, raw, metric };
  },
  format: (a: PathAttribute) => String((a as AigpAttribute).metric ?? ''),
};

function malformed(reason: string) {
  return attrError(
    AttrType.Aigp,
    'ERR_BGP_AIGP_MALFORMED',
    'treat-as-withdraw',
    `AIGP: ${reason}`,
    UpdateSubcode.OptionalAttributeError,
  );
}

export function makeAigp(metric: bigint): AigpAttribute {
  const raw = new Uint8Array(11);
  raw[0] = 1;
  raw[2] = 11;
  for (let i = 0; i < 8; i++) raw[3 + i] = Number((metric >> BigInt(8 * (7 - i))) & 0xffn);
  return { type: 'aigp', code: AttrType.Aigp, flags: OPTIONAL_NON_TRANSITIVE, raw, metric };
}

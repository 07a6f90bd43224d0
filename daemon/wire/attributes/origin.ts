// ORIGIN (type 1, well-known mandatory, RFC 4271 5.1.1): how the route entered BGP.
import { AttrType, UpdateSubcode, type OriginValue } from '../iana.js';
import { attrError, WELL_KNOWN, type AttributeDescriptor } from './descriptor.js';
import type { OriginAttribute, PathAttribute } from './types.js';

const NAMES = ['IGP', 'EGP', 'INCOMPLETE'] as const;

export const originDescriptor: AttributeDescriptor = {
  code: AttrType.Origin,
  name: 'ORIGIN',
  flags: WELL_KNOWN,
  decode(raw, flags) {
    // RFC 7606 7.1: "The attribute is considered malformed if its length is not 1 or it has an undefined
    // value [RFC4271]. An UPDATE message with a malformed ORIGIN attribute SHALL be handled using the
    // approach of "treat-as-withdraw"."
    if (raw.length !== 1)
      return attrError(
        AttrType.Origin,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `ORIGIN length ${raw.length}`,
      );
    const v = raw[0]!;
    if (v > 2) {
      return attrError(
        AttrType.Origin,
        'ERR_BGP_ORIGIN_VALUE',
        'treat-as-withdraw',
        `ORIGIN value ${v}`,
        UpdateSubcode.InvalidOriginAttribute,
      );
    }
    return { type: 'origin', code: AttrType.Origin, flags, raw, origin: v as OriginValue };
  },
  format: (a: PathAttribute) => NAMES[(a as OriginAttribute).origin],
  valid: (b, start, end) => end - start === 1 && b[start]! <= 2,
};

export function originName(origin: OriginValue): string {
  return NAMES[origin];
}

export function makeOrigin(origin: OriginValue): OriginAttribute {
  return { type: 'origin', code: AttrType.Origin, flags: WELL_KNOWN, raw: Uint8Array.of(origin), origin };
}

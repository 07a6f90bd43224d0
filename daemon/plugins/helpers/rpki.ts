// xbgpd's origin validation helper (an extension of the xBGP API, xbgp-api/helpers-rpki.ts):
// rpki_validate_origin(pfx, origin_as), RFC 6811 against the VRP table of the daemon's RTR client
// (daemon/rpki). The table reaches the helper through the plugin's services (`rpki()`); without an
// `rpki:` section (or outside a daemon: xbgpctl, tests without one) the helper returns -1.
import { RpkiValidity, UBPF_PREFIX, XBGP_AFI_IPV4, XBGP_AFI_IPV6 } from '../../../xbgp-api/index.js';
import { VmFault, type HelperFn } from '../../../vm/index.js';
import { callOf, intResult } from '../call.js';
import type { HelperImpls } from './registry.js';

const FAILED = intResult(-1);
const STATE = {
  valid: BigInt(RpkiValidity.RPKI_VALID),
  invalid: BigInt(RpkiValidity.RPKI_INVALID),
  'not-found': BigInt(RpkiValidity.RPKI_NOT_FOUND),
} as const;

const rpki_validate_origin: HelperFn = (pfx, origin, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  // Read in place (the view lives for this call only): no copy of the struct per route.
  const bytes = ctx.mem.read(pfx, UBPF_PREFIX.size);
  if (bytes instanceof VmFault) return bytes;
  const table = call.services(call.pluglet!.plugin).rpki?.();
  const afi = bytes[AFI]! | (bytes[AFI + 1]! << 8);
  const prefixlen = bytes[PREFIXLEN]! | (bytes[PREFIXLEN + 1]! << 8);
  const ipv6 = afi === XBGP_AFI_IPV6;
  if (table === undefined || (!ipv6 && afi !== XBGP_AFI_IPV4) || prefixlen > (ipv6 ? 128 : 32)) return FAILED;
  const addr = bytes.subarray(ADDR, ADDR + (ipv6 ? 16 : 4));
  return STATE[table.validate(ipv6, addr, prefixlen, Number(BigInt.asUintN(32, origin)))];
};

const AFI = UBPF_PREFIX.fields.afi.offset;
const PREFIXLEN = UBPF_PREFIX.fields.prefixlen.offset;
const ADDR = UBPF_PREFIX.fields.u.offset;

export const rpkiHelpers: HelperImpls = { rpki_validate_origin };

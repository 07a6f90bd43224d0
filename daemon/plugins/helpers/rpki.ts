// xbgpd's origin validation helper (an extension of the xBGP API, xbgp-api/helpers-rpki.ts):
// rpki_validate_origin(pfx, origin_as), RFC 6811 against the VRP table of the daemon's RTR client
// (daemon/rpki). The table reaches the helper through the plugin's services (`rpki()`); without an
// `rpki:` section (or outside a daemon: xbgpctl, tests without one) the helper returns -1.
import {
  RpkiValidity,
  UBPF_PREFIX,
  XBGP_AFI_IPV4,
  XBGP_AFI_IPV6,
  readPrefix,
} from '../../../xbgp-api/index.js';
import { VmFault, type HelperFn } from '../../../vm/index.js';
import { callOf, intResult, readIn } from '../call.js';
import type { HelperImpls } from './registry.js';

const FAILED = intResult(-1);
const STATE = {
  valid: BigInt(RpkiValidity.RPKI_VALID),
  invalid: BigInt(RpkiValidity.RPKI_INVALID),
  'not-found': BigInt(RpkiValidity.RPKI_NOT_FOUND),
} as const;

const rpki_validate_origin: HelperFn = (pfx, origin, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  const bytes = readIn(ctx, pfx, UBPF_PREFIX.size);
  if (bytes instanceof VmFault) return bytes;
  const table = call.services(call.pluglet!.plugin).rpki?.();
  const p = readPrefix(bytes, 0);
  const ipv6 = p.afi === XBGP_AFI_IPV6;
  if (table === undefined || (!ipv6 && p.afi !== XBGP_AFI_IPV4) || p.prefixlen > (ipv6 ? 128 : 32))
    return FAILED;
  return STATE[table.validate(ipv6, p.addr, p.prefixlen, Number(BigInt.asUintN(32, origin)))];
};

export const rpkiHelpers: HelperImpls = { rpki_validate_origin };

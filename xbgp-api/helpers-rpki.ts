// Rows of the helper table (helpers.ts) that xbgpd adds for origin validation: the Validated ROA
// Payloads the daemon's RTR client keeps (daemon/rpki) looked up per prefix and origin AS (RFC 6811).
// An xbgpd extension: no xBGP host has it; its id is the next free one after the published API's.
import { inArg, layout, retScalar, scalar, type Row } from './helper-spec.js';

/** xbgpd's origin validation helper (id 67). */
export const RPKI_HELPERS: readonly Row[] = [
  {
    id: 67,
    name: 'rpki_validate_origin',
    permissions: ['read'],
    args: [
      inArg('pfx', 'struct ubpf_prefix *', layout('ubpf_prefix')),
      scalar('origin_as', 'uint32_t', 'u32'),
    ],
    ret: retScalar('int', 's32'),
    scope: 'plugin',
    needs: [],
    note: 'xbgpd extension: RFC 6811 state of pfx originated by origin_as (0: NONE, an AS_SET origin) against the VRPs of the rpki section: RPKI_VALID, RPKI_INVALID, RPKI_NOT_FOUND; -1 without rpki configured or for a prefix that is not IPv4/IPv6 unicast',
  },
];

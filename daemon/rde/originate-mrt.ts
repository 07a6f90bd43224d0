// Origination from an MRT file (YAML `originate-mrt`): every TABLE_DUMP_V2 unicast RIB record's FIRST
// entry becomes a route of the local pseudo-peer, with the file's attributes and AS path kept as they are
// (the sensible choice for a feeder or benchmark: the table looks like the Internet). The propagation
// rules then apply as for any route of ours: towards eBGP our AS is prepended and NEXT_HOP is ours;
// towards iBGP nothing is prepended, NEXT_HOP is ours (the file's next hops are meaningless here) and the
// file's LOCAL_PREF (or 100) is sent. RIB_GENERIC, multicast and ADD-PATH records are skipped.
import { readMrtFile } from '../mrt/reader.js';
import { decodeAttributes, parseAddress, type DecodeContext } from '../wire/index.js';
import { prefixKey } from './rib.js';
import type { Rde } from './rde.js';

const IPV4_CONTEXT: DecodeContext = { asn4: true, mrtRib: true, mrtFamily: { afi: 1, safi: 1 } };
const IPV6_CONTEXT: DecodeContext = { asn4: true, mrtRib: true, mrtFamily: { afi: 2, safi: 1 } };

export interface MrtOriginateResult {
  routes: number;
  warning?: string;
}

/** Read `file` and originate its routes into `rde`. Never throws for a bad file: the result says. */
export async function originateFromMrt(rde: Rde, file: string): Promise<MrtOriginateResult> {
  let routes = 0;
  const address = new Uint8Array(16);
  const read = await readMrtFile(file, (rec) => {
    if (rec.kind !== 'rib' || rec.multicast || rec.addPath) return;
    const entry = rec.entries[0];
    if (!entry) return;
    const ipv6 = rec.afi === 2;
    const decoded = decodeAttributes(entry.attributes, ipv6 ? IPV6_CONTEXT : IPV4_CONTEXT);
    if (decoded.action === 'session-reset') return;
    const attributes = decoded.attributes.filter((a) => a.type !== 'mp-reach' && a.type !== 'mp-unreach');
    // IPv4: the next hop is the NEXT_HOP attribute among `attributes`; IPv6: the MP_REACH_NLRI one.
    let mpNextHop: Uint8Array | undefined;
    for (const a of decoded.attributes) if (ipv6 && a.type === 'mp-reach') mpNextHop = a.nextHop;
    const parsed = parseAddressInto(rec.prefix, ipv6, address);
    if (!parsed) return;
    const key = prefixKey(ipv6 ? 2 : 1, rec.prefixLength, address, 0);
    const set = rde.store.intern(attributes, mpNextHop);
    rde.originateRoute(ipv6 ? 'ipv6-unicast' : 'ipv4-unicast', key, set);
    rde.store.release(set);
    routes++;
  });
  const result: MrtOriginateResult = { routes };
  if (read.warning) result.warning = `${read.warning.code}: ${read.warning.message}`;
  return result;
}

function parseAddressInto(text: string, ipv6: boolean, out: Uint8Array): boolean {
  const a = parseAddress(text);
  if (!a || (a.length === 16) !== ipv6) return false;
  out.fill(0);
  out.set(a);
  return true;
}

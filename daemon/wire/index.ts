// Public API of the BGP-4 wire codec (see README.md). A pure library: no sockets, timers or logging, and no
// imports from elsewhere in daemon/ but daemon/net (address text, itself pure).
export * from './iana.js';
export * from './errors.js';
export * from './context.js';
export * from './result.js';
export * from './header.js';
export * from './message.js';
export * from './open.js';
export * from './capabilities.js';
export * from './update.js';
export * from './notification.js';
export * from './keepalive.js';
export * from './route-refresh.js';
export * from './nlri.js';
// Address text for the addresses in decoded messages (a u32 NEXT_HOP, MP_REACH next-hop octets).
export { formatAddress, formatIpv4, parseAddress } from '../net/address.js';
export * from './attributes/index.js';
export {
  effectivePath,
  reconstructAsPath,
  asPathLength,
  formatAsPath,
  encodeAsPathValue,
  makeAsPath,
  makeAs4Path,
} from './attributes/as-path.js';
export { makeOrigin, originName } from './attributes/origin.js';
export {
  makeNextHop,
  makeMed,
  makeLocalPref,
  makeAtomicAggregate,
  makeOriginatorId,
} from './attributes/simple.js';
export { makeAggregator, makeAs4Aggregator } from './attributes/aggregator.js';
export {
  formatCommunities,
  formatExtendedCommunities,
  formatLargeCommunities,
  makeCommunities,
  makeExtendedCommunities,
  makeLargeCommunities,
} from './attributes/communities.js';
export { makeClusterList } from './attributes/cluster-list.js';
export { makeAigp } from './attributes/aigp.js';
export { formatMpNextHop, formatNextHop, makeMpReach, makeMpUnreach } from './attributes/mp.js';
export { WireReader, getU16, getU32 } from './reader.js';
export { WireWriter } from './writer.js';

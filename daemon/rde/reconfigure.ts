// Policy changes applied in place (no session reset), the two halves of `Rde.updatePeerPolicy`:
//   reapplyImport   the new import policy runs again on the pre-policy copies a peer's paths keep in the
//                   Adj-RIB-In (`RibPath.pre`), so the peer is not asked to send anything again
//   reimportWhere   the import runs again on the kept pre-policy paths of some prefixes, for every peer:
//                   what an input of the import other than the route changed for (RPKI: the VRPs
//                   covering those prefixes, daemon/rpki)
//   requeueExport   a peer moving from one peer group to another is owed what differs between the two
//                   groups' Adj-RIB-Outs: every destination id where they differ goes to its send queue
// rde.ts owns the state and hands in what each needs; nothing here keeps state.
import type { AttrSet, AttrStore } from './attr-store.js';
import { inboundFilter, type InboundContext } from './pipeline.js';
import type { SendQueue } from './queues.js';
import type { IdArray } from './id-array.js';
import {
  rejectionOf,
  type Destination,
  type FamilyRib,
  type PrefixKey,
  type RdePeer,
  type RibPath,
} from './rib.js';
import type { Family } from '../config/types.js';
import { allFamilies } from '../config/types.js';

/**
 * Re-run inboundFilter from `pre` on every path of `peer` in every family, with `inbound` (the new import
 * policy). The old post-policy set is released first. `queue` gets every destination whose path changed
 * (new post-policy set, or accepted <-> rejected); a path the new policy leaves as it was costs no
 * decision. Returns the number of paths whose outcome changed.
 */
export function reapplyImport(
  ribs: Record<Family, FamilyRib>,
  peer: RdePeer,
  inbound: InboundContext,
  store: AttrStore,
  queue: (family: Family, d: Destination) => void,
): number {
  let changed = 0;
  for (const f of allFamilies) {
    const ipv6 = f === 'ipv6-unicast';
    const rib = ribs[f];
    for (const d of rib.all()) {
      for (let p = d.first; p !== undefined; p = p.next) {
        if (p.peer !== peer || !refilter(p, ipv6, rib.keyOf(d), inbound, store)) continue;
        queue(f, d);
        changed++;
      }
    }
  }
  return changed;
}

/**
 * Re-run inboundFilter from `pre` on every path of the destinations of `rib` that `select` picks, each
 * with its peer's import context (`inboundOf`; paths of peers without one, as the local pseudo-peer's, are
 * left alone). `queue` gets every destination where a path changed. A generator: it yields after every
 * `slice` destinations looked at (the caller lets the event loop turn), and returns the number of paths
 * changed. Destinations added or dropped between slices are harmless: importing again is idempotent.
 */
export function* reimportWhere(
  rib: FamilyRib,
  select: (key: PrefixKey) => boolean,
  inboundOf: (peer: RdePeer) => InboundContext | undefined,
  store: AttrStore,
  queue: (d: Destination) => void,
  slice: number,
): Generator<void, number, void> {
  const ipv6 = rib.family === 'ipv6-unicast';
  let changed = 0;
  let seen = 0;
  for (const d of rib.all()) {
    if (++seen % slice === 0) yield;
    const key = rib.keyOf(d);
    if (!select(key)) continue;
    let queued = false;
    for (let p = d.first; p !== undefined; p = p.next) {
      const inbound = inboundOf(p.peer);
      if (inbound === undefined || !refilter(p, ipv6, key, inbound, store)) continue;
      changed++;
      if (!queued) queue(d);
      queued = true;
    }
  }
  return changed;
}

/** Run the import again on one path from its pre-policy set; whether its outcome changed. */
function refilter(
  p: RibPath,
  ipv6: boolean,
  key: PrefixKey,
  inbound: InboundContext,
  store: AttrStore,
): boolean {
  const before = p.attrs;
  const rejected = rejectionOf(p);
  if (before) store.release(before);
  p.attrs = null;
  inboundFilter(p, ipv6, key, inbound, store);
  // A set still referenced elsewhere comes back as the same object when the result is the same; one
  // released to nothing comes back as a new object (counted as a change, which is harmless).
  return p.attrs !== before || rejectionOf(p) !== rejected;
}

/**
 * A member leaves the group whose Adj-RIB-Out is `before` for the one whose Adj-RIB-Out is `after` (one
 * family): queue in `dirty` every destination id where the two differ (skipping ids already queued, and
 * counting a mark on each destination queued). The peer may hold the old entry unless it came from the
 * peer itself (split horizon). Entries with the same attributes in both (the same set, or sets with the
 * same key) are not queued: the peer holds exactly that already. Returns the number of ids queued.
 */
export function requeueExport(
  rib: FamilyRib,
  before: IdArray<AttrSet>,
  after: IdArray<AttrSet>,
  dirty: SendQueue,
  peer: RdePeer,
): number {
  let queued = 0;
  const n = Math.max(before.limit, after.limit);
  for (let id = 0; id < n; id++) {
    const was = before.get(id);
    const now = after.get(id);
    // The same attributes: by key, the exporter's sets being unshared.
    if (was === now || (was !== undefined && now !== undefined && was.key === now.key) || dirty.has(id))
      continue;
    dirty.add(id, was !== undefined && rib.bestOf(id)?.peer !== peer);
    queued++;
  }
  return queued;
}

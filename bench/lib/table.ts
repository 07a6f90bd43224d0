// Routes read from an MRT TABLE_DUMP_V2 file (RFC 6396 §4.3) for the feeder: either one path per prefix
// (the full-table benchmark) or every path grouped by the MRT peer that sent it (the differential test,
// one feeder session per peer). IPv4 unicast only. Attribute bytes are kept as the RIB entry holds them
// (4-octet AS_PATH, RFC 6396 §4.3.4) and shared between consecutive prefixes with identical attributes,
// so a 500k-prefix table costs a few tens of MB.
import { readMrtFile, type MrtReadResult } from '../../daemon/mrt/reader.js';
import type { PeerEntry } from '../../daemon/mrt/records.js';

/** One route: the prefix in NLRI wire form (length octet, then the significant address octets). */
export interface TableRoute {
  nlri: Uint8Array;
  /** The RIB entry's path attributes (MRT form); the same object for consecutive equal sets. */
  attributes: Uint8Array;
  /** Extra copies of the feeder's AS in front of AS_PATH when sent (bench/lib/updates.ts). */
  prepend?: number;
}

export interface PeerRoutes {
  peerIndex: number;
  peer: PeerEntry;
  routes: TableRoute[];
}

export interface LoadedTable {
  peers: PeerEntry[];
  read: MrtReadResult;
}

/** NLRI wire form of an IPv4 prefix given as text + length (host bits beyond the length are dropped). */
export function ipv4Nlri(address: string, length: number): Uint8Array {
  const octets = address.split('.').map(Number);
  const n = (length + 7) >> 3;
  const out = new Uint8Array(1 + n);
  out[0] = length;
  for (let i = 0; i < n; i++) out[1 + i] = octets[i] ?? 0;
  if (length & 7) out[n] = out[n]! & (0xff << (8 - (length & 7)));
  return out;
}

/** "a.b.c.d/len" of an NLRI wire-form prefix. */
export function nlriText(nlri: Uint8Array): string {
  const len = nlri[0]!;
  const o = [0, 0, 0, 0];
  for (let i = 1; i < nlri.length; i++) o[i - 1] = nlri[i]!;
  return `${o.join('.')}/${len}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One path per IPv4 unicast prefix: the entry of MRT peer `peerIndex` when given and present, else the
 * first RIB entry of the record.
 */
export async function loadOnePathPerPrefix(
  path: string,
  peerIndex?: number,
): Promise<LoadedTable & { routes: TableRoute[] }> {
  const routes: TableRoute[] = [];
  let peers: PeerEntry[] = [];
  let previous: Uint8Array | undefined;
  const read = await readMrtFile(path, (rec) => {
    if (rec.kind === 'peer-index-table') peers = rec.peers;
    if (rec.kind !== 'rib' || rec.afi !== 1 || rec.multicast || rec.addPath) return;
    const entry =
      (peerIndex === undefined ? undefined : rec.entries.find((e) => e.peerIndex === peerIndex)) ??
      rec.entries[0];
    if (!entry) return;
    let attributes = entry.attributes;
    if (previous && sameBytes(previous, attributes)) attributes = previous;
    else attributes = previous = attributes.slice();
    routes.push({ nlri: ipv4Nlri(rec.prefix, rec.prefixLength), attributes });
  });
  return { peers, read, routes };
}

/** Every IPv4 unicast path, grouped by MRT peer (peers without routes are left out). */
export async function loadRoutesPerPeer(path: string): Promise<LoadedTable & { perPeer: PeerRoutes[] }> {
  let peers: PeerEntry[] = [];
  const byPeer = new Map<number, { routes: TableRoute[]; previous?: Uint8Array }>();
  const read = await readMrtFile(path, (rec) => {
    if (rec.kind === 'peer-index-table') peers = rec.peers;
    if (rec.kind !== 'rib' || rec.afi !== 1 || rec.multicast || rec.addPath) return;
    const nlri = ipv4Nlri(rec.prefix, rec.prefixLength);
    for (const entry of rec.entries) {
      let slot = byPeer.get(entry.peerIndex);
      if (!slot) byPeer.set(entry.peerIndex, (slot = { routes: [] }));
      let attributes = entry.attributes;
      if (slot.previous && sameBytes(slot.previous, attributes)) attributes = slot.previous;
      else attributes = slot.previous = attributes.slice();
      slot.routes.push({ nlri, attributes });
    }
  });
  const perPeer: PeerRoutes[] = [];
  for (const [peerIndex, slot] of [...byPeer].sort((a, b) => a[0] - b[0])) {
    const peer = peers[peerIndex];
    if (peer) perPeer.push({ peerIndex, peer, routes: slot.routes });
  }
  return { peers, read, perPeer };
}

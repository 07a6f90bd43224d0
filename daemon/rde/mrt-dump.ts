// RIB dumps as MRT TABLE_DUMP_V2 (RFC 6396 4.3) with daemon/mrt's writer, for tests (`bgpdump -m`, our
// reader) and operators: a PEER_INDEX_TABLE of the route sources (index 0 = our own routes, then every
// peer that is up), then one RIB record per prefix. Mode 'loc-rib': one entry per prefix, the best path
// with its source peer's index and its post-policy attributes. Mode 'adj-rib-in': every Adj-RIB-In path
// (pre-policy attributes), the best path first; rejected paths are included.
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { MrtWriter, abbreviatedMpReachNlri } from '../mrt/writer.js';
import { Afi, formatAddress } from '../wire/index.js';
import { type AttrSet, attributeBytesOf, nextHopOf } from './attr-store.js';
import { formatKey, pathList, type RibPath } from './rib.js';
import type { Rde } from './rde.js';
import { allFamilies } from '../config/types.js';

export type RibDumpMode = 'loc-rib' | 'adj-rib-in';

/** The attributes of a set as an MRT RIB entry holds them (IPv6 next hop in an abbreviated MP_REACH_NLRI). */
function entryAttributes(set: AttrSet, ipv6: boolean): Uint8Array {
  const bytes = attributeBytesOf(set);
  const nextHop = nextHopOf(set);
  if (!ipv6 || !nextHop) return bytes;
  const hops = [formatAddress(Afi.Ipv6, nextHop, 0)];
  if (nextHop.length === 32) hops.push(formatAddress(Afi.Ipv6, nextHop, 16));
  const mp = abbreviatedMpReachNlri(2, hops);
  const out = new Uint8Array(bytes.length + mp.length);
  out.set(bytes, 0);
  out.set(mp, bytes.length);
  return out;
}

/** Write the RIB to `file` (atomically: a temporary file renamed into place). Returns the records written. */
export async function writeRibDump(
  rde: Rde,
  file: string,
  local: { routerId: string; asn: number },
  mode: RibDumpMode = 'loc-rib',
): Promise<number> {
  const tmp = `${file}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  const writer = new MrtWriter(stream);
  const now = Math.floor(Date.now() / 1000);
  const peers = rde.rdePeers();
  const index = new Map<number, number>([[0, 0]]);
  peers.forEach((p, i) => index.set(p.id, i + 1));
  const wait = async (more: boolean): Promise<void> => {
    if (!more) await once(stream, 'drain');
  };
  await wait(
    writer.peerIndexTable(now, {
      collectorId: local.routerId,
      viewName: mode,
      peers: [
        { afi: 1, bgpId: local.routerId, address: '0.0.0.0', asn: local.asn },
        ...peers.map((p) => ({
          afi: (p.address.includes(':') ? 2 : 1) as 1 | 2,
          bgpId: formatAddress(
            Afi.Ipv4,
            Uint8Array.of(
              p.routerId >>> 24,
              (p.routerId >>> 16) & 255,
              (p.routerId >>> 8) & 255,
              p.routerId & 255,
            ),
            0,
          ),
          address: p.address,
          asn: p.asn,
        })),
      ],
    }),
  );
  let sequence = 0;
  for (const family of allFamilies) {
    const ipv6 = family === 'ipv6-unicast';
    const rib = rde.ribs[family];
    for (const d of rib.values()) {
      let paths: RibPath[];
      if (mode === 'loc-rib') {
        if (!d.best?.attrs) continue;
        paths = [d.best];
      } else {
        if (d.first === undefined) continue;
        const all = pathList(d);
        paths = d.best ? [d.best, ...all.filter((p) => p !== d.best)] : all;
      }
      const text = formatKey(rib.keyOf(d));
      const slash = text.indexOf('/');
      await wait(
        writer.rib(now, {
          afi: ipv6 ? 2 : 1,
          sequence: sequence++,
          prefix: text.slice(0, slash),
          prefixLength: Number(text.slice(slash + 1)),
          entries: paths.map((p) => ({
            peerIndex: index.get(p.peer.id) ?? 0,
            originatedTime: now,
            attributes: entryAttributes(mode === 'loc-rib' ? p.attrs! : p.pre, ipv6),
          })),
        }),
      );
    }
  }
  stream.end();
  await once(stream, 'finish');
  await rename(tmp, file);
  return sequence;
}

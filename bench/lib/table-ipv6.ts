// An IPv6 full table for the benchmarks (`fulltable.ts --ipv6`), built deterministically from the IPv6 RIB
// entries of MRT TABLE_DUMP_V2 files: the real prefixes with their real path attributes (AS paths,
// communities, MED, ...), then replicas of them moved into other /16s of 2000::/3 until the table holds
// the size asked for. Replica r of a prefix adds r * SHIFT to its bits 3..15 (modulo 2^13: the /16 inside
// 2000::/3), keeps every other bit and the length, and takes the attributes of RIB entry r (modulo the
// entries the prefix has), so a replica is a different route from a different peer's view, not a copy
// of the same one. Replicas are added replica by replica in file order, so runs of neighbouring prefixes
// stay together as in a real dump; a prefix already present is skipped. Prefixes shorter than /16 are
// taken as they are and not replicated. A truncated input file (the pyasn sample is the first MiB of a
// dump) contributes every complete record.
import { parseIpv6 } from '../../daemon/net/address.js';
import { readMrtFile } from '../../daemon/mrt/reader.js';
import type { TableRoute } from './table.js';

/** Added to the 13 bits under 2000::/3 per replica: odd, so 2^13 replicas visit every /16 once. */
const SHIFT = 331;

interface BasePrefix {
  /** The address (16 octets, host bits clear) and length. */
  address: Uint8Array;
  length: number;
  /** MRT peer index -> the attributes of that peer's RIB entry (shared objects for equal octets). */
  byPeer: Map<number, Uint8Array>;
  /** The same attributes in entry order. */
  entries: Uint8Array[];
}

export interface Ipv6Table {
  routes: TableRoute[];
  /** Distinct real prefixes read from the files, and the RIB entries they had. */
  basePrefixes: number;
  baseEntries: number;
  /** Distinct attribute sets among `routes`. */
  attributeSets: number;
  /** Warnings of the readers (e.g. a truncated file), one per file. */
  warnings: string[];
}

/** `bytes` with the bits after `length` cleared (a copy). */
function masked(bytes: Uint8Array, length: number): Uint8Array {
  const out = bytes.slice();
  for (let bit = length; bit < 128; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return out;
}

/**
 * The path attributes of a RIB entry without MP_REACH_NLRI / MP_UNREACH_NLRI (some writers store the
 * full MP_REACH_NLRI, prefix included; the feeder sends its own), as a latin1 string (one char per octet).
 */
function withoutMp(raw: Uint8Array): string {
  let out = '';
  for (let p = 0; p + 3 <= raw.length;) {
    const extended = (raw[p]! & 0x10) !== 0;
    const len = extended ? (raw[p + 2]! << 8) | raw[p + 3]! : raw[p + 2]!;
    const end = Math.min(raw.length, p + (extended ? 4 : 3) + len);
    const code = raw[p + 1]!;
    if (code !== 14 && code !== 15)
      out += Buffer.from(raw.buffer, raw.byteOffset + p, end - p).toString('latin1');
    p = end;
  }
  return out;
}

/** NLRI wire form (length octet, then the significant octets) of `address`/`length`. */
function nlriOf(address: Uint8Array, length: number): Uint8Array {
  const n = (length + 7) >> 3;
  const out = new Uint8Array(1 + n);
  out[0] = length;
  out.set(address.subarray(0, n), 1);
  return out;
}

/** Replica `r` of `address` (r = 0: the address itself): r * SHIFT added to bits 3..15, in 2000::/3. */
function replica(address: Uint8Array, r: number): Uint8Array {
  const out = address.slice();
  const field = ((address[0]! & 0x1f) << 8) | address[1]!;
  const moved = (field + r * SHIFT) & 0x1fff;
  out[0] = 0x20 | (moved >> 8);
  out[1] = moved & 0xff;
  return out;
}

/** The IPv6 unicast prefixes of `paths` (first appearance order) with every RIB entry's attributes. */
async function readBase(paths: readonly string[]): Promise<{ base: BasePrefix[]; warnings: string[] }> {
  const byPrefix = new Map<string, BasePrefix>();
  const sets = new Map<string, Uint8Array>();
  const warnings: string[] = [];
  for (const path of paths) {
    const read = await readMrtFile(path, (rec) => {
      if (rec.kind !== 'rib' || rec.afi !== 2 || rec.multicast || rec.addPath) return;
      const parsed = parseIpv6(rec.prefix);
      if (parsed === undefined || rec.entries.length === 0) return;
      const address = masked(parsed, rec.prefixLength);
      const id = `${Buffer.from(address).toString('hex')}/${rec.prefixLength}`;
      let prefix = byPrefix.get(id);
      if (prefix === undefined) {
        prefix = { address, length: rec.prefixLength, byPeer: new Map(), entries: [] };
        byPrefix.set(id, prefix);
      }
      for (const e of rec.entries) {
        const text = withoutMp(e.attributes);
        let shared = sets.get(text);
        if (shared === undefined) sets.set(text, (shared = Buffer.from(text, 'latin1')));
        if (!prefix.byPeer.has(e.peerIndex)) prefix.byPeer.set(e.peerIndex, shared);
        prefix.entries.push(shared);
      }
    });
    if (read.warning) warnings.push(`${path}: ${read.warning.message}`);
  }
  return { base: [...byPrefix.values()], warnings };
}

/**
 * `size` distinct IPv6 prefixes (or fewer, when the replicas run out) built from the IPv6 RIB entries of
 * `paths` as the file comment describes. Deterministic: the same files give the same table.
 */
export async function loadIpv6Table(paths: readonly string[], size: number): Promise<Ipv6Table> {
  const { base, warnings } = await readBase(paths);
  const seen = new Set<string>();
  const routes: TableRoute[] = [];
  const sets = new Set<Uint8Array>();
  const replicas = 1 << 13;
  let peers = 1;
  for (const p of base) for (const i of p.byPeer.keys()) peers = Math.max(peers, i + 1);
  for (let r = 0; r < replicas && routes.length < size; r++) {
    for (const p of base) {
      if (routes.length >= size) break;
      if (r > 0 && p.length < 16) continue;
      const address = r === 0 ? p.address : replica(p.address, r);
      const nlri = nlriOf(address, p.length);
      const id = Buffer.from(nlri).toString('latin1');
      if (seen.has(id)) continue;
      seen.add(id);
      const attributes = p.byPeer.get(r % peers) ?? p.entries[r % p.entries.length]!;
      sets.add(attributes);
      routes.push({ nlri, attributes });
    }
  }
  return {
    routes,
    basePrefixes: base.length,
    baseEntries: base.reduce((n, p) => n + p.entries.length, 0),
    attributeSets: sets.size,
    warnings,
  };
}

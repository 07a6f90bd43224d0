// The byte-level export rewriting (daemon/rde/export-key.ts) against the attribute-object rules it
// mirrors (propagation.ts `exportAttributes` + AttrStore.intern): the same key for random sets, every
// source kind, both families and every combination of the group settings.
import { expect } from 'chai';
import {
  AttrStore,
  clusterListLengthOf,
  neighborAsOf,
  originOf,
  originatorIdOf,
  wellKnownOf,
} from '../../daemon/rde/attr-store.js';
import { ExportKeyWriter } from '../../daemon/rde/export-key.js';
import { exportAttributes, type ExportSettings, type SourceKind } from '../../daemon/rde/propagation.js';
import {
  makeAggregator,
  makeAsPath,
  makeAtomicAggregate,
  makeClusterList,
  makeCommunities,
  makeLargeCommunities,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  makeOriginatorId,
  type PathAttribute,
} from '../../daemon/wire/index.js';
import { prng } from '../helpers/random.js';

describe('rde/export-key', function () {
  it('writes the key exportAttributes + intern would, for random sets and all settings', function () {
    const rand = prng(23);
    const int = (n: number): number => Math.floor(rand() * n);
    const u32 = (): number => (int(0x10000) * 0x10000 + int(0x10000)) >>> 0;
    const store = new AttrStore();
    const exporter = new ExportKeyWriter(store);
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const ipv6 = rand() < 0.3;
      const attrs: PathAttribute[] = [makeOrigin(int(3) as 0 | 1 | 2)];
      if (rand() < 0.9) {
        // Sometimes a full leading AS_SEQUENCE (255 ASes) or a long path that needs extended length.
        const full = rand() < 0.1;
        const segments = Array.from({ length: full ? 1 : int(4) }, () => ({
          type: full ? (2 as const) : ([1, 2, 2, 3, 4] as const)[int(5)]!,
          asns: Array.from({ length: full ? 255 : int(70) }, u32),
        }));
        attrs.push(makeAsPath(segments, true));
      }
      // IPv4: NEXT_HOP present, or absent (our own routes). IPv6: a NEXT_HOP given with an MP next hop is
      // left out by the store.
      if (rand() < 0.85) attrs.push(makeNextHop(u32()));
      if (rand() < 0.5) attrs.push(makeMed(u32()));
      if (rand() < 0.5) attrs.push(makeLocalPref(u32()));
      if (rand() < 0.2) attrs.push(makeAtomicAggregate());
      if (rand() < 0.2) attrs.push(makeAggregator(u32(), u32(), true));
      // Sometimes a well-known community among them (NO_EXPORT, NO_ADVERTISE, NO_EXPORT_SUBCONFED).
      if (rand() < 0.5)
        attrs.push(
          makeCommunities(
            Array.from({ length: 1 + int(4) }, () => (rand() < 0.3 ? 0xffffff01 + int(3) : u32())),
          ),
        );
      if (rand() < 0.3) attrs.push(makeOriginatorId(u32()));
      if (rand() < 0.3) attrs.push(makeClusterList(Array.from({ length: 1 + int(3) }, u32)));
      if (rand() < 0.3) attrs.push(makeLargeCommunities([u32(), u32(), u32()]));
      // IPv6 MP next hops: global, global + link-local, none (our own routes), and one of the wrong size
      // (replaced by ours).
      const nhChoices = [
        new Uint8Array(16).fill(7),
        new Uint8Array(32).fill(9),
        undefined,
        Uint8Array.of(10, 9, 9, 9),
      ];
      const set = store.intern(attrs, ipv6 ? nhChoices[int(nhChoices.length)] : undefined);
      for (const source of ['local', 'ebgp', 'ibgp'] as SourceKind[]) {
        for (let bits = 0; bits < 8; bits++) {
          const settings: ExportSettings = {
            localAsn: 4200000000 + int(5),
            ibgp: (bits & 1) !== 0,
            nextHopSelf: (bits & 2) !== 0,
            sendMed: (bits & 4) !== 0,
            nextHopIpv4: Uint8Array.of(192, 0, 2, 1),
            nextHopIpv6: new Uint8Array(16).fill(0x20),
            denyAllEbgp: false,
          };
          const expected = exportAttributes(source, set, ipv6, settings);
          const reference = store.intern(expected.attributes, expected.mpNextHop);
          const fast = exporter.exported(source, set, ipv6, settings);
          // Unshared: another set than the interned one, with the same key and the same decoded fields.
          expect(fast, `set ${i}, ${source}, settings ${bits}`).to.not.equal(reference);
          expect(fast.key, `set ${i}, ${source}, settings ${bits}`).to.equal(reference.key);
          expect([
            fast.nextHopKey,
            fast.localPref,
            fast.med,
            fast.asPathLength,
            neighborAsOf(fast),
            originOf(fast),
            wellKnownOf(fast),
            clusterListLengthOf(fast),
            originatorIdOf(fast),
          ]).to.deep.equal([
            reference.nextHopKey,
            reference.localPref,
            reference.med,
            reference.asPathLength,
            neighborAsOf(reference),
            originOf(reference),
            wellKnownOf(reference),
            clusterListLengthOf(reference),
            originatorIdOf(reference),
          ]);
          store.release(fast);
          store.release(reference);
          checked++;
        }
      }
      store.release(set);
    }
    expect(checked).to.equal(300 * 3 * 8);
    expect(store.size).to.equal(0);
  });
});

// The RDE's queues and tables under random churn (daemon/rde/rde.ts, rib.ts, queues.ts): peers announce,
// re-announce and withdraw prefixes of a small space (so destinations are dropped and their ids reused),
// flap, and are drained at random moments, with decisions run in small slices in between. After every
// settle, what each peer has been told must equal the Loc-RIB: the best path of every prefix whose best
// path did not come from that peer (split horizon), with our AS prepended; nothing else.
import { expect } from 'chai';
import { Rde } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { formatAsPath, getAttribute, prefixList, type UpdateMessage } from '../../daemon/wire/index.js';
import { prng } from '../helpers/random.js';
import { announce, info, onTheWire, spec, withdraw } from './peers.js';
import { asPathOf } from '../../daemon/rde/attr-store.js';

const LOCAL_AS = 65000;
const PEERS = [
  { name: 'a', address: '10.0.0.1', asn: 65001, routerId: 1 },
  { name: 'b', address: '10.0.0.2', asn: 65002, routerId: 2 },
  { name: 'c', address: '10.0.0.3', asn: 65003, routerId: 3 },
];
const PREFIXES = Array.from(
  { length: 40 },
  (_, i) => `10.${i >> 3}.${(i & 7) * 32}.0/${i % 2 === 0 ? 24 : 27}`,
);

/** Apply one UPDATE to what a peer has been told (prefix -> AS path text). */
function apply(u: UpdateMessage, table: Map<string, string>): void {
  const m = onTheWire(u);
  for (const p of prefixList(m.withdrawn)) table.delete(p.prefix);
  for (const p of prefixList(m.nlri))
    table.set(p.prefix, formatAsPath(getAttribute(m.attributes, 'as-path')!.segments));
}

function bytesOf(prefix: string): [number, Uint8Array] {
  const [addr, len] = prefix.split('/') as [string, string];
  return [Number(len), Uint8Array.from(addr.split('.').map(Number))];
}

describe('rde: random churn against the Loc-RIB', function () {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: every peer is told exactly the Loc-RIB minus its own routes`, function () {
      const rand = prng(seed);
      const rde = new Rde({
        localAsn: LOCAL_AS,
        routerId: 0x0a000000,
        decision: { alwaysCompareMed: false, deterministicMed: false },
        ebgpRequiresPolicy: false,
      });
      const told = new Map<string, Map<string, string>>();
      // The producer a session is draining (kept across steps, as the session keeps it), per peer.
      const producers = new Map<string, Generator<UpdateMessage, void, undefined>>();
      /** Send up to `limit` UPDATEs to a peer, continuing its producer or starting a new one. */
      const send = (name: string, limit: number): void => {
        for (let n = 0; n < limit; n++) {
          let it = producers.get(name);
          if (!it) {
            if (!rde.hasPending(name)) return;
            it = rde.pull(name);
            producers.set(name, it);
          }
          const next = it.next();
          if (next.done) {
            producers.delete(name);
            continue;
          }
          apply(next.value, told.get(name)!);
        }
      };
      const up = (p: (typeof PEERS)[number]): void => {
        rde.peerUp(spec(p.name, p.address, p.asn), info(p.routerId, false, ['ipv4-unicast']), {
          kick: () => undefined,
        });
        told.set(p.name, new Map());
      };
      for (const p of PEERS) up(p);
      const isUp = new Set(PEERS.map((p) => p.name));

      const check = (): void => {
        rde.flush();
        for (const p of PEERS) if (isUp.has(p.name)) send(p.name, Infinity);
        for (const p of PEERS) {
          if (!isUp.has(p.name)) continue;
          const expected = new Map<string, string>();
          for (const prefix of PREFIXES) {
            const [len, bytes] = bytesOf(prefix);
            const best = rde.locRib('ipv4-unicast', prefixKey(1, len, bytes, 0));
            if (!best || best.peer === p.name) continue;
            expected.set(prefix, formatAsPath(asPathOf(best.attrs)).replace(/^/, `${LOCAL_AS} `));
          }
          expect(told.get(p.name), `what ${p.name} was told`).to.deep.equal(expected);
        }
      };

      for (let step = 0; step < 1500; step++) {
        const p = PEERS[Math.floor(rand() * PEERS.length)]!;
        const r = rand();
        if (r < 0.03) {
          // Flap: down (its routes are withdrawn from the others), later up again with an empty table.
          if (isUp.has(p.name)) {
            rde.peerDown(p.name);
            isUp.delete(p.name);
            producers.delete(p.name);
          } else {
            up(p);
            isUp.add(p.name);
          }
          continue;
        }
        if (!isUp.has(p.name)) continue;
        // A tenth of the withdrawals carry more prefixes than the RDE looks up one by one (Rde WARM_BATCH: 16).
        const some = PREFIXES.filter(() => rand() < (r > 0.96 ? 0.6 : 0.15));
        if (r < 0.6) {
          const length = 1 + Math.floor(rand() * 3);
          const path = Array.from({ length }, (_, i) => (i === 0 ? p.asn : 64600 + Math.floor(rand() * 4)));
          rde.receive(p.name, announce(some, path, 0x0a000000 + p.routerId), true, false);
        } else rde.receive(p.name, withdraw(some), true, false);
        // Interleave partial work: a few decisions, a partial drain of one peer.
        if (rand() < 0.3) (rde as unknown as { runDecisionSlice(n: number): boolean }).runDecisionSlice(7);
        if (rand() < 0.2) {
          const q = PEERS[Math.floor(rand() * PEERS.length)]!;
          if (isUp.has(q.name)) send(q.name, Math.floor(rand() * 3));
        }
        if (rand() < 0.05) check();
      }
      check();
      // Everything withdrawn: the tables empty out, destinations and attribute sets are all released.
      for (const p of PEERS) if (isUp.has(p.name)) rde.receive(p.name, withdraw(PREFIXES), true, false);
      check();
      expect(rde.ribs['ipv4-unicast'].size).to.equal(0);
      expect(rde.store.size).to.equal(0);
    });
  }
});

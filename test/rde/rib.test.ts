// The family table's per-destination scalars (daemon/rde/rib.ts: key, decision reason, queue flag and
// send-queue marks in typed arrays by id) across growth and id reuse, and RibPath's path id and
// rejection code sharing one field; the id queue (daemon/rde/queues.ts IdFifo) against an array.
import { expect } from 'chai';
import { IdFifo } from '../../daemon/rde/queues.js';
import { prng } from '../helpers/random.js';
import {
  FamilyRib,
  copyPath,
  formatKey,
  newRibPath,
  pathIdOf,
  rejectionOf,
  setRejection,
  prefixKey,
  type RdePeer,
} from '../../daemon/rde/rib.js';
import { AttrStore } from '../../daemon/rde/attr-store.js';
import { Afi } from '../../daemon/wire/index.js';

function v4(a: number, b: number, c: number, length: number): number {
  return prefixKey(Afi.Ipv4, length, new Uint8Array([a, b, c, 0]), 0) as number;
}

const peer: RdePeer = {
  id: 1,
  name: 'p',
  asn: 65001,
  address: '192.0.2.1',
  local: false,
  ibgp: false,
  routerId: 1,
  addressKey: '4c0000201',
};

describe('rde/rib', function () {
  it('keeps each destination its own key, reason, paths and marks through growth and id reuse', function () {
    const rib = new FamilyRib('ipv4-unicast');
    const set = new AttrStore().intern([]);
    const made: number[] = [];
    // Past the initial 1024 ids, so that the per-id arrays grow while destinations hold values.
    for (let i = 0; i < 3000; i++) {
      const id = rib.idFor(v4(10, i >> 8, i & 255, 24));
      rib.setReason(id, i % 3 === 0 ? 'only-path' : i % 3 === 1 ? 'med' : undefined);
      if (i % 7 === 0) {
        const p = newRibPath(peer, i, set);
        rib.setFirst(id, p);
        rib.setBest(id, p);
      }
      made.push(id);
    }
    expect(rib.size).to.equal(3000);
    expect(new Set(made).size).to.equal(3000);
    for (let i = 0; i < 3000; i++) {
      const id = made[i]!;
      expect(rib.idFor(v4(10, i >> 8, i & 255, 24))).to.equal(id);
      expect(formatKey(rib.keyAt(id))).to.equal(`10.${i >> 8}.${i & 255}.0/24`);
      expect(rib.reasonAt(id)).to.equal(i % 3 === 0 ? 'only-path' : i % 3 === 1 ? 'med' : undefined);
      const first = rib.firstOf(id);
      expect(first && pathIdOf(first)).to.equal(i % 7 === 0 ? i : undefined);
      const d = rib.at(id)!;
      expect([d.id, d.first, d.best]).to.deep.equal([id, rib.firstOf(id), rib.bestOf(id)]);
    }
    // A destination with a path is not dropped.
    rib.prune(made[0]!);
    expect(rib.isLive(made[0]!)).to.equal(true);
    // A marked or queued destination is not dropped; once unmarked, it is, and its id is reused clean.
    const held = made[5]!;
    const waiting = made[6]!;
    rib.mark(held);
    rib.mark(held);
    rib.setQueued(waiting, true);
    rib.prune(held);
    rib.prune(waiting);
    expect(rib.isLive(held)).to.equal(true);
    expect(rib.isLive(waiting)).to.equal(true);
    rib.unmark(held);
    expect(rib.at(held)?.id).to.equal(held);
    rib.unmark(held);
    expect(rib.at(held)).to.equal(undefined);
    expect(rib.get(v4(10, 0, 5, 24))).to.equal(undefined);
    expect(rib.idOf(v4(10, 0, 5, 24))).to.equal(-1);
    expect([...rib.liveIds()]).to.not.include(held);
    const reused = rib.idFor(v4(172, 16, 0, 12));
    expect(reused).to.equal(held);
    expect(rib.reasonAt(reused)).to.equal(undefined);
    expect(rib.queued(reused)).to.equal(false);
    expect([rib.firstOf(reused), rib.bestOf(reused)]).to.deep.equal([undefined, undefined]);
    expect(formatKey(rib.keyAt(reused))).to.equal('172.16.0.0/12');
    expect(rib.queued(waiting)).to.equal(true);
    expect([...rib.liveIds()]).to.have.length(3000);
  });

  it('keeps IPv6 keys by id', function () {
    const rib = new FamilyRib('ipv6-unicast');
    const key = prefixKey(Afi.Ipv6, 48, new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 7]), 0);
    const id = rib.idFor(key);
    expect(rib.keyAt(id)).to.equal(key);
    expect(rib.keyOf(rib.get(key)!)).to.equal(key);
    expect(formatKey(rib.keyAt(id))).to.equal('2001:db8:7::/48');
    rib.prune(id);
    expect(rib.get(key)).to.equal(undefined);
  });

  it('keeps the path id and the rejection apart in one field, for any 32-bit path id', function () {
    const set = new AttrStore().intern([]);
    for (const pathId of [0, 1, 7, 8, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000000, 0xffffffff]) {
      const p = newRibPath(peer, pathId, set);
      expect(pathIdOf(p)).to.equal(pathId);
      expect(rejectionOf(p)).to.equal(undefined);
      for (const why of ['as-loop', 'policy', 'no-policy', 'plugin', undefined] as const) {
        setRejection(p, why);
        expect([pathIdOf(p), rejectionOf(p)]).to.deep.equal([pathId, why]);
      }
      setRejection(p, 'plugin');
      const c = copyPath(p);
      expect([c.peer, pathIdOf(c), c.pre, c.attrs, rejectionOf(c), c.next]).to.deep.equal([
        peer,
        pathId,
        set,
        null,
        'plugin',
        undefined,
      ]);
    }
  });
});

describe('rde/queues: IdFifo', function () {
  it('gives ids back in order across chunk boundaries, emptied and refilled', function () {
    const rand = prng(11);
    const fifo = new IdFifo();
    const reference: number[] = [];
    let next = 0;
    for (let round = 0; round < 6; round++) {
      // Bursts longer than a chunk (4096), drained partly or wholly.
      const pushes = Math.floor(rand() * 12000);
      for (let i = 0; i < pushes; i++) {
        fifo.push(next);
        reference.push(next++);
      }
      const shifts = round % 2 === 0 ? reference.length : Math.floor(rand() * reference.length);
      for (let i = 0; i < shifts; i++) expect(fifo.shift()).to.equal(reference.shift());
      expect(fifo.size).to.equal(reference.length);
    }
    while (reference.length > 0) expect(fifo.shift()).to.equal(reference.shift());
    expect(fifo.shift()).to.equal(-1);
    expect(fifo.size).to.equal(0);
  });
});

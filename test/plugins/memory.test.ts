// A plugin's memory (daemon/plugins/memory.ts): the per-run bump heap and the keyed shared memory.
import { expect } from 'chai';
import { PluginMemory } from '../../daemon/plugins/memory.js';

describe('plugins/memory: heap', function () {
  it('allocates 8-aligned blocks until full, and starts over after reset', function () {
    const m = new PluginMemory(64, 0);
    expect(m.alloc(3)).to.equal(0);
    expect(m.alloc(8)).to.equal(8);
    expect(m.alloc(40)).to.equal(16);
    expect(m.alloc(16), 'only 8 bytes left').to.equal(-1);
    expect(m.alloc(8)).to.equal(56);
    expect(m.heapUsed).to.equal(64);
    m.reset();
    expect(m.heapUsed).to.equal(0);
    expect(m.alloc(64)).to.equal(0);
  });

  it('calloc zeroes; copyIn copies; realloc keeps the bytes; free knows its blocks', function () {
    const m = new PluginMemory(128, 0);
    const a = m.copyIn(Uint8Array.of(1, 2, 3, 4));
    expect(Array.from(m.heap.subarray(a, a + 4))).to.deep.equal([1, 2, 3, 4]);
    const b = m.realloc(a, 12);
    expect(b).to.not.equal(a);
    expect(Array.from(m.heap.subarray(b, b + 4))).to.deep.equal([1, 2, 3, 4]);
    m.heap.fill(0xff, 64, 80);
    m.reset();
    m.alloc(64);
    const c = m.alloc(16, true);
    expect(Array.from(m.heap.subarray(c, c + 16))).to.deep.equal(new Array(16).fill(0));
    expect(m.freeBlock(c)).to.equal(true);
    expect(m.freeBlock(c + 1)).to.equal(false);
    expect(m.realloc(c + 1, 4), 'not a block').to.equal(-1);
    expect(m.alloc(-1)).to.equal(-1);
  });
});

describe('plugins/memory: shared', function () {
  it('keyed zeroed blocks that persist; a key is created once; removed room is reused', function () {
    const m = new PluginMemory(0, 64);
    const a = m.shmNew(7, 24);
    expect(a).to.equal(0);
    m.shared.fill(9, a, a + 24);
    expect(m.shmNew(7, 8), 'the key exists').to.equal(-1);
    expect(m.shmGet(7)).to.equal(a);
    const b = m.shmNew(8, 40);
    expect(b).to.equal(24);
    expect(m.shmNew(9, 8), 'full').to.equal(-1);
    expect(m.shmRemove(7)).to.equal(true);
    expect(m.shmRemove(7)).to.equal(false);
    expect(m.shmGet(7)).to.equal(-1);
    const c = m.shmNew(9, 16);
    expect(c).to.equal(0);
    expect(Array.from(m.shared.subarray(c, c + 16)), 'zeroed').to.deep.equal(new Array(16).fill(0));
    expect(m.shmRemove(9) && m.shmRemove(8)).to.equal(true);
    expect(m.shmNew(10, 64), 'coalesced back into one range').to.equal(0);
    expect(m.sharedKeys).to.deep.equal([10]);
  });
});

// The memory helpers (base-memory.ts), called directly with a hand-made Call over real checked
// memory: the heap (ctx_malloc, ctx_calloc, ctx_realloc, ctx_free), the keyed shared memory
// (ctx_shmnew, ctx_shmget, ctx_shmrm), ebpf_memcpy and ebpf_memcmp.
import { expect } from 'chai';
import { VmFault } from '../../../vm/index.js';
import { Harness } from './harness.js';

const M1 = 0xffff_ffff_ffff_ffffn;

function address(r: bigint | VmFault): bigint {
  if (r instanceof VmFault) throw new Error(r.message);
  return r;
}

/** The fault of a misuse, with the Call's helperFault set. */
function expectMisuse(h: Harness, r: bigint | VmFault, helper: string): void {
  expect(r).to.be.instanceOf(VmFault);
  expect((r as VmFault).pc).to.equal(7);
  expect(h.call.helperFault?.code).to.equal('ERR_PLUGIN_HELPER');
  expect(h.call.helperFault?.message).to.match(new RegExp(`^${helper}: `));
}

describe('plugins/helpers: the heap (ctx_malloc, ctx_calloc, ctx_realloc, ctx_free)', function () {
  it('ctx_malloc gives distinct 8-aligned writable heap blocks, then NULL when the heap is full', function () {
    const h = new Harness({ heap: 64 });
    const heap = h.mem.addressOf('heap')!;
    const a = address(h.invoke('ctx_malloc', 5n));
    const b = address(h.invoke('ctx_malloc', 24n));
    expect([a - heap, b - heap]).to.deep.equal([0n, 8n]);
    expect(h.mem.write(b, new Uint8Array(24).fill(1))).to.equal(undefined);
    expect(h.invoke('ctx_malloc', 40n)).to.equal(0n);
    expect(h.invoke('ctx_malloc', 32n)).to.equal(heap + 32n);
    expect(h.invoke('ctx_malloc', 1n)).to.equal(0n);
  });

  it('ctx_malloc of a size no memory can hold is NULL', function () {
    const h = new Harness();
    expect(h.invoke('ctx_malloc', 1n << 40n)).to.equal(0n);
    expect(h.invoke('ctx_malloc', M1)).to.equal(0n);
  });

  it('ctx_calloc zeroes the block even where the last run left bytes', function () {
    const h = new Harness({ heap: 64 });
    const dirty = address(h.invoke('ctx_malloc', 32n));
    h.mem.write(dirty, new Uint8Array(32).fill(0xee));
    h.memory.reset();
    const c = address(h.invoke('ctx_calloc', 4n, 8n));
    expect(c).to.equal(dirty);
    expect([...h.bytesAt(c, 32)]).to.deep.equal(Array<number>(32).fill(0));
  });

  const OVERFLOW: readonly [bigint, bigint][] = [
    [1n << 33n, 1n << 33n],
    [1n << 63n, 2n], // wraps to 0 in 64 bits: still refused
    [M1, M1],
    [3n, 1n << 31n],
  ];
  for (const [n, size] of OVERFLOW) {
    it(`ctx_calloc(${n}, ${size}) overflows: NULL`, function () {
      expect(new Harness().invoke('ctx_calloc', n, size)).to.equal(0n);
    });
  }

  it('ctx_realloc keeps the bytes up to the smaller size; NULL ptr is malloc', function () {
    const h = new Harness();
    const a = address(h.invoke('ctx_malloc', 4n));
    h.mem.write(a, Uint8Array.of(1, 2, 3, 4));
    const grown = address(h.invoke('ctx_realloc', a, 12n));
    expect(grown).to.not.equal(a);
    expect([...h.bytesAt(grown, 4)]).to.deep.equal([1, 2, 3, 4]);
    const shrunk = address(h.invoke('ctx_realloc', grown, 2n));
    expect([...h.bytesAt(shrunk, 2)]).to.deep.equal([1, 2]);
    const fresh = address(h.invoke('ctx_realloc', 0n, 8n));
    // a new block at the top of the heap
    expect(fresh - h.mem.addressOf('heap')!).to.equal(BigInt(h.memory.heapUsed - 8));
  });

  it('ctx_realloc: NULL when the heap is short or ptr is not a block start; a misuse outside the heap', function () {
    const h = new Harness({ heap: 32 });
    const a = address(h.invoke('ctx_malloc', 8n));
    expect(h.invoke('ctx_realloc', a, 64n)).to.equal(0n);
    expect(h.invoke('ctx_realloc', a + 1n, 4n)).to.equal(0n);
    expect(h.call.helperFault).to.equal(undefined);
    expectMisuse(h, h.invoke('ctx_realloc', h.scratchBase, 4n), 'ctx_realloc');
  });

  it('ctx_free: NULL is nothing; a block once; a double free or a non-heap pointer is a misuse', function () {
    const h = new Harness();
    expect(h.invoke('ctx_free', 0n)).to.equal(0n);
    const a = address(h.invoke('ctx_malloc', 16n));
    expect(h.invoke('ctx_free', a)).to.equal(0n);
    expect(h.call.helperFault).to.equal(undefined);
    expectMisuse(h, h.invoke('ctx_free', a), 'ctx_free');
    const h2 = new Harness();
    expectMisuse(h2, h2.invoke('ctx_free', h2.scratchBase), 'ctx_free');
    const shared = address(h2.invoke('ctx_shmnew', 1n, 8n));
    const h3 = new Harness();
    expectMisuse(h3, h3.invoke('ctx_free', shared), 'ctx_free');
  });

  it('heap copies made by other helpers (get_arg) are blocks ctx_free accepts', function () {
    const h = new Harness();
    h.call.args.set(1, Uint8Array.of(42));
    const arg = address(h.invoke('get_arg', 1n));
    expect(h.invoke('ctx_free', arg)).to.equal(0n);
  });
});

describe('plugins/helpers: shared memory (ctx_shmnew, ctx_shmget, ctx_shmrm)', function () {
  it('creates a zeroed block once per key, finds it, keeps it across heap resets', function () {
    const h = new Harness({ shared: 64 });
    const shared = h.mem.addressOf('shared')!;
    const a = address(h.invoke('ctx_shmnew', 7n, 16n));
    expect(a).to.equal(shared);
    expect([...h.bytesAt(a, 16)]).to.deep.equal(Array<number>(16).fill(0));
    h.mem.write(a, Uint8Array.of(9));
    expect(h.invoke('ctx_shmnew', 7n, 16n)).to.equal(0n);
    h.memory.reset();
    expect(h.invoke('ctx_shmget', 7n)).to.equal(a);
    expect(h.bytesAt(a, 1)[0]).to.equal(9);
    expect(h.invoke('ctx_shmget', 8n)).to.equal(0n);
  });

  it('key_t is the low 32 bits, signed: 0xffffffff and -1 are one key', function () {
    const h = new Harness();
    const a = address(h.invoke('ctx_shmnew', 0xffff_ffffn, 8n));
    expect(h.invoke('ctx_shmget', M1)).to.equal(a);
    expect(h.memory.sharedKeys).to.deep.equal([-1]);
  });

  it('ctx_shmrm frees the key and its room (a new block there is zeroed again); a missing key is nothing', function () {
    const h = new Harness({ shared: 16 });
    const a = address(h.invoke('ctx_shmnew', 1n, 16n));
    h.mem.write(a, new Uint8Array(16).fill(3));
    expect(h.invoke('ctx_shmnew', 2n, 8n)).to.equal(0n); // full
    expect(h.invoke('ctx_shmrm', 1n)).to.equal(0n);
    expect(h.invoke('ctx_shmget', 1n)).to.equal(0n);
    const b = address(h.invoke('ctx_shmnew', 2n, 8n));
    expect(b).to.equal(a);
    expect([...h.bytesAt(b, 8)]).to.deep.equal(Array<number>(8).fill(0));
    expect(h.invoke('ctx_shmrm', 99n)).to.equal(0n);
  });

  it('NULL when there is no shared memory at all, or the size is beyond any memory', function () {
    const h = new Harness({ shared: 0 });
    expect(h.invoke('ctx_shmnew', 1n, 8n)).to.equal(0n);
    expect(h.invoke('ctx_shmget', 1n)).to.equal(0n);
    expect(new Harness().invoke('ctx_shmnew', 1n, 1n << 40n)).to.equal(0n);
  });
});

describe('plugins/helpers: ebpf_memcpy and ebpf_memcmp', function () {
  const pattern = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

  // [dst offset, src offset, length] inside one 16-byte buffer; expected = memmove's result.
  const COPIES: readonly [number, number, number][] = [
    [8, 0, 8],
    [2, 0, 10], // overlapping, forward
    [0, 3, 12], // overlapping, backward
    [4, 4, 8],
    [5, 1, 0],
  ];
  for (const [d, s, n] of COPIES) {
    it(`memcpy(buf+${d}, buf+${s}, ${n}) behaves like memmove and returns dst`, function () {
      const h = new Harness();
      const buf = h.put(pattern);
      const expected = pattern.slice();
      expected.copyWithin(d, s, s + n);
      expect(h.invoke('ebpf_memcpy', buf + BigInt(d), buf + BigInt(s), BigInt(n))).to.equal(buf + BigInt(d));
      expect([...h.bytesAt(buf, 16)]).to.deep.equal([...expected]);
    });
  }

  it('memcpy between regions; length 0 touches nothing, whatever the pointers', function () {
    const h = new Harness();
    const src = h.put(pattern);
    const dst = address(h.invoke('ctx_malloc', 16n));
    expect(h.invoke('ebpf_memcpy', dst, src, 16n)).to.equal(dst);
    expect(h.bytesAt(dst, 16)).to.deep.equal(pattern);
    expect(h.invoke('ebpf_memcpy', 0x77_0000_0000n, 0n, 0n)).to.equal(0x77_0000_0000n);
  });

  it('memcpy: an unreadable source or an unwritable destination faults; a huge length is a misuse', function () {
    const h = new Harness();
    const buf = h.room(16);
    const load = h.invoke('ebpf_memcpy', buf, h.scratchBase + 4088n, 16n);
    expect((load as VmFault).code).to.equal('ERR_VM_OUT_OF_BOUNDS_LOAD');
    const store = h.invoke('ebpf_memcpy', h.rodataBase, buf, 4n);
    expect((store as VmFault).code).to.equal('ERR_VM_OUT_OF_BOUNDS_STORE');
    expect([...h.rodata.subarray(0, 4)]).to.deep.equal([0x61, 0x61, 0x61, 0x61]);
    expectMisuse(h, h.invoke('ebpf_memcpy', buf, buf, 1n << 40n), 'ebpf_memcpy');
  });

  const COMPARES: readonly [number[], number[], number, bigint][] = [
    [[1, 2, 3], [1, 2, 3], 3, 0n],
    [[1, 2, 3], [1, 2, 4], 3, -1n],
    [[1, 9, 3], [1, 2, 4], 3, 7n],
    [[0x80], [0x01], 1, 0x7fn], // bytes compare unsigned
    [[1, 2, 3], [1, 2, 4], 2, 0n],
    [[5], [6], 0, 0n],
  ];
  for (const [a, b, n, sign] of COMPARES) {
    it(`memcmp([${a.join()}], [${b.join()}], ${n}) = ${sign}`, function () {
      const h = new Harness();
      const r = h.invoke('ebpf_memcmp', h.put(Uint8Array.from(a)), h.put(Uint8Array.from(b)), BigInt(n));
      expect(BigInt.asIntN(32, address(r))).to.equal(sign);
    });
  }

  it('memcmp: an unreadable area faults, a huge length is a misuse', function () {
    const h = new Harness();
    const a = h.put(pattern);
    expect(h.invoke('ebpf_memcmp', a, h.scratchBase + 4090n, 8n)).to.be.instanceOf(VmFault);
    expectMisuse(h, h.invoke('ebpf_memcmp', a, a, M1), 'ebpf_memcmp');
  });
});

// A plugin's memory, as xBGP gives it (xbgp.md section 4): a heap that every helper returning data copies
// into (`ctx_malloc` and friends too) and that is reset after every pluglet run and before every `next()`
// hop, and a keyed shared memory (`ctx_shmnew` / `ctx_shmget` / `ctx_shmrm`) that persists across runs and
// is seen by every pluglet of the plugin. Both are plain byte arrays that the host maps into each pluglet's
// address space (regions HEAP_REGION and SHARED_REGION); offsets here, VM addresses in the helpers.

/** Region names the pluglets' memory maps use. */
export const HEAP_REGION = 'heap';
export const SHARED_REGION = 'shared';

/** Allocations are 8-aligned (any scalar or struct the API passes is aligned within them). */
const ALIGN = 8;

const align = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);

export class PluginMemory {
  /** The plugin's own heap array (what interpreted pluglets map). */
  private readonly ownHeap: Uint8Array;
  /** Where the running pluglet's program keeps the heap region (useProgramHeap), or undefined: ownHeap. */
  private heapRegion: { readonly bytes: readonly Uint8Array[]; readonly id: number } | undefined = undefined;
  /** The plugin's own shared array (the initial contents every program maps, and interpreted ones use). */
  private readonly ownShared: Uint8Array;
  /** Where the program that ran last keeps the shared memory (useProgramShared), or undefined: ownShared. */
  private sharedRegion: { readonly bytes: readonly Uint8Array[]; readonly id: number } | undefined =
    undefined;
  private heapTop = 0;
  /** Live heap blocks of this run (for ctx_realloc and ctx_free), offset and size, in allocation order;
   *  a freed one has size -1. Arrays, not a map: a run allocates a few blocks and the reset is one store. */
  private blockOffsets: number[] = [];
  private blockSizes: number[] = [];
  private blocks = 0;
  /** Shared blocks by key: offset and size. */
  private readonly sharedBlocks = new Map<number, { offset: number; size: number }>();
  /** Free ranges of the shared memory, by offset, coalesced. */
  private free: { offset: number; size: number }[];

  constructor(heapSize: number, sharedSize: number) {
    this.ownHeap = new Uint8Array(heapSize);
    this.ownShared = new Uint8Array(sharedSize);
    this.free = sharedSize > 0 ? [{ offset: 0, size: sharedSize }] : [];
  }

  // ===== heap (bump allocation, reset per run) =====

  /**
   * The heap of the running pluglet: the region as its program's memory maps it now (a compiled program
   * keeps its own copy in wasm memory, whose views change when that memory grows), else the plugin's own
   * array. The heap's bytes do not outlive a run, so pluglets need not share one array.
   */
  get heap(): Uint8Array {
    const r = this.heapRegion;
    return r === undefined ? this.ownHeap : r.bytes[r.id]!;
  }

  /** Read the heap from region `id` of `regions` (a program's Memory.bytes) from now on (runtime.ts, per run). */
  useProgramHeap(regions: readonly Uint8Array[], id: number): void {
    if (this.heapRegion?.bytes !== regions || this.heapRegion.id !== id)
      this.heapRegion = { bytes: regions, id };
  }

  /** `size` bytes of heap (zeroed when `zero`): the offset, or -1 when the heap is full. */
  alloc(size: number, zero = false): number {
    if (!Number.isSafeInteger(size) || size < 0) return -1;
    const offset = this.heapTop;
    const end = offset + align(Math.max(size, 1));
    if (end > this.heap.length) return -1;
    this.heapTop = end;
    const n = this.blocks++;
    this.blockOffsets[n] = offset;
    this.blockSizes[n] = size;
    if (zero) this.heap.fill(0, offset, offset + size);
    return offset;
  }

  /** A heap copy of `bytes`: its offset, or -1 when the heap is full. */
  copyIn(bytes: Uint8Array): number {
    const at = this.alloc(bytes.length);
    if (at >= 0) this.heap.set(bytes, at);
    return at;
  }

  /** `ctx_realloc`: a new block with the old one's bytes (the bump heap never moves blocks back). */
  realloc(offset: number, size: number): number {
    const i = this.blockIndex(offset);
    if (i < 0) return -1;
    const old = this.blockSizes[i]!;
    const at = this.alloc(size);
    if (at < 0) return -1;
    this.heap.copyWithin(at, offset, offset + Math.min(old, size));
    return at;
  }

  /** `ctx_free`: the bump heap frees everything at the end of the run; a block not allocated is an error. */
  freeBlock(offset: number): boolean {
    const i = this.blockIndex(offset);
    if (i < 0) return false;
    this.blockSizes[i] = -1;
    return true;
  }

  /** The index of the live block at `offset`, or -1. */
  private blockIndex(offset: number): number {
    for (let i = this.blocks - 1; i >= 0; i--)
      if (this.blockOffsets[i] === offset) return this.blockSizes[i]! >= 0 ? i : -1;
    return -1;
  }

  /** Bytes of heap in use this run. */
  get heapUsed(): number {
    return this.heapTop;
  }

  /** After every run and before every next() hop. */
  reset(): void {
    this.heapTop = 0;
    this.blocks = 0;
  }

  // ===== shared memory (first fit, persists) =====

  /** The shared memory as the program that ran last holds it (its region now), else the plugin's array. */
  get shared(): Uint8Array {
    const r = this.sharedRegion;
    return r === undefined ? this.ownShared : r.bytes[r.id]!;
  }

  /**
   * The running pluglet's program holds the shared memory in region `id` of `regions` (its Memory.bytes)
   * from now on: when that is not where it was, the contents move there first. Pluglets of one plugin
   * taking turns copy it once per turn, a plugin of one pluglet never.
   */
  useProgramShared(regions: readonly Uint8Array[], id: number): void {
    const next = regions[id]!;
    const current = this.shared;
    if (next !== current) next.set(current);
    if (this.sharedRegion?.bytes !== regions || this.sharedRegion.id !== id)
      this.sharedRegion = { bytes: regions, id };
  }

  /** `ctx_shmnew`: a zeroed block for `key`; -1 when the key exists or there is no room. */
  shmNew(key: number, size: number): number {
    if (this.sharedBlocks.has(key) || !Number.isSafeInteger(size) || size < 0) return -1;
    const need = align(Math.max(size, 1));
    const i = this.free.findIndex((f) => f.size >= need);
    if (i < 0) return -1;
    const range = this.free[i]!;
    const offset = range.offset;
    if (range.size === need) this.free.splice(i, 1);
    else this.free[i] = { offset: offset + need, size: range.size - need };
    this.shared.fill(0, offset, offset + need);
    this.sharedBlocks.set(key, { offset, size: need });
    return offset;
  }

  /** `ctx_shmget`: the block of `key`, or -1. */
  shmGet(key: number): number {
    return this.sharedBlocks.get(key)?.offset ?? -1;
  }

  /** `ctx_shmrm`: forget `key` and give its room back; false when there was no such key. */
  shmRemove(key: number): boolean {
    const block = this.sharedBlocks.get(key);
    if (block === undefined) return false;
    this.sharedBlocks.delete(key);
    this.free.push(block);
    this.free.sort((a, b) => a.offset - b.offset);
    const merged: { offset: number; size: number }[] = [];
    for (const f of this.free) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last.offset + last.size === f.offset) last.size += f.size;
      else merged.push({ ...f });
    }
    this.free = merged;
    return true;
  }

  /** Keys of the shared blocks (statistics, tests). */
  get sharedKeys(): number[] {
    return [...this.sharedBlocks.keys()];
  }
}

// Values indexed by destination id, in fixed-size chunks. A full table puts half a million entries in
// each such table; a plain array grown one entry at a time copies itself into a larger store again and
// again, and every store it leaves behind is garbage the size of the table, found only by a full
// collection. Chunks are allocated once and never copied.

/**
 * Entries per chunk: 128 KiB of pointers, just over V8's largest regular object, so that each chunk is a
 * large object: the scavenger promotes it by moving its page, not by copying it (a full table has some
 * 370 chunks in its three IdArrays).
 */
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** `T | undefined` by non-negative integer id; undefined where nothing was set. */
export class IdArray<T> {
  private chunks: (T | undefined)[][] = chunkList();

  /** One past the highest id that may hold a value (a bound for walks, not a count). */
  get limit(): number {
    return this.chunks.length << CHUNK_BITS;
  }

  get(id: number): T | undefined {
    const chunk = this.chunks[id >>> CHUNK_BITS];
    return chunk === undefined ? undefined : chunk[id & MASK];
  }

  set(id: number, value: T | undefined): void {
    const at = id >>> CHUNK_BITS;
    let chunk = this.chunks[at];
    if (chunk === undefined) {
      if (value === undefined) return;
      while (this.chunks.length <= at) this.chunks.push(new Array<T | undefined>(CHUNK).fill(undefined));
      chunk = this.chunks[at]!;
    }
    chunk[id & MASK] = value;
  }

  /** Call `fn` for every id holding a value, in id order. */
  forEach(fn: (value: T, id: number) => void): void {
    const chunks = this.chunks;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      for (let i = 0; i < CHUNK; i++) {
        const v = chunk[i];
        if (v !== undefined) fn(v, (c << CHUNK_BITS) | i);
      }
    }
  }

  /** Drop every value (and the chunks). */
  clear(): void {
    this.chunks = chunkList();
  }
}

/**
 * An empty list of chunks, made with the elements kind it takes on with its first chunk (objects): an
 * empty literal starts as one of small integers and changes its map at its first push, so code optimized
 * on lists that had grown gave way ("wrong map") at the first list that had not (the RDE's path lists and
 * best paths of a family in the middle of its first table, each a deoptimization and a recompilation).
 */
function chunkList<T>(): T[][] {
  const list: T[][] = [[]];
  list.pop();
  return list;
}

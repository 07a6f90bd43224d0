// The memory helpers: the plugin heap (ctx_malloc, ctx_calloc, ctx_realloc, ctx_free; reset after
// every run), the keyed shared memory (ctx_shmnew, ctx_shmget, ctx_shmrm; kept across runs), and
// ebpf_memcpy / ebpf_memcmp over the program's checked memory. Blocks live in the plugin's
// PluginMemory (memory.ts); the helpers turn its offsets into VM addresses and back. The ones a
// pluglet calls on every run also come in the VM's number convention (registry.ts HelperImpl).
import { VmFault, type HelperFn, type NumberHelperFn } from '../../../vm/index.js';
import {
  allocHeap,
  asInt32,
  asLength,
  heapAddress,
  heapAt,
  heapOffset,
  helperMisuse,
  intResult,
  lengthOf,
  memoryOf,
  readIn,
  readInAt,
  sharedAddress,
  sharedAt,
} from '../call.js';
import { both, type HelperImpl } from './registry.js';

// ===== heap =====

/** ctx_malloc(size): a heap block, or NULL when the heap is exhausted. */
const ctxMalloc: HelperFn = (size, _2, _3, _4, _5, ctx) => {
  const n = asLength(size);
  return n < 0 ? 0n : allocHeap(ctx, n);
};

const ctxMallocAt: NumberHelperFn = (size, _2, _3, _4, _5, ctx) => {
  const n = lengthOf(size);
  return n < 0 ? 0 : heapAt(ctx, memoryOf(ctx).alloc(n));
};

/** ctx_calloc(nmemb, size): nmemb * size zeroed bytes; NULL on overflow or when the heap is short. */
const ctxCalloc: HelperFn = (nmemb, size, _3, _4, _5, ctx) => {
  const n = asLength(nmemb * size);
  return n < 0 ? 0n : allocHeap(ctx, n, true);
};

// The product of two numbers below 2^53 is exact up to 2^53: at most 0x7fffffff it is the true one,
// above it (rounded or not) it is refused as the bigint one is.
const ctxCallocAt: NumberHelperFn = (nmemb, size, _3, _4, _5, ctx) => {
  const n = lengthOf(nmemb * size);
  return n < 0 ? 0 : heapAt(ctx, memoryOf(ctx).alloc(n, true));
};

/**
 * ctx_realloc(ptr, size): a block of size bytes holding the old one's bytes up to the smaller size
 * (the bump heap always moves it); NULL ptr = ctx_malloc. NULL when the heap is short or ptr is not
 * the start of a block of this run; a pointer outside the heap is a misuse (the run faults).
 */
const ctxRealloc: HelperFn = (ptr, size, _3, _4, _5, ctx) => {
  const n = asLength(size);
  if (ptr === 0n) return n < 0 ? 0n : allocHeap(ctx, n);
  const at = heapOffset(ctx, ptr);
  if (at < 0) return helperMisuse(ctx, 'ctx_realloc', 'the pointer is not a heap block');
  return n < 0 ? 0n : heapAddress(ctx, memoryOf(ctx).realloc(at, n));
};

/** ctx_free(ptr): NULL is nothing; anything but a live heap block (a double free) is a misuse. */
const ctxFree: HelperFn = (ptr, _2, _3, _4, _5, ctx) => {
  if (ptr === 0n) return 0n;
  const at = heapOffset(ctx, ptr);
  if (at < 0 || !memoryOf(ctx).freeBlock(at))
    return helperMisuse(ctx, 'ctx_free', 'the pointer is not a live heap block');
  return 0n;
};

// ===== shared memory =====

/** ctx_shmnew(key, size): a new zeroed block under key; NULL if the key exists or memory is short. */
const ctxShmnew: HelperFn = (key, size, _3, _4, _5, ctx) => {
  const n = asLength(size);
  return n < 0 ? 0n : sharedAddress(ctx, memoryOf(ctx).shmNew(asInt32(key), n));
};

/** ctx_shmget(key): the block under key, or NULL. */
const ctxShmget: HelperFn = (key, _2, _3, _4, _5, ctx) =>
  sharedAddress(ctx, memoryOf(ctx).shmGet(asInt32(key)));

const ctxShmgetAt: NumberHelperFn = (key, _2, _3, _4, _5, ctx) =>
  sharedAt(ctx, memoryOf(ctx).shmGet(key | 0));

/** ctx_shmrm(key): free the block under key (nothing if there is none). */
const ctxShmrm: HelperFn = (key, _2, _3, _4, _5, ctx) => {
  memoryOf(ctx).shmRemove(asInt32(key));
  return 0n;
};

// ===== copy and compare =====

/** ebpf_memcpy(dst, src, length): copy through a snapshot of src, so overlaps act as memmove; dst. */
const ebpfMemcpy: HelperFn = (dst, src, length, _4, _5, ctx) => {
  const n = asLength(length);
  if (n < 0) return helperMisuse(ctx, 'ebpf_memcpy', `length ${length} is larger than any memory`);
  if (n === 0) return dst;
  const bytes = readIn(ctx, src, n);
  if (bytes instanceof VmFault) return bytes;
  return ctx.mem.write(dst, bytes) ?? dst;
};

const ebpfMemcpyAt: NumberHelperFn = (dst, src, length, _4, _5, ctx) => {
  const n = lengthOf(length);
  if (n < 0) return helperMisuse(ctx, 'ebpf_memcpy', `length ${length} is larger than any memory`);
  if (n === 0) return dst;
  const bytes = readInAt(ctx, src, n);
  if (bytes instanceof VmFault) return bytes;
  return ctx.mem.writeAt(dst, bytes) ?? dst;
};

/** ebpf_memcmp(s1, s2, n): the difference of the first differing bytes (as unsigned char), or 0. */
const ebpfMemcmp: HelperFn = (s1, s2, length, _4, _5, ctx) => {
  const n = asLength(length);
  if (n < 0) return helperMisuse(ctx, 'ebpf_memcmp', `length ${length} is larger than any memory`);
  if (n === 0) return 0n;
  const a = ctx.mem.read(s1, n);
  if (a instanceof VmFault) return a;
  const b = ctx.mem.read(s2, n);
  if (b instanceof VmFault) return b;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return intResult(a[i]! - b[i]!);
  return 0n;
};

const ebpfMemcmpAt: NumberHelperFn = (s1, s2, length, _4, _5, ctx) => {
  const n = lengthOf(length);
  if (n < 0) return helperMisuse(ctx, 'ebpf_memcmp', `length ${length} is larger than any memory`);
  if (n === 0) return 0;
  const a = ctx.mem.readAt(s1, n);
  if (a instanceof VmFault) return a;
  const b = ctx.mem.readAt(s2, n);
  if (b instanceof VmFault) return b;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

export const memoryHelpers = {
  ctx_malloc: both(ctxMalloc, ctxMallocAt),
  ctx_calloc: both(ctxCalloc, ctxCallocAt),
  ctx_realloc: ctxRealloc,
  ctx_free: ctxFree,
  ctx_shmnew: ctxShmnew,
  ctx_shmget: both(ctxShmget, ctxShmgetAt),
  ctx_shmrm: ctxShmrm,
  ebpf_memcpy: both(ebpfMemcpy, ebpfMemcpyAt),
  ebpf_memcmp: both(ebpfMemcmp, ebpfMemcmpAt),
} as const satisfies Record<string, HelperImpl>;

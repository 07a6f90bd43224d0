// Helper functions: host code a program calls with `call imm` (RFC 9669 section 4.3.1, "call
// helper function by static ID"). A registry maps ids to names, implementations and the permission
// a program needs to call them. The verifier checks every `call` id against the registry and the
// permissions granted at load; the ELF loader resolves extern function names with `resolver()`.
//
// Calling conventions. `fn`: r1..r5 are passed as u64 bigints (exact for every value), plus a
// HelperContext with checked memory access; the helper returns the new r0 as a bigint (reduced to
// u64) or a VmFault, which stops the run. A helper may also offer `fnNumber`, the same function on
// JS numbers (no BigInt made or read per call): the VM calls it whenever every argument the helper
// takes is below 2^53, so exact as a double (VM addresses always are: region << 32 | offset, with
// far fewer than 2^21 regions), and calls `fn` for the rare call with a larger argument. Its result
// is a safe integer (-2^53 < r0 < 2^53; a negative one is the two's complement u64, as C's -1 is),
// a bigint for anything else (reduced to u64), or a VmFault; any other value is a fault.
import { VmFault, FaultCodes } from './errors.js';
import type { MemoryAccess } from './memory.js';

/** What a helper sees besides its arguments. */
export interface HelperContext {
  /** Checked access to the program's memory. */
  readonly mem: MemoryAccess;
  /** Index of the `call` instruction. */
  readonly pc: number;
  /** Whatever the caller of run() passed as `user` (e.g. the insertion point's state). */
  readonly user: unknown;
}

export type HelperFn = (
  r1: bigint,
  r2: bigint,
  r3: bigint,
  r4: bigint,
  r5: bigint,
  ctx: HelperContext,
) => bigint | VmFault;

/** The number convention (see the file comment): arguments below 2^53 as numbers, r0 a safe integer or a bigint. */
export type NumberHelperFn = (
  r1: number,
  r2: number,
  r3: number,
  r4: number,
  r5: number,
  ctx: HelperContext,
) => number | bigint | VmFault;

export interface Helper {
  readonly id: number;
  readonly name: string;
  /** Permission a program must be granted to call it (e.g. "test", "bgp.read"). */
  readonly permission: string;
  readonly fn: HelperFn;
  /** The same helper in the number convention, called instead of `fn` when its arguments allow. */
  readonly fnNumber?: NumberHelperFn;
  /** uBPF "unwind" extension: when the helper returns 0 the program ends with r0 = 0. */
  readonly unwindOnZero?: boolean;
  /**
   * The arguments it takes (r1..r<arity>, 0-5; default 5): the other registers are passed as 0, not
   * converted (a register left over from earlier code would cost a BigInt for nothing).
   */
  readonly arity?: number;
}

/**
 * A registered helper as the back ends call it: its fields resolved once, in one object shape for every
 * helper (Helper objects come in several shapes, optional fields present or not, which would make the
 * per-call property reads polymorphic).
 */
export class HelperEntry {
  readonly fn: HelperFn;
  readonly fnNumber: NumberHelperFn | undefined;
  /** Arguments taken (r1..r<arity>). */
  readonly arity: number;
  readonly unwindOnZero: boolean;

  constructor(readonly helper: Helper) {
    this.fn = helper.fn;
    this.fnNumber = helper.fnNumber;
    this.arity = helper.arity ?? 5;
    this.unwindOnZero = helper.unwindOnZero === true;
  }
}

export class HelperRegistry {
  private readonly byId = new Map<number, Helper>();
  private readonly byName = new Map<string, Helper>();
  private readonly entries = new Map<number, HelperEntry>();

  /** Add a helper; ids and names are unique (a duplicate is a programming error and throws). */
  register(helper: Helper): this {
    if (!Number.isInteger(helper.id) || helper.id < 0 || helper.id > 0x7fffffff)
      throw new RangeError(`bad helper id ${helper.id}`);
    if (this.byId.has(helper.id)) throw new Error(`helper id ${helper.id} registered twice`);
    if (this.byName.has(helper.name)) throw new Error(`helper name ${helper.name} registered twice`);
    this.byId.set(helper.id, helper);
    this.byName.set(helper.name, helper);
    this.entries.set(helper.id, new HelperEntry(helper));
    return this;
  }

  get(id: number): Helper | undefined {
    return this.byId.get(id);
  }

  /** The helper with id `id` as the back ends call it. */
  entry(id: number): HelperEntry | undefined {
    return this.entries.get(id);
  }

  getByName(name: string): Helper | undefined {
    return this.byName.get(name);
  }

  /** All helpers, by id. */
  list(): Helper[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  /** `(name) => id | undefined`, for the ELF loader's extern-call relocations. */
  resolver(): (name: string) => number | undefined {
    return (name) => this.byName.get(name)?.id;
  }
}

/** Which helpers a program may call: a set of granted permissions, or a predicate. */
export type HelperPermissions = ReadonlySet<string> | ((helper: Helper) => boolean);

export function isPermitted(helper: Helper, permissions: HelperPermissions | undefined): boolean {
  if (permissions === undefined) return true;
  return typeof permissions === 'function' ? permissions(helper) : permissions.has(helper.permission);
}

// ===== the test helpers of uBPF and bpf_conformance =====
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Integer square root (floor) of a u64, exact. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** Permission the test helpers are registered with. */
export const TEST_PERMISSION = 'test';

/**
 * The helpers uBPF's test plugin registers (ids 0..5), which the conformance suite expects. All but
 * sqrti and strcmp_ext offer the number convention too, so the suite runs both conventions.
 */
export function testHelpers(): Helper[] {
  return [
    {
      id: 0,
      name: 'gather_bytes',
      permission: TEST_PERMISSION,
      // a<<32 | b<<24 | c<<16 | d<<8 | e, of the low bytes of each argument.
      fn: (a, b, c, d, e) =>
        ((a & 0xffn) << 32n) |
        ((b & 0xffn) << 24n) |
        ((c & 0xffn) << 16n) |
        ((d & 0xffn) << 8n) |
        (e & 0xffn),
      fnNumber: (a, b, c, d, e) =>
        (a & 0xff) * 0x1_0000_0000 +
        (b & 0xff) * 0x100_0000 +
        (c & 0xff) * 0x1_0000 +
        (d & 0xff) * 0x100 +
        (e & 0xff),
    },
    {
      id: 1,
      name: 'memfrob',
      permission: TEST_PERMISSION,
      // XOR each of r2 bytes at r1 with 42, in place.
      fn: (ptr, len, _c, _d, _e, ctx) => {
        if (len > 0x7fffffffn)
          return new VmFault(FaultCodes.HELPER_FAILED, ctx.pc, `memfrob: length ${len} too large`);
        const bytes = ctx.mem.read(ptr, Number(len));
        if (bytes instanceof VmFault) return bytes;
        for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 42;
        return 0n;
      },
      fnNumber: (ptr, len, _c, _d, _e, ctx) => {
        if (len > 0x7fffffff)
          return new VmFault(FaultCodes.HELPER_FAILED, ctx.pc, `memfrob: length ${len} too large`);
        const bytes = ctx.mem.readAt(ptr, len);
        if (bytes instanceof VmFault) return bytes;
        for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 42;
        return 0;
      },
    },
    { id: 2, name: 'no_op', permission: TEST_PERMISSION, fn: () => 0n, fnNumber: () => 0 },
    { id: 3, name: 'sqrti', permission: TEST_PERMISSION, fn: (a) => isqrt(a) },
    {
      id: 4,
      name: 'strcmp_ext',
      permission: TEST_PERMISSION,
      // strcmp of the C strings at r1 and r2: <0, 0, >0 as a sign-extended int.
      fn: (a, b, _c, _d, _e, ctx) => {
        const left = ctx.mem.readCString(a);
        if (left instanceof VmFault) return left;
        const right = ctx.mem.readCString(b);
        if (right instanceof VmFault) return right;
        const l = Buffer.from(left);
        const r = Buffer.from(right);
        return U64(BigInt(Buffer.compare(l, r)));
      },
    },
    {
      id: 5,
      name: 'unwind',
      permission: TEST_PERMISSION,
      fn: (a) => a,
      fnNumber: (a) => a,
      unwindOnZero: true,
    },
  ];
}

/** A registry holding the test helpers. */
export function testHelperRegistry(): HelperRegistry {
  const registry = new HelperRegistry();
  for (const h of testHelpers()) registry.register(h);
  return registry;
}

// The program's address space. Programs see 64-bit virtual addresses, never host pointers: the
// upper 32 bits of an address are a region id, the lower 32 bits an offset inside that region.
// Region 0 is never mapped, so 0 is a null pointer. Each region is a Uint8Array with an accessible
// window [start, end) and a writable flag. Every load and store of the interpreter and every helper
// access goes through `offsetOf`, which works on numbers below 2^53 only, so base + offset + size can
// never wrap: an address is inside a region or it is refused.
//
//   id 1  stack      MAX_CALL_DEPTH frames of STACK_FRAME_SIZE bytes; only the frames in use are open
//   id 2  context    the run's memory (conformance "-- mem", plugin arguments); swapped per run
//   id 3  code       function addresses (lddw src=4, callx targets); no bytes are accessible
//   id 4+ heap, data sections (copies), extra regions (e.g. shared memory), in mapping order
import { VmFault, FaultCodes } from './errors.js';
import { MAX_CALL_DEPTH, STACK_FRAME_SIZE } from './opcodes.js';

export const REGION_NULL = 0;
export const REGION_STACK = 1;
export const REGION_CONTEXT = 2;
export const REGION_CODE = 3;

/** Size of the whole stack region: every frame the deepest call chain can use. */
export const STACK_SIZE = MAX_CALL_DEPTH * STACK_FRAME_SIZE;
/** Largest region the address layout allows (offsets are the low 32 bits; keep them small integers). */
export const MAX_REGION_SIZE = 0x7fffffff;

const TWO_32 = 0x1_0000_0000;
const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);

/** The 64-bit address of `offset` inside region `id`. */
export function regionAddress(id: number, offset = 0): bigint {
  return (BigInt(id) << 32n) | BigInt(offset >>> 0);
}

/** Checked access to program memory: what helpers use. All methods return faults, never throw. */
export interface MemoryAccess {
  /** `len` bytes at `addr` as a view into program memory (valid during the current run), or a fault. */
  read(addr: bigint, len: number): Uint8Array | VmFault;
  /** Copy `bytes` to `addr` if the whole range is writable; undefined on success. */
  write(addr: bigint, bytes: Uint8Array): VmFault | undefined;
  /** The NUL-terminated string at `addr` (at most `maxLen` bytes before the NUL), decoded as UTF-8. */
  readCString(addr: bigint, maxLen?: number): string | VmFault;
  /** Address of a named region (e.g. "heap", ".rodata", a shared region), or undefined. */
  addressOf(name: string): bigint | undefined;
  /** read() and write() for the number convention: `addr` a number (anything but a safe integer >= 0 is refused). */
  readAt(addr: number, len: number): Uint8Array | VmFault;
  /** A copy of the `len` bytes at `addr` (a number), which the helper may keep, or a fault. */
  copyAt(addr: number, len: number): Uint8Array | VmFault;
  writeAt(addr: number, bytes: Uint8Array): VmFault | undefined;
}

export class Memory implements MemoryAccess {
  // ===== region tables, indexed by region id =====
  readonly names: string[] = [];
  readonly bytes: Uint8Array[] = [];
  readonly views: DataView[] = [];
  /** Lowest accessible offset. */
  readonly start: number[] = [];
  /** One past the highest accessible offset. */
  readonly end: number[] = [];
  readonly writable: boolean[] = [];
  /** Region id found by the last successful offsetOf. */
  region = 0;
  /** Instruction index reported in faults raised by helper accesses; the interpreter keeps it current. */
  pc = -1;
  /** The bytes setRegion last made a view of, and that view. */
  private lastViewed: Uint8Array = EMPTY;
  private lastView: DataView = EMPTY_VIEW;

  constructor() {
    this.setRegion(REGION_NULL, 'null', EMPTY, false);
    this.setRegion(REGION_STACK, 'stack', new Uint8Array(STACK_SIZE), true);
    this.setRegion(REGION_CONTEXT, 'context', EMPTY, true);
    this.setRegion(REGION_CODE, 'code', EMPTY, false);
  }

  /** Map `bytes` as a new region and return its base address. */
  map(name: string, bytes: Uint8Array, writable: boolean): bigint {
    const id = this.names.length;
    this.setRegion(id, name, bytes, writable);
    return regionAddress(id);
  }

  /** (Re)define region `id` to be all of `bytes`. */
  setRegion(id: number, name: string, bytes: Uint8Array, writable: boolean): void {
    if (bytes.length > MAX_REGION_SIZE)
      throw new RangeError(`region ${name} too large (${bytes.length} bytes)`);
    this.names[id] = name;
    this.bytes[id] = bytes;
    // The same bytes mapped again (a run's context, run after run) keep their view: no allocation.
    if (bytes !== this.lastViewed) {
      this.lastViewed = bytes;
      this.lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.views[id] = this.lastView;
    this.start[id] = 0;
    this.end[id] = bytes.length;
    this.writable[id] = writable;
  }

  /** Unmap the run's context memory. */
  unmapContext(): void {
    this.bytes[REGION_CONTEXT] = EMPTY;
    this.views[REGION_CONTEXT] = EMPTY_VIEW;
    this.end[REGION_CONTEXT] = 0;
    this.writable[REGION_CONTEXT] = false;
  }

  /** Open the stack frames 0..depth (frame 0 at the top, deeper frames below it). */
  openStackFrames(depth: number): void {
    this.start[REGION_STACK] = STACK_SIZE - (depth + 1) * STACK_FRAME_SIZE;
  }

  /**
   * Offset inside its region of the `size` bytes at address (hi:lo) + off, or -1 when any byte is
   * outside the region's window or (for `write`) the region is read-only. Sets `this.region`.
   * hi and lo are the two 32-bit halves of the base address (as int32), off a signed 16-bit offset.
   */
  offsetOf(hi: number, lo: number, off: number, size: number, write: boolean): number {
    let id = hi;
    let o = (lo >>> 0) + off;
    // The 64-bit sum may carry into or borrow from the upper half.
    if (o < 0) {
      id = (id - 1) | 0;
      o += TWO_32;
    } else if (o >= TWO_32) {
      id = (id + 1) | 0;
      o -= TWO_32;
    }
    if (id < 0 || id >= this.names.length) return -1;
    if (o < this.start[id]! || o + size > this.end[id]!) return -1;
    if (write && !this.writable[id]) return -1;
    this.region = id;
    return o;
  }

  // ===== helper-facing API (bigint addresses) =====
  read(addr: bigint, len: number): Uint8Array | VmFault {
    const o = this.locate(addr, len, false);
    if (o < 0) return this.fault(FaultCodes.OUT_OF_BOUNDS_LOAD, 'load', addr, len);
    return this.bytes[this.region]!.subarray(o, o + len);
  }

  write(addr: bigint, data: Uint8Array): VmFault | undefined {
    const o = this.locate(addr, data.length, true);
    if (o < 0) return this.fault(FaultCodes.OUT_OF_BOUNDS_STORE, 'store', addr, data.length);
    this.bytes[this.region]!.set(data, o);
    return undefined;
  }

  readAt(addr: number, len: number): Uint8Array | VmFault {
    const o = this.locateAt(addr, len, false);
    if (o < 0) return this.faultAt(FaultCodes.OUT_OF_BOUNDS_LOAD, 'load', addr, len);
    return this.bytes[this.region]!.subarray(o, o + len);
  }

  copyAt(addr: number, len: number): Uint8Array | VmFault {
    const o = this.locateAt(addr, len, false);
    if (o < 0) return this.faultAt(FaultCodes.OUT_OF_BOUNDS_LOAD, 'load', addr, len);
    return this.bytes[this.region]!.slice(o, o + len);
  }

  writeAt(addr: number, data: Uint8Array): VmFault | undefined {
    const n = data.length;
    const o = this.locateAt(addr, n, true);
    if (o < 0) return this.faultAt(FaultCodes.OUT_OF_BOUNDS_STORE, 'store', addr, n);
    const to = this.bytes[this.region]!;
    // Writes of a few octets (an int) without TypedArray.set's fixed cost, which a loop of 24 exceeds.
    if (n > 8 || data.buffer === to.buffer) to.set(data, o);
    else for (let k = 0; k < n; k++) to[o + k] = data[k]!;
    return undefined;
  }

  readCString(addr: bigint, maxLen = 4096): string | VmFault {
    const first = this.locate(addr, 1, false);
    if (first < 0) return this.fault(FaultCodes.OUT_OF_BOUNDS_LOAD, 'string load', addr, 1);
    const bytes = this.bytes[this.region]!;
    const limit = Math.min(this.end[this.region]!, first + maxLen + 1);
    const nul = bytes.subarray(first, limit).indexOf(0);
    if (nul < 0)
      return this.fault(FaultCodes.OUT_OF_BOUNDS_LOAD, 'unterminated string load', addr, limit - first);
    return Buffer.from(bytes.buffer, bytes.byteOffset + first, nul).toString('utf8');
  }

  addressOf(name: string): bigint | undefined {
    const id = this.names.indexOf(name);
    return id <= REGION_CODE ? undefined : regionAddress(id);
  }

  /** Human-readable form of an address, for messages. */
  describeAddress(addr: bigint): string {
    const a = BigInt.asUintN(64, addr);
    const id = Number(a >> 32n);
    const name = this.names[id];
    const hex = '0x' + a.toString(16);
    return name === undefined ? hex : `${hex} (${name}+${Number(a & 0xffffffffn)})`;
  }

  private locate(addr: bigint, len: number, write: boolean): number {
    if (!Number.isInteger(len) || len < 0 || len > MAX_REGION_SIZE) return -1;
    const a = BigInt.asUintN(64, addr);
    return this.offsetOf(Number(a >> 32n) | 0, Number(a & 0xffffffffn) | 0, 0, len, write);
  }

  /** locate() of a number address: the halves of a safe integer >= 0 (the high one below 2^21). */
  private locateAt(addr: number, len: number, write: boolean): number {
    if (!Number.isSafeInteger(addr) || addr < 0) return -1;
    if (!Number.isInteger(len) || len < 0 || len > MAX_REGION_SIZE) return -1;
    return this.offsetOf((addr / TWO_32) | 0, addr | 0, 0, len, write);
  }

  private faultAt(
    code: typeof FaultCodes.OUT_OF_BOUNDS_LOAD | typeof FaultCodes.OUT_OF_BOUNDS_STORE,
    what: string,
    addr: number,
    len: number,
  ): VmFault {
    if (Number.isSafeInteger(addr)) return this.fault(code, what, BigInt(addr), len);
    return new VmFault(code, this.pc, `out of bounds memory ${what} at ${addr}, size ${len}`);
  }

  private fault(
    code: typeof FaultCodes.OUT_OF_BOUNDS_LOAD | typeof FaultCodes.OUT_OF_BOUNDS_STORE,
    what: string,
    addr: bigint,
    len: number,
  ): VmFault {
    return new VmFault(
      code,
      this.pc,
      `out of bounds memory ${what} at ${this.describeAddress(addr)}, size ${len}`,
    );
  }
}

// Test support for the base helpers: a hand-made Call (a point from xbgp-api, a pluglet of a plugin
// with a real PluginMemory, fake PluginServices that record log lines and serve set clocks) over a
// real checked VM Memory (the plugin's heap and shared memory mapped as the host maps them, plus a
// writable scratch region and a read-only one), to call a HelperFn directly; `stubImpls()` for the
// BGP helpers; and a mini host that links a compiled C plugin through buildHelperRegistry and runs
// it with runtime.ts, as the plugin host does.
import {
  assemble,
  loadProgram,
  VerifyError,
  VmFault,
  type HelperContext,
  type LoadedProgram,
} from '../../../vm/index.js';
import { Memory } from '../../../vm/memory.js';
import { loadElfProgram } from '../../../vm/elf/index.js';
import { HELPERS, JOB_POINT, pointByName, type Anchor, type PointSpec } from '../../../xbgp-api/index.js';
import {
  Call,
  type JobControl,
  type PluginLogLevel,
  type PluginServices,
} from '../../../daemon/plugins/call.js';
import type { ExtraConf } from '../../../daemon/plugins/extra-conf.js';
import { HEAP_REGION, PluginMemory, SHARED_REGION } from '../../../daemon/plugins/memory.js';
import {
  DEFAULT_FAULT_LIMIT,
  Plugin,
  Pluglet,
  runPluglet,
  type FaultSink,
  type PlugletFault,
} from '../../../daemon/plugins/runtime.js';
import { baseHelpers } from '../../../daemon/plugins/helpers/base.js';
import {
  buildHelperRegistry,
  permissionPredicate,
  type HelperImpl,
} from '../../../daemon/plugins/helpers/registry.js';
import type { HelperFn } from '../../../vm/index.js';

export interface LogLine {
  readonly level: PluginLogLevel;
  readonly message: string;
}

/** Fake plugin services: the log lines, settable clocks, the extra configuration. */
export class FakeServices implements PluginServices {
  readonly lines: LogLine[] = [];
  mono = 0;
  real = 0;
  constructor(readonly extraConf: ExtraConf | undefined = undefined) {}
  log(level: PluginLogLevel, message: string, _call: Call): void {
    this.lines.push({ level, message });
  }
  monotonicMs(): number {
    return this.mono;
  }
  realtimeMs(): number {
    return this.real;
  }
}

/** A job control recording the periods asked for. */
export class FakeJob implements JobControl {
  readonly periods: number[] = [];
  reschedule(seconds: number): void {
    this.periods.push(seconds);
  }
}

/** Every provided helper the base set lacks (the BGP ones): a stub that faults if ever called. */
export function stubImpls(): Record<string, HelperFn> {
  const out: Record<string, HelperFn> = {};
  for (const h of HELPERS) {
    if (h.refused !== undefined || baseHelpers[h.name] !== undefined) continue;
    out[h.name] = (_1, _2, _3, _4, _5, ctx) =>
      new VmFault('ERR_VM_HELPER_FAILED', ctx.pc, `stub ${h.name} called`);
  }
  return out;
}

/** The registry of the base helpers and the BGP stubs. */
export const registry = buildHelperRegistry({ ...baseHelpers, ...stubImpls() });

export interface HarnessOptions {
  point?: string;
  anchor?: Anchor;
  heap?: number;
  shared?: number;
  extraConf?: ExtraConf;
  job?: boolean;
}

/** A point by manifest name, or the job pseudo point ('job_plugins'). */
function pointNamed(name: string): PointSpec {
  const p = name === JOB_POINT.name ? JOB_POINT : pointByName(name);
  if (p === undefined) throw new Error(`no point ${name}`);
  return p;
}

let trivial: LoadedProgram | undefined;
function trivialProgram(): LoadedProgram {
  if (trivial) return trivial;
  const code = assemble('mov %r0, 0\nexit');
  if (!(code instanceof Uint8Array)) throw new Error(code.message);
  const loaded = loadProgram({ code, entry: 0, data: [] }, { helpers: registry });
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  trivial = loaded;
  return loaded;
}

/** A Call of one pluglet over real checked memory, to call helpers directly. */
export class Harness {
  readonly services: FakeServices;
  readonly memory: PluginMemory;
  readonly plugin: Plugin;
  readonly call: Call;
  readonly mem = new Memory();
  readonly ctx: HelperContext;
  readonly job: FakeJob | undefined;
  /** A writable region for the test's inputs and outputs, and a read-only one. */
  readonly scratch = new Uint8Array(4096);
  readonly rodata = new Uint8Array(64).fill(0x61);
  readonly scratchBase: bigint;
  readonly rodataBase: bigint;
  private top = 0;

  constructor(options: HarnessOptions = {}) {
    this.services = new FakeServices(options.extraConf);
    this.memory = new PluginMemory(options.heap ?? 1024, options.shared ?? 256);
    this.plugin = new Plugin('test', this.memory, DEFAULT_FAULT_LIMIT);
    const point = pointNamed(options.point ?? 'bgp_pre_inbound_filter');
    this.call = new Call(point, () => this.services);
    this.call.pluglet = new Pluglet(
      'p',
      this.plugin,
      trivialProgram(),
      point.name,
      options.anchor ?? 'replace',
      0,
      1000,
    );
    if (options.job) this.call.job = this.job = new FakeJob();
    this.mem.map(HEAP_REGION, this.memory.heap, true);
    this.mem.map(SHARED_REGION, this.memory.shared, true);
    this.scratchBase = this.mem.map('scratch', this.scratch, true);
    this.rodataBase = this.mem.map('rodata', this.rodata, false);
    this.ctx = { mem: this.mem, pc: 7, user: this.call };
  }

  /**
   * Call helper `name` with r1.. (missing ones 0) as the VM does: in the number convention when it has
   * one and every register is below 2^53, else its bigint function. r0 as the VM makes it (a u64).
   */
  invoke(name: string, ...regs: bigint[]): bigint | VmFault {
    return invokeImpl(baseHelpers[name], name, regs, this.ctx, 'vm');
  }

  /** Call helper `name` in one convention only ('bigint': its fn; 'number': its fnNumber, which it must have). */
  invokeAs(convention: 'bigint' | 'number', name: string, ...regs: bigint[]): bigint | VmFault {
    return invokeImpl(baseHelpers[name], name, regs, this.ctx, convention);
  }

  /** Copy `bytes` into the scratch region (8-aligned); their address. */
  put(bytes: Uint8Array): bigint {
    const at = this.top;
    this.scratch.set(bytes, at);
    this.top += (bytes.length + 7) & ~7;
    return this.scratchBase + BigInt(at);
  }

  /** A NUL-terminated string in the scratch region (bytes given as latin1 when `latin1`). */
  cstr(text: string, latin1 = false): bigint {
    return this.put(Buffer.from(`${text}\0`, latin1 ? 'latin1' : 'utf8'));
  }

  /** Forget (and zero) everything put in the scratch region. */
  reset(): void {
    this.top = 0;
    this.scratch.fill(0);
  }

  /** `n` zeroed bytes of scratch; their address. */
  room(n: number): bigint {
    return this.put(new Uint8Array(n));
  }

  /** `len` bytes at a VM address (a copy; throws on a bad address: the test is wrong). */
  bytesAt(addr: bigint, len: number): Uint8Array {
    const r = this.mem.read(addr, len);
    if (r instanceof VmFault) throw new Error(r.message);
    return r.slice();
  }

  /** The C string at a VM address. */
  stringAt(addr: bigint): string {
    const r = this.mem.readCString(addr);
    if (r instanceof VmFault) throw new Error(r.message);
    return r;
  }
}

/** A helper implementation called with `regs` the way `how` says; its r0 reduced to u64, or its fault. */
export function invokeImpl(
  impl: HelperImpl | undefined,
  name: string,
  regs: readonly bigint[],
  ctx: HelperContext,
  how: 'vm' | 'bigint' | 'number',
): bigint | VmFault {
  if (impl === undefined) throw new Error(`no helper ${name}`);
  const r = (i: number): bigint => regs[i] ?? 0n;
  const fnNumber = typeof impl === 'function' ? undefined : impl.fnNumber;
  const small = regs.every((v) => v >= 0n && v < 2n ** 53n);
  if (how === 'number' && fnNumber === undefined) throw new Error(`${name} has no number convention`);
  if (fnNumber !== undefined && (how === 'number' || (how === 'vm' && small))) {
    if (!small) throw new Error(`${name}: a register at 2^53 or above has no number form`);
    const n = (i: number): number => Number(r(i));
    const out = fnNumber(n(0), n(1), n(2), n(3), n(4), ctx);
    if (out instanceof VmFault) return out;
    if (typeof out === 'number' && !Number.isSafeInteger(out)) throw new Error(`${name} returned ${out}`);
    return BigInt.asUintN(64, BigInt(out));
  }
  const fn = typeof impl === 'function' ? impl : impl.fn;
  const out = fn(r(0), r(1), r(2), r(3), r(4), ctx);
  return out instanceof VmFault ? out : BigInt.asUintN(64, out);
}

// ===== running compiled plugins =====

/** Faults reported by runtime.ts. */
export class RecordingSink implements FaultSink {
  readonly faults: PlugletFault[] = [];
  now(): number {
    return 0;
  }
  fault(_p: Pluglet, fault: PlugletFault): void {
    this.faults.push(fault);
  }
  disabled(): void {}
}

/** A loaded plugin with its Call: run its pluglets as the host does. */
export class MiniHost {
  readonly services: FakeServices;
  readonly memory: PluginMemory;
  readonly plugin: Plugin;
  readonly call: Call;
  readonly sink = new RecordingSink();

  constructor(point: string, options: { heap?: number; shared?: number; extraConf?: ExtraConf } = {}) {
    this.services = new FakeServices(options.extraConf);
    this.memory = new PluginMemory(options.heap ?? 4096, options.shared ?? 1024);
    this.plugin = new Plugin('test', this.memory, DEFAULT_FAULT_LIMIT);
    const spec = pointNamed(point);
    this.call = new Call(spec, () => this.services);
  }

  /** Link function `name` of `object` through the registry (permission bits `granted`) and load it. */
  pluglet(object: Uint8Array, name: string, anchor: Anchor, seq = 0, granted = 7): Pluglet {
    const linked = loadElfProgram(object, name, registry.resolver());
    if (!linked.ok) throw new Error(`${name}: ${linked.error.message}`);
    const loaded = loadProgram(linked.value, {
      helpers: registry,
      permissions: permissionPredicate(granted),
      regions: [
        { name: HEAP_REGION, bytes: this.memory.heap, writable: true },
        { name: SHARED_REGION, bytes: this.memory.shared, writable: true },
      ],
    });
    if (loaded instanceof VerifyError) throw new Error(loaded.describe());
    return new Pluglet(name, this.plugin, loaded, this.call.point.name, anchor, seq, 1_000_000);
  }

  /** Run one pluglet: its r0, or undefined after a fault (in `sink.faults`). */
  run(p: Pluglet): bigint | undefined {
    this.call.writeInfo(this.call.execInfo, false, 0n);
    return runPluglet(p, this.call, this.sink);
  }
}

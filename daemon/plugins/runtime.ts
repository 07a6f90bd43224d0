// Running the pluglets attached at one insertion point (xbgp.md section 1.2), on the main loop, never
// nested: the `pre` anchor (every pluglet, return values ignored), the `replace` chain (the lowest seq
// first; `next()` hands over to the following one, a tail call; the first that returns without calling
// it decides; the end of the chain, a fault or an out-of-range value means the native code runs), then
// the `post` anchor, which sees the outcome in its exec_info. A fault (VM fault, budget, bad helper use,
// invalid return value) ends that pluglet's run only: it is counted, reported, and the call takes the
// native path; a plugin that faults too often is disabled (FaultLimit).
import { run, VmFault, type LoadedProgram, type RunResult } from '../../vm/index.js';
import { HEAP_REGION, SHARED_REGION, type PluginMemory } from './memory.js';

export type Anchor = 'pre' | 'replace' | 'post';

/** Return values below this are counted in an array (no BigInt-keyed map lookup per run). */
const SMALL_RETURNS = 1024;
const SMALL_RETURNS_BIG = BigInt(SMALL_RETURNS);
/** Runs timed: every one of the first TIMED_ALWAYS, then one in TIMED_EVERY (counted that many times). */
const TIMED_ALWAYS = 1024;
const TIMED_EVERY = 16;

/** Per pluglet counters (as the kernel's run_cnt / run_time_ns), cheap enough for every call. */
export class PlugletStats {
  calls = 0;
  faults = 0;
  /** Instructions executed, over all runs. */
  steps = 0;
  /**
   * Wall time in the VM and its helpers, nanoseconds: every run of the first 1024 timed, then one run in 16
   * (counted 16 times), so that reading the clock costs little on a full table.
   */
  timeNs = 0;
  private readonly small = new Float64Array(SMALL_RETURNS);
  private readonly large = new Map<bigint, number>();

  /** Count one return value. */
  countReturn(value: bigint): void {
    if (value >= 0n && value < SMALL_RETURNS_BIG) this.small[Number(value)]!++;
    else this.large.set(value, (this.large.get(value) ?? 0) + 1);
  }

  /** How often each return value came back (replace pluglets: the verdicts), ascending; a snapshot. */
  get returns(): ReadonlyMap<bigint, number> {
    const out = new Map<bigint, number>();
    this.small.forEach((count, value) => {
      if (count > 0) out.set(BigInt(value), count);
    });
    for (const [value, count] of [...this.large].sort(([a], [b]) => (a < b ? -1 : 1))) out.set(value, count);
    return out;
  }

  /** Forget every count (the admin API's stats reset). */
  reset(): void {
    this.calls = this.faults = this.steps = this.timeNs = 0;
    this.small.fill(0);
    this.large.clear();
  }
}

/** When a plugin is disabled: `max` faults within `windowMs` (0 = never). */
export interface FaultLimit {
  max: number;
  windowMs: number;
}

export const DEFAULT_FAULT_LIMIT: FaultLimit = { max: 100, windowMs: 60_000 };

/** A loaded plugin: its memory, shared by its pluglets, and its fault record. */
export class Plugin {
  disabled = false;
  /** Times (ms) of the faults within the current window. */
  private readonly recentFaults: number[] = [];

  constructor(
    readonly name: string,
    readonly memory: PluginMemory,
    readonly faultLimit: FaultLimit,
  ) {}

  /** Record a fault at `now`; true when it crosses the limit (the caller disables the plugin). */
  fault(now: number): boolean {
    const { max, windowMs } = this.faultLimit;
    if (max <= 0) return false;
    const recent = this.recentFaults;
    recent.push(now);
    while (recent.length > 0 && recent[0]! <= now - windowMs) recent.shift();
    return recent.length >= max;
  }

  /** Run again after an automatic disable, with an empty fault window. */
  reenable(): void {
    this.disabled = false;
    this.recentFaults.length = 0;
  }
}

/** One program of a plugin, attached at one point and anchor. */
export class Pluglet {
  readonly stats = new PlugletStats();
  /** The VM run context, reused run after run (no allocation per run). */
  readonly runContext: { mem: Uint8Array | undefined; budget: number; user: unknown };
  /** VM addresses of the plugin's heap and shared memory in this program (0n when not mapped). */
  readonly heapBase: bigint;
  readonly sharedBase: bigint;
  /** The same as numbers (exact: VM addresses are below 2^53), for the number convention's helpers. */
  readonly heapBaseAt: number;
  readonly sharedBaseAt: number;
  /**
   * VM addresses of heap offsets handed to the program, made once per offset (the bump heap starts at
   * 0 on every run, so the same offsets come back run after run: no BigInt per pointer returned).
   */
  private readonly heapAddresses = new Map<number, bigint>();
  private readonly sharedAddresses = new Map<number, bigint>();
  /** The heap's and the shared memory's region ids in the program's memory (-1: not mapped). */
  readonly heapRegion: number;
  readonly sharedRegion: number;
  constructor(
    readonly name: string,
    readonly plugin: Plugin,
    readonly program: LoadedProgram,
    readonly point: string,
    readonly anchor: Anchor,
    readonly seq: number,
    /** Instructions per run. */
    readonly budget: number,
    /** Filter pluglets: what their verdict depends on (manifest xbgpd extension); undefined = undeclared. */
    readonly dependsOn?: 'attributes' | 'prefix' | 'peers' | 'anything',
  ) {
    this.runContext = { mem: undefined, budget, user: undefined };
    this.heapBase = program.memory.addressOf(HEAP_REGION) ?? 0n;
    this.heapRegion = program.memory.names.indexOf(HEAP_REGION);
    this.sharedRegion = program.memory.names.indexOf(SHARED_REGION);
    this.sharedBase = program.memory.addressOf(SHARED_REGION) ?? 0n;
    this.heapBaseAt = Number(this.heapBase);
    this.sharedBaseAt = Number(this.sharedBase);
  }

  /** The VM address of heap offset `offset` (>= 0) in this pluglet's program. */
  heapAddress(offset: number): bigint {
    let a = this.heapAddresses.get(offset);
    if (a === undefined) this.heapAddresses.set(offset, (a = this.heapBase + BigInt(offset)));
    return a;
  }

  /** The VM address of shared-memory offset `offset` (>= 0) in this pluglet's program. */
  sharedAddress(offset: number): bigint {
    let a = this.sharedAddresses.get(offset);
    if (a === undefined) this.sharedAddresses.set(offset, (a = this.sharedBase + BigInt(offset)));
    return a;
  }
}

/** The pluglets at one point, each anchor in seq order. */
export interface Chain {
  readonly pre: readonly Pluglet[];
  readonly replace: readonly Pluglet[];
  readonly post: readonly Pluglet[];
}

/** Why a run did not give a usable value. */
export interface PlugletFault {
  readonly code: string;
  /** Instruction index, or -1 when the fault is not at an instruction (an invalid return value). */
  readonly pc: number;
  readonly message: string;
}

/** What a helper may have to say about the run it is part of (set through the Invocation). */
export interface Invocation {
  /** The pluglet running now. */
  pluglet: Pluglet | undefined;
  /** Set by the `next` helper: hand over to the following replace pluglet. */
  nextRequested: boolean;
  /** Set by a helper that was used wrongly (bad argument, no meaning at this point): the run faults. */
  helperFault: PlugletFault | undefined;
  /** Faults of this invocation's runs so far (a point compares it around an anchor to drop its changes). */
  faults: number;
  /** exec_info_t for this run (r1), written by the caller of runChain before each anchor. */
  execInfo: Uint8Array;
  /** Called after every run (helpers' per-run state). */
  endRun?(): void;
}

/** Where faults and disabled plugins are reported (logs, counters); `now` for the fault window. */
export interface FaultSink {
  now(): number;
  fault(pluglet: Pluglet, fault: PlugletFault): void;
  disabled(plugin: Plugin, pluglet: Pluglet, fault: PlugletFault): void;
}

/** Writes the exec_info_t the next anchor's pluglets see: whether a value is set, which, and the point. */
export type ExecInfoWriter = (out: Uint8Array, valueSet: boolean, value: bigint) => void;

/** Run one pluglet; its r0, or undefined after a fault (reported). The heap is reset afterwards. */
export function runPluglet(p: Pluglet, inv: Invocation, sink: FaultSink): bigint | undefined {
  if (p.plugin.disabled) return undefined;
  inv.pluglet = p;
  inv.nextRequested = false;
  inv.helperFault = undefined;
  const stats = p.stats;
  // The helpers write the heap the program reads: its own bytes (a compiled program's copy in wasm memory).
  const regions = p.program.memory.bytes;
  if (p.heapRegion >= 0) p.plugin.memory.useProgramHeap(regions, p.heapRegion);
  if (p.sharedRegion >= 0) p.plugin.memory.useProgramShared(regions, p.sharedRegion);
  const runCtx = p.runContext;
  runCtx.mem = inv.execInfo;
  runCtx.user = inv;
  const weight = stats.calls < TIMED_ALWAYS ? 1 : stats.calls % TIMED_EVERY === 0 ? TIMED_EVERY : 0;
  let result: RunResult | VmFault;
  if (weight === 0) result = run(p.program, runCtx);
  else {
    const t0 = performance.now();
    result = run(p.program, runCtx);
    stats.timeNs += Math.round((performance.now() - t0) * 1e6) * weight;
  }
  runCtx.user = undefined;
  stats.calls++;
  p.plugin.memory.reset();
  inv.endRun?.();
  let fault: PlugletFault | undefined = inv.helperFault;
  if (fault === undefined && result instanceof VmFault)
    fault = { code: result.code, pc: result.pc, message: result.message };
  if (fault !== undefined) {
    inv.faults++;
    failed(p, fault, sink);
    return undefined;
  }
  const r = result as { r0: bigint; steps: number };
  stats.steps += r.steps;
  return r.r0;
}

/** Count and report a fault; disable the plugin when it crosses its limit. */
export function failed(p: Pluglet, fault: PlugletFault, sink: FaultSink): void {
  p.stats.faults++;
  sink.fault(p, fault);
  if (!p.plugin.disabled && p.plugin.fault(sink.now())) {
    p.plugin.disabled = true;
    sink.disabled(p.plugin, p, fault);
  }
}

/** The `pre` anchor: every pluglet in seq order; a fault skips the rest of the anchor (as xBGP). */
export function runPre(chain: Chain, inv: Invocation, sink: FaultSink, writeInfo: ExecInfoWriter): void {
  if (chain.pre.length === 0) return;
  writeInfo(inv.execInfo, false, 0n);
  for (const p of chain.pre) {
    if (p.plugin.disabled) continue;
    if (runPluglet(p, inv, sink) === undefined) break;
  }
}

/**
 * The `replace` chain: the value of the first pluglet that returns without `next()`, if `valid(value)`;
 * undefined when the native code must run (no pluglet, every one called next(), a fault, an invalid value).
 */
export function runReplace(
  chain: Chain,
  inv: Invocation,
  sink: FaultSink,
  writeInfo: ExecInfoWriter,
  valid: (value: bigint) => boolean,
): bigint | undefined {
  const list = chain.replace;
  if (list.length === 0) return undefined;
  writeInfo(inv.execInfo, false, 0n);
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    if (p.plugin.disabled) continue;
    const value = runPluglet(p, inv, sink);
    if (value === undefined) return undefined;
    if (inv.nextRequested) continue;
    if (!valid(value)) {
      inv.faults++;
      failed(
        p,
        {
          code: 'ERR_PLUGIN_BAD_RETURN',
          pc: -1,
          message: `return value ${value} is not valid at ${p.point}`,
        },
        sink,
      );
      return undefined;
    }
    p.stats.countReturn(value);
    return value;
  }
  return undefined;
}

/** The `post` anchor: every pluglet, with the outcome (`value`, as the VM sees it) in exec_info. */
export function runPost(
  chain: Chain,
  inv: Invocation,
  sink: FaultSink,
  writeInfo: ExecInfoWriter,
  value: bigint,
): void {
  if (chain.post.length === 0) return;
  writeInfo(inv.execInfo, true, value);
  for (const p of chain.post) {
    if (p.plugin.disabled) continue;
    if (runPluglet(p, inv, sink) === undefined) break;
  }
}

// The state of one call of an insertion point, as the helpers see it (the VM hands it to them as
// `ctx.user`): the point, the pluglet running now, its plugin (memory, extra configuration, logger),
// the get_arg arguments, and what the point offers to the BGP helpers (the route, its peers, an output).
// One Call object per point kind is reused: points never nest (everything runs on the main loop, and no
// helper runs another point synchronously).
import { EXEC_INFO, type PointContext, type PointSpec } from '../../xbgp-api/index.js';
import { VmFault, FaultCodes, type HelperContext } from '../../vm/index.js';
import type { PrefixValue } from '../../xbgp-api/index.js';
import type { AttrSet, AttrStore, StoredAttribute } from '../rde/attr-store.js';
import type { ExtraConf } from './extra-conf.js';
import type { RouteState } from './route.js';
import { HEAP_REGION, SHARED_REGION, type PluginMemory } from './memory.js';
import type { Invocation, Plugin, Pluglet, PlugletFault } from './runtime.js';

/** Log levels a plugin's messages are logged at. */
export type PluginLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A Loc-RIB best route as the RIB helpers see it. */
export interface RibRoute {
  readonly ipv6: boolean;
  readonly prefix: PrefixValue;
  readonly set: AttrSet;
  readonly peer: PeerInfo;
}

/** The router's RIB and sessions as the RIB and control helpers reach them (the running daemon). */
export interface RouterAccess {
  readonly store: AttrStore;
  /** The Loc-RIB's best routes of one family, in table order (a snapshot is not taken: read lazily). */
  bestRoutes(ipv6: boolean): Iterator<RibRoute>;
  /** Reset the session with the peer at `address` (deferred to the next turn of the event loop). */
  resetPeer(address: string): boolean;
  /**
   * Queue a message of `type` (not 1..5) with `body` after the header to the Established session of the
   * peer at `address`, sent after the point's call. False when there is none or the message is too long.
   */
  sendMessage(address: string, type: number, body: Uint8Array): boolean;
  /** The route for `prefix` received from `peer` (post-policy), what `peer` was sent, or withdraw it. */
  receivedRoute(prefix: PrefixValue, peer: PeerSelector): RibRoute | undefined;
  sentRoute(prefix: PrefixValue, peer: PeerSelector): RibRoute | undefined;
  removeRoute(prefix: PrefixValue, peer: PeerSelector): boolean;
}

/** Origin validation as rpki_validate_origin reaches it (daemon/rpki/vrp-table.ts VrpTable). */
export interface RpkiLookup {
  validate(
    ipv6: boolean,
    prefix: Uint8Array,
    length: number,
    origin: number,
  ): 'valid' | 'invalid' | 'not-found';
}

/** A peer named by a plugin's ubpf_peer_info: its router id, or its address when the router id is 0. */
export interface PeerSelector {
  readonly routerId: number;
  readonly address: Uint8Array | undefined;
}

/** What the base helpers need from the plugin beyond its memory. */
export interface PluginServices {
  readonly extraConf: ExtraConf | undefined;
  /** The router (RIB iteration, peer_session_reset), when the plugin runs inside a daemon. */
  router?(): RouterAccess | undefined;
  /** The VRPs of the daemon's RTR client (rpki_validate_origin), when an `rpki:` section is configured. */
  rpki?(): RpkiLookup | undefined;
  /** A plugin's log line (`log_msg`, `ebpf_print`); the host adds plugin, pluglet, point and peer. */
  log(level: PluginLogLevel, message: string, call: Call): void;
  /** Monotonic milliseconds (`get_time`) and wall-clock milliseconds since the epoch (`get_realtime`). */
  monotonicMs(): number;
  realtimeMs(): number;
}

/** A peer as the peer helpers describe it (ubpf_peer_info). */
export interface PeerInfo {
  readonly asn: number;
  /** BGP Identifier as a u32 (host order, as xBGP gives it). */
  readonly routerId: number;
  /** EBGP_SESSION 0, IBGP_SESSION 1, LOCAL_SESSION 2. */
  readonly peerType: number;
  /** 4 or 16 octets; undefined for our own routes. */
  readonly address: Uint8Array | undefined;
  /** Our side of the session (local_bgp_session). */
  readonly local?: PeerInfo | undefined;
}

/** Where bgp_encode_attr pluglets write (write_to_buffer). */
export interface EncodeOutput {
  /** Append bytes; false when they do not fit. */
  append(bytes: Uint8Array): boolean;
}

/** What a job plugin's run offers (`reschedule_plugin`). */
export interface JobControl {
  reschedule(seconds: number): void;
}

export class Call implements Invocation {
  pluglet: Pluglet | undefined = undefined;
  nextRequested = false;
  helperFault: PlugletFault | undefined = undefined;
  faults = 0;
  readonly execInfo = new Uint8Array(EXEC_INFO.size);
  /** get_arg: the argument bytes by ARG_* type, for this call (set by the point's caller). */
  readonly args = new Map<number, Uint8Array>();
  /** Set for job plugin runs. */
  job: JobControl | undefined = undefined;

  // What the point offers the BGP helpers (helpers/bgp.ts); undefined where it offers nothing.
  /** The current route (decode, filters). */
  route: RouteState | undefined = undefined;
  /** Decision steps: the routes compared and their peers. */
  routeNew: RouteState | undefined = undefined;
  routeOld: RouteState | undefined = undefined;
  peerNew: PeerInfo | undefined = undefined;
  peerOld: PeerInfo | undefined = undefined;
  /** The current route's prefix. */
  prefix: PrefixValue | undefined = undefined;
  /** The peer the route came from, and the peers it goes to. */
  sourcePeer: PeerInfo | undefined = undefined;
  destinationPeers: readonly PeerInfo[] | undefined = undefined;
  /** Where destinationPeers comes from when it is made only if a helper asks (the outbound filter). */
  destinationsOf: (() => readonly PeerInfo[]) | undefined = undefined;

  /** The peers the route goes to: destinationPeers, else made now by destinationsOf. */
  destinations(): readonly PeerInfo[] | undefined {
    return this.destinationPeers ?? this.destinationsOf?.();
  }
  /** bgp_encode_attr: the attribute being encoded and where the pluglet writes. */
  currentAttribute: (StoredAttribute & { code: number }) | undefined = undefined;
  output: EncodeOutput | undefined = undefined;
  /** RIB iterators opened by the running pluglet (new_rib_iterator); closed when its run ends. */
  readonly iterators = new Map<number, { routes: Iterator<RibRoute>; ahead: RibRoute | undefined }>();

  /** After every pluglet run (runtime.ts): iterators do not outlive the run. */
  endRun(): void {
    if (this.iterators.size > 0) this.iterators.clear();
  }

  constructor(
    readonly point: PointSpec,
    readonly services: (plugin: Plugin) => PluginServices,
  ) {}

  /** What the point offers the helpers (points.ts PointContext). */
  offers(what: PointContext): boolean {
    return this.point.context.includes(what);
  }

  /** Write the exec_info_t of the next anchor: whether a replace value is set, which, and the point id. */
  private readonly infoView = new DataView(this.execInfo.buffer);

  /**
   * Write the exec_info_t of the next anchor (into `out`, this Call's execInfo): whether a replace value
   * is set, which, and the point id; at xbgp-api's offsets, without allocating (it runs per route).
   */
  readonly writeInfo = (out: Uint8Array, valueSet: boolean, value: bigint): void => {
    const view = out === this.execInfo ? this.infoView : new DataView(out.buffer, out.byteOffset);
    const f = EXEC_INFO.fields;
    view.setInt32(f.return_val_set.offset, valueSet ? 1 : 0, true);
    view.setBigUint64(f.replace_return_value.offset, BigInt.asUintN(64, value), true);
    view.setInt32(f.insertion_point_id.offset, this.point.id, true);
  };
}

// ===== what every helper implementation uses =====

/** The Call a helper runs in. The host always passes one; anything else is a programming error. */
export function callOf(ctx: HelperContext): Call {
  return ctx.user as Call;
}

export function memoryOf(ctx: HelperContext): PluginMemory {
  return callOf(ctx).pluglet!.plugin.memory;
}

/**
 * A helper used wrongly (a bad argument, no meaning at this point): the run faults with
 * ERR_PLUGIN_HELPER at the call's pc, the call takes the native path, and the fault is counted.
 */
export function helperMisuse(ctx: HelperContext, helper: string, message: string): VmFault {
  const fault = new VmFault(FaultCodes.HELPER_FAILED, ctx.pc, `${helper}: ${message}`);
  callOf(ctx).helperFault = { code: 'ERR_PLUGIN_HELPER', pc: ctx.pc, message: `${helper}: ${message}` };
  return fault;
}

/** The VM address of heap offset `offset` (0n = NULL for a negative offset). */
export function heapAddress(ctx: HelperContext, offset: number): bigint {
  if (offset < 0) return 0n;
  const p = callOf(ctx).pluglet;
  return p?.heapBase ? p.heapAddress(offset) : ctx.mem.addressOf(HEAP_REGION)! + BigInt(offset);
}

/** The VM address of shared-memory offset `offset` (0n = NULL for a negative offset). */
export function sharedAddress(ctx: HelperContext, offset: number): bigint {
  if (offset < 0) return 0n;
  const p = callOf(ctx).pluglet;
  return p?.sharedBase ? p.sharedAddress(offset) : ctx.mem.addressOf(SHARED_REGION)! + BigInt(offset);
}

/** heapAddress for the number convention: the VM address as a number (0 = NULL for a negative offset). */
export function heapAt(ctx: HelperContext, offset: number): number {
  if (offset < 0) return 0;
  const p = callOf(ctx).pluglet;
  return (
    (p !== undefined && p.heapBaseAt !== 0 ? p.heapBaseAt : Number(ctx.mem.addressOf(HEAP_REGION)!)) + offset
  );
}

/** sharedAddress for the number convention (0 = NULL for a negative offset). */
export function sharedAt(ctx: HelperContext, offset: number): number {
  if (offset < 0) return 0;
  const p = callOf(ctx).pluglet;
  return (
    (p !== undefined && p.sharedBaseAt !== 0 ? p.sharedBaseAt : Number(ctx.mem.addressOf(SHARED_REGION)!)) +
    offset
  );
}

/** The heap offset of VM address `addr`, or -1 when it is not in the heap. */
export function heapOffset(ctx: HelperContext, addr: bigint): number {
  const base = ctx.mem.addressOf(HEAP_REGION);
  if (base === undefined || addr < base) return -1;
  const off = addr - base;
  return off < BigInt(memoryOf(ctx).heap.length) ? Number(off) : -1;
}

/** A heap copy of `bytes`: its VM address, or 0n (NULL) when the heap is full. */
export function copyToHeap(ctx: HelperContext, bytes: Uint8Array): bigint {
  return heapAddress(ctx, memoryOf(ctx).copyIn(bytes));
}

/** `size` bytes of heap (zeroed when `zero`): the VM address, or 0n (NULL). */
export function allocHeap(ctx: HelperContext, size: number, zero = false): bigint {
  return heapAddress(ctx, memoryOf(ctx).alloc(size, zero));
}

/** Read `len` bytes at `addr` (a copy), or the VmFault of an access outside the program's memory. */
export function readIn(ctx: HelperContext, addr: bigint, len: number): Uint8Array | VmFault {
  const view = ctx.mem.read(addr, len);
  return view instanceof VmFault ? view : view.slice();
}

/** readIn for the number convention (`addr` a number). */
export function readInAt(ctx: HelperContext, addr: number, len: number): Uint8Array | VmFault {
  return ctx.mem.copyAt(addr, len);
}

/** asLength of a register passed as a number (below 2^53). */
export function lengthOf(v: number): number {
  return v > 0x7fff_ffff ? -1 : v;
}

/** A u64 register as a length: a number, or -1 when it is beyond what any region can hold. */
export function asLength(v: bigint): number {
  return v > 0x7fff_ffffn ? -1 : Number(v);
}

/** Registers carry u64; C int / key_t arguments are their low 32 bits, signed. */
export function asInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** A C int result (-1, 0...) as the u64 r0. */
export function intResult(v: number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

// The codec insertion points, bgp_decode_attr and bgp_encode_attr, as the RDE's AttributeDecodeHook and
// AttributeEncodeHook (rde/plugin-hook.ts), one per peer. They let a plugin put attributes xbgpd does not
// know on a route, keep them through the RIB and send them on.
//
// Which pluglets run for an attribute: a pluglet that declares `codes` (the manifest's xbgpd extension)
// runs only for those codes. Without a declaration, a decode pluglet runs for every attribute, and an
// encode pluglet for every attribute whose code xbgpd's codec does not know (the opaque kind, such as
// those a decode pluglet stored): what xBGP's hosts offer it. No call is made only to hear next().
//
// bgp_decode_attr, once per path attribute of a received UPDATE that announces routes and that the
// session does not already treat as withdrawn (MP_REACH_NLRI and MP_UNREACH_NLRI are not offered: their
// NLRI are the routes themselves; nor are attributes the codec found malformed). get_arg gives ARG_CODE, ARG_FLAGS (as received), ARG_DATA (the value), ARG_LENGTH
// (u16); get_attr_from_code reads the UPDATE's attributes as received, with what pluglets stored so far.
// EXIT_SUCCESS: consumed, the attribute is replaced by what the pluglets stored with add_attr (nothing:
// it is dropped). PLUGIN_FILTER_REJECT: the UPDATE's routes are withdrawn (RFC 7606 treat-as-withdraw).
// EXIT_FAILURE, the end of the chain: native decoding (what was stored is kept). A fault or a value the
// point does not define: native decoding, and the call's changes are dropped. Stored attributes go on the
// route as they are, after the native normalisation, in place of any native one of the same code.
//
// bgp_encode_attr, once per attribute of a set sent to the peer (the Adj-RIB-Out set) that a pluglet
// runs for. get_attr and get_arg(ARG_BGP_ATTRIBUTE) give the attribute as stored, get_attr_from_code the
// set's others, get_peer_info the peer (there is no source peer: one encoding serves routes from many).
// A return of 1..4096 equal to the bytes the same pluglet wrote with write_to_buffer, which must be one
// whole attribute of that code (flags, code, length, value) that the peer's codec reads without error,
// replaces the native encoding. 0, the end of the chain: native. A fault, another count, or bytes that are
// not such an attribute: native, and the pluglet's fault is counted. Nothing is cached.
import {
  ArgType,
  EXIT_FAILURE,
  EXIT_SUCCESS,
  MAX_ENCODED_ATTR_BYTES,
  PLUGIN_FILTER_REJECT,
  pathAttributeSize,
  pointByName,
  verdictOf,
  writePathAttribute,
  type PointSpec,
} from '../../../xbgp-api/index.js';
import { attributeDescriptor, makeRawAttribute, type PathAttribute } from '../../wire/index.js';
import type { AttrSet, AttrStore, StoredAttribute } from '../../rde/attr-store.js';
import type { AttributeDecodeHook, AttributeEncodeHook, DecodeOutcome } from '../../rde/plugin-hook.js';
import { Call, type EncodeOutput, type PeerInfo, type PluginServices } from '../call.js';
import type { PluginHost } from '../host.js';
import { RouteState, oneAttribute } from '../route.js';
import { failed, runPost, runPre, runReplace, type Chain, type Plugin, type Pluglet } from '../runtime.js';

export const DECODE_POINT = 'bgp_decode_attr';
export const ENCODE_POINT = 'bgp_encode_attr';

// ===== which pluglets run for a code =====

/** Per host: the attribute codes each pluglet declared (undefined: none declared). */
const declared = new WeakMap<PluginHost, Map<Pluglet, ReadonlySet<number> | undefined>>();

function codesOf(host: PluginHost, p: Pluglet): ReadonlySet<number> | undefined {
  let byPluglet = declared.get(host);
  if (byPluglet === undefined) {
    byPluglet = new Map();
    for (const loaded of host.plugins)
      for (const q of loaded.pluglets) {
        const codes = loaded.manifest.pluglets.get(q.name)?.codes;
        byPluglet.set(q, codes === undefined ? undefined : new Set(codes));
      }
    declared.set(host, byPluglet);
  }
  return byPluglet.get(p);
}

/** A point's chain split per attribute code: the pluglets that run for each code, built when first asked. */
class CodeChains {
  private readonly byCode = new Map<number, Chain | null>();

  constructor(
    private readonly chain: Chain,
    private readonly runsFor: (p: Pluglet, code: number) => boolean,
  ) {}

  /** The pluglets that run for `code`, or undefined when none does. */
  of(code: number): Chain | undefined {
    let c = this.byCode.get(code);
    if (c === undefined) {
      const keep = (list: readonly Pluglet[]): Pluglet[] => list.filter((p) => this.runsFor(p, code));
      const built = {
        pre: keep(this.chain.pre),
        replace: keep(this.chain.replace),
        post: keep(this.chain.post),
      };
      c = built.pre.length + built.replace.length + built.post.length === 0 ? null : built;
      this.byCode.set(code, c);
    }
    return c ?? undefined;
  }
}

/** A replace value the point defines (the others are faults of the pluglet). */
function definedAt(point: PointSpec): (v: bigint) => boolean {
  return (v) => verdictOf(point, v) !== undefined;
}

// ===== bgp_decode_attr =====

/**
 * The route at bgp_decode_attr: the UPDATE's attributes as received (an interned set, `base`), plus what
 * the pluglets store. A call's stores are pending until the call ends: committed when it did not fault,
 * dropped when it did (the stores of earlier calls stay).
 */
class DecodeRoute extends RouteState {
  private readonly stored = new Map<number, StoredAttribute>();
  private readonly pending = new Map<number, StoredAttribute>();

  begin(base: AttrSet, store: AttrStore): void {
    this.reset(base, false, store);
    this.stored.clear();
    this.pending.clear();
  }

  override put(code: number, flags: number, value: Uint8Array): number {
    const r = super.put(code, flags, value);
    if (r === 0) this.pending.set(code, this.get(code)!);
    return r;
  }

  commit(): void {
    for (const [code, a] of this.pending) this.stored.set(code, a);
    this.pending.clear();
  }

  rollback(): void {
    if (this.pending.size === 0) return;
    this.pending.clear();
    this.discard();
    for (const [code, a] of this.stored) super.put(code, a.flags, a.value);
  }

  /** The committed stores as attributes, in type-code order. */
  storedAttributes(): PathAttribute[] {
    return [...this.stored]
      .sort((a, b) => a[0] - b[0])
      .map(([code, a]) => makeRawAttribute(code, a.flags, a.value));
  }
}

class DecodeHook implements AttributeDecodeHook {
  private readonly call: Call;
  private readonly route = new DecodeRoute();
  private readonly chains: CodeChains;
  private readonly valid: (v: bigint) => boolean;

  constructor(
    chain: Chain,
    private readonly host: PluginHost,
    private readonly store: AttrStore,
    services: (plugin: Plugin) => PluginServices,
    source: PeerInfo,
  ) {
    const point = pointByName(DECODE_POINT)!;
    this.call = new Call(point, services);
    this.call.route = this.route;
    this.call.sourcePeer = source;
    this.valid = definedAt(point);
    this.chains = new CodeChains(chain, (p, code) => codesOf(host, p)?.has(code) ?? true);
  }

  run(attributes: readonly PathAttribute[]): DecodeOutcome {
    let base: AttrSet | undefined;
    let consumed: Set<PathAttribute> | undefined;
    let withdraw = false;
    for (const a of attributes) {
      if (a.type === 'mp-reach' || a.type === 'mp-unreach' || a.type === 'malformed') continue;
      const chain = this.chains.of(a.code);
      if (chain === undefined) continue;
      if (base === undefined) {
        base = this.store.intern(attributes);
        this.route.begin(base, this.store);
      }
      const verdict = this.runOne(chain, a);
      if (verdict === PLUGIN_FILTER_REJECT) {
        withdraw = true;
        break;
      }
      if (verdict === EXIT_SUCCESS) (consumed ??= new Set()).add(a);
    }
    if (base === undefined) return undefined;
    this.store.release(base);
    if (withdraw) return 'withdraw';
    const stored = this.route.storedAttributes();
    if (consumed === undefined && stored.length === 0) return undefined;
    const native = consumed === undefined ? attributes : attributes.filter((a) => !consumed.has(a));
    return { native, stored };
  }

  /** One call for attribute `a`: EXIT_SUCCESS, PLUGIN_FILTER_REJECT, or EXIT_FAILURE (native decoding). */
  private runOne(chain: Chain, a: PathAttribute): number {
    const call = this.call;
    const args = call.args;
    const n = a.raw.length;
    args.set(ArgType.ARG_CODE, Uint8Array.of(a.code));
    args.set(ArgType.ARG_FLAGS, Uint8Array.of(a.flags));
    args.set(ArgType.ARG_DATA, a.raw);
    args.set(ArgType.ARG_LENGTH, Uint8Array.of(n & 0xff, n >>> 8)); // the VM's order
    const route = this.route;
    const before = call.faults;
    runPre(chain, call, this.host, call.writeInfo);
    const value = runReplace(chain, call, this.host, call.writeInfo, this.valid);
    let verdict = EXIT_FAILURE;
    if (call.faults !== before) route.rollback();
    else {
      if (value !== undefined) verdict = Number(value);
      route.commit();
    }
    const beforePost = call.faults;
    runPost(chain, call, this.host, call.writeInfo, BigInt(verdict));
    if (call.faults !== beforePost) route.rollback();
    else route.commit();
    return verdict;
  }
}

/** bgp_decode_attr for peer `peer` (its PeerInfo `source`), or undefined when no pluglet is attached. */
export function attributeDecoder(
  host: PluginHost,
  store: AttrStore,
  services: (plugin: Plugin) => PluginServices,
  peer: string,
  source: PeerInfo,
): AttributeDecodeHook | undefined {
  const chain = host.chain(DECODE_POINT, peer);
  return chain === undefined ? undefined : new DecodeHook(chain, host, store, services, source);
}

// ===== bgp_encode_attr =====

/** Where write_to_buffer writes: the bytes of the pluglet that wrote last (another pluglet starts over). */
class EncodeBuffer implements EncodeOutput {
  readonly bytes = new Uint8Array(MAX_ENCODED_ATTR_BYTES);
  length = 0;
  writer: Pluglet | undefined = undefined;

  constructor(private readonly call: Call) {}

  reset(): void {
    this.length = 0;
    this.writer = undefined;
  }

  append(bytes: Uint8Array): boolean {
    const p = this.call.pluglet;
    if (p !== this.writer) {
      this.writer = p;
      this.length = 0;
    }
    if (this.length + bytes.length > this.bytes.length) return false;
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
    return true;
  }
}

class EncodeHook implements AttributeEncodeHook {
  private readonly call: Call;
  private readonly route = new RouteState();
  private readonly output: EncodeBuffer;
  private readonly chains: CodeChains;
  private readonly valid: (v: bigint) => boolean;

  constructor(
    chain: Chain,
    private readonly host: PluginHost,
    private readonly store: AttrStore,
    services: (plugin: Plugin) => PluginServices,
    destination: PeerInfo,
  ) {
    const point = pointByName(ENCODE_POINT)!;
    this.call = new Call(point, services);
    this.call.route = this.route;
    this.call.destinationPeers = [destination];
    this.output = new EncodeBuffer(this.call);
    const defined = definedAt(point);
    this.valid = (v) => v === 0n || defined(v);
    this.chains = new CodeChains(
      chain,
      (p, code) => codesOf(host, p)?.has(code) ?? attributeDescriptor(code) === undefined,
    );
  }

  handles(code: number): boolean {
    return this.chains.of(code) !== undefined;
  }

  encode(set: AttrSet, code: number, session: { ipv6: boolean; asn4: boolean }): PathAttribute | undefined {
    const chain = this.chains.of(code);
    const stored = chain === undefined ? undefined : this.store.attributeOf(set, code);
    if (chain === undefined || stored === undefined) return undefined;
    const call = this.call;
    this.route.reset(set, session.ipv6, this.store);
    call.currentAttribute = { code, flags: stored.flags, value: stored.value };
    const arg = new Uint8Array(pathAttributeSize(stored.value.length));
    writePathAttribute(arg, 0, { code, flags: stored.flags, data: stored.value });
    call.args.set(ArgType.ARG_BGP_ATTRIBUTE, arg);
    runPre(chain, call, this.host, call.writeInfo);
    this.output.reset();
    call.output = this.output;
    const value = runReplace(chain, call, this.host, call.writeInfo, this.valid);
    call.output = undefined;
    const encoded =
      value === undefined || value === 0n
        ? undefined
        : this.written(call.pluglet!, Number(value), code, session);
    runPost(chain, call, this.host, call.writeInfo, encoded === undefined ? 0n : value!);
    call.currentAttribute = undefined;
    return encoded;
  }

  /** The attribute pluglet `p` wrote, if it is `count` bytes and one valid attribute of `code`; else a fault. */
  private written(
    p: Pluglet,
    count: number,
    code: number,
    session: { asn4: boolean },
  ): PathAttribute | undefined {
    const out = this.output;
    const length = out.writer === p ? out.length : 0;
    if (length !== count) {
      const message = `returned ${count} but wrote ${length} bytes with write_to_buffer`;
      failed(p, { code: 'ERR_PLUGIN_BAD_RETURN', pc: -1, message }, this.host);
      return undefined;
    }
    const a = oneAttribute(out.bytes.slice(0, count), code, session.asn4);
    if (typeof a === 'string') {
      const message = `the ${count} bytes written are not a valid attribute ${code}: ${a}`;
      failed(p, { code: 'ERR_PLUGIN_BAD_ATTRIBUTE', pc: -1, message }, this.host);
      return undefined;
    }
    return a;
  }
}

/** bgp_encode_attr for peer `peer` (its PeerInfo `destination`), or undefined when no pluglet is attached. */
export function attributeEncoder(
  host: PluginHost,
  store: AttrStore,
  services: (plugin: Plugin) => PluginServices,
  peer: string,
  destination: PeerInfo,
): AttributeEncodeHook | undefined {
  const chain = host.chain(ENCODE_POINT, peer);
  return chain === undefined ? undefined : new EncodeHook(chain, host, store, services, destination);
}

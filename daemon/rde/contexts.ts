// The contexts the pipeline stages run in (pipeline.ts InboundContext, OutboundContext), built from a
// peer's spec and session, the RDE's options and the plugin hooks in force: one peer's import side, a
// peer group's export side and the key that tells which peers share one Adj-RIB-Out. Pure builders: the
// Rde keeps the instances (and builds candidate ones for a plugin dry run).
import type { AttrStore } from './attr-store.js';
import { ExportKeyWriter } from './export-key.js';
import { SetCache, type InboundContext, type OutboundContext } from './pipeline.js';
import { hookPeerOf } from './peer-state.js';
import type { HookPeer, RdePlugins } from './plugin-hook.js';
import type { CompiledPolicyLike, PolicyCompiler } from './policy-hook.js';
import type { ExportSettings } from './propagation.js';
import type { PolicyRule } from '../config/types.js';
import { addressBytes, ipVersion } from '../net/address.js';
import type { PeerSessionInfo, PeerSpec } from '../session/rde-port.js';

/** The RDE options the contexts depend on. */
export interface ContextOptions {
  readonly localAsn: number;
  readonly ebgpRequiresPolicy: boolean;
  readonly compilePolicy?: PolicyCompiler | undefined;
}

export class PipelineContexts {
  constructor(
    private readonly options: ContextOptions,
    private readonly store: AttrStore,
  ) {}

  /** The import side of a peer: RFC 8212, its compiled policy and what `next-hop: self` means on it (its address). */
  inbound(spec: PeerSpec, info: PeerSessionInfo, plugins: RdePlugins | undefined): InboundContext {
    return {
      localAsn: this.options.localAsn,
      denyAllEbgp: this.options.ebgpRequiresPolicy && !info.ibgp && spec.importPolicy === undefined,
      policy: this.compile(spec.importPolicy),
      selfNextHop:
        ipVersion(spec.address) === 6
          ? [undefined, addressBytes(spec.address)]
          : [addressBytes(spec.address), undefined],
      cache: new SetCache(),
      plugin: plugins?.inbound(hookPeerOf(spec, info)),
      pluginCache: new SetCache(),
    };
  }

  /**
   * Peers with identical export settings share one Adj-RIB-Out; session details that only change the
   * encoding (4-octet AS, ADD-PATH, message size, families) stay per member.
   */
  groupKey(spec: PeerSpec, info: PeerSessionInfo, plugins: RdePlugins | undefined): string {
    return JSON.stringify([
      info.ibgp,
      spec.nextHopSelf,
      spec.sendMed,
      info.nextHopIpv4,
      info.nextHopIpv6,
      this.options.ebgpRequiresPolicy && !info.ibgp && spec.exportPolicy === undefined,
      spec.exportPolicy ?? null,
      plugins?.outboundKey(spec.name) ?? '',
    ]);
  }

  /** The export side of a group (`hookPeers`: its members as outbound plugins see them). */
  outbound(
    spec: PeerSpec,
    info: PeerSessionInfo,
    plugins: RdePlugins | undefined,
    hookPeers: ReadonlySet<HookPeer>,
  ): OutboundContext {
    const settings: ExportSettings = {
      localAsn: this.options.localAsn,
      ibgp: info.ibgp,
      nextHopSelf: spec.nextHopSelf,
      sendMed: spec.sendMed,
      nextHopIpv4: addressBytes(info.nextHopIpv4),
      nextHopIpv6: addressBytes(info.nextHopIpv6),
      denyAllEbgp: this.options.ebgpRequiresPolicy && !info.ibgp && spec.exportPolicy === undefined,
    };
    return {
      settings,
      policy: this.compile(spec.exportPolicy),
      exporter: new ExportKeyWriter(this.store),
      plugin: plugins?.outbound(spec.name, hookPeers),
      cache: [
        { local: new SetCache(), ebgp: new SetCache(), ibgp: new SetCache() },
        { local: new SetCache(), ebgp: new SetCache(), ibgp: new SetCache() },
      ],
      memo: { input: undefined, kind: 'local', ipv6: false, output: null },
    };
  }

  private compile(rules: PolicyRule[] | undefined): CompiledPolicyLike | undefined {
    if (rules === undefined || !this.options.compilePolicy) return undefined;
    return this.options.compilePolicy(rules, { localAs: this.options.localAsn });
  }
}

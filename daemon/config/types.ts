// The typed, validated, defaults-filled configuration that daemon/config/load.ts produces from YAML.
// Keys are the camelCase forms of the YAML keys (config/schema.json); everything else in the daemon
// reads only these types, never raw YAML.
import type { Family } from '../net/family.js';
import type { IpPrefix } from '../net/address.js';

// The family names of the YAML (`families`) are daemon/net's; here for the many readers of this file.
export { allFamilies, type Family } from '../net/family.js';

export type AddPathMode = 'none' | 'receive' | 'send' | 'both';

export interface ListenConfig {
  address: string;
  port: number;
}

/** YAML `admin`: the admin API (daemon/admin). Paths are absolute. */
export interface AdminConfig {
  address: string;
  /** 0 = any free port. */
  port: number;
  /** The bearer token (YAML `token`), or the file holding it (YAML `token-file`, read at start). */
  token?: string;
  tokenFile?: string;
  /** HTTPS with this certificate and key (PEM files). YAML `tls: {cert, key}`. */
  tls?: { cert: string; key: string };
  /** `/metrics` answers without the token. YAML `public-metrics`, default false. */
  publicMetrics: boolean;
  /** Where plugins loaded over the API are kept. YAML `state-dir`, default `xbgpd-state` beside the file. */
  stateDir: string;
}

/** The token config/xbgpd.yaml ships with: refused on an address other than loopback. */
export const EXAMPLE_ADMIN_TOKEN = 'change-me';

export interface CapabilityConfig {
  /** RFC 6793 4-octet AS numbers. */
  fourOctetAs: boolean;
  /** RFC 2918 route refresh. */
  routeRefresh: boolean;
  /** RFC 7313 enhanced route refresh. */
  enhancedRouteRefresh: boolean;
  /** RFC 8654 extended messages (up to 65535 octets). */
  extendedMessage: boolean;
  /** RFC 7911 ADD-PATH, the same mode for every configured family. */
  addPath: AddPathMode;
  /** RFC 4724 graceful restart capability (restart time in seconds), or null to not advertise it. */
  gracefulRestart: { restartTime: number } | null;
}

export interface PeerConfig {
  name: string;
  description?: string;
  address: string;
  asn: number;
  /** Remote TCP port for outgoing connections. */
  port: number;
  localAddress?: string;
  /** Never connect; only accept the peer's connection. */
  passive: boolean;
  /** Configured but administratively down (no connection either way). */
  shutdown: boolean;
  /** eBGP multihop: the TTL we send with (and the hop count for ttl-security); undefined means
   *  directly connected (eBGP TTL 1). See daemon/session/transport.ts `ttlSettingsFor`. */
  multihop?: number;
  /** RFC 5082 GTSM: send TTL 255 and drop packets whose TTL is below 256 - hops (hops = multihop or 1).
   *  YAML `ttl-security`, default false. */
  ttlSecurity: boolean;
  /** Proposed hold time in seconds (0 = no keepalives); the session uses min(ours, theirs). */
  holdTime: number;
  connectRetryTime: number;
  /** RFC 4271 DelayOpen in seconds; 0 = off. */
  delayOpenTime: number;
  /** First idle hold time after a session goes down; doubles on each flap (RFC 4271 8.1.1 damping). */
  idleHoldTime: number;
  families: Family[];
  nextHopIpv4?: string;
  nextHopIpv6?: string;
  capabilities: CapabilityConfig;
  /** Set NEXT_HOP to our address on routes sent to this peer. Always done towards eBGP peers
   *  (RFC 4271 5.1.3); default false for iBGP peers. YAML `next-hop-self`. */
  nextHopSelf: boolean;
  /** Pass MULTI_EXIT_DISC on to this eBGP peer (RFC 4271 5.1.4 says not to by default). YAML `send-med`. */
  sendMed: boolean;
  /** Minimum seconds between two UPDATEs for the same prefix to this peer (RFC 4271 9.2.1.1); 0 = off.
   *  YAML `min-route-advertisement-interval`, default 0. */
  minRouteAdvertisementInterval: number;
  /** Import policy (Adj-RIB-In pre -> post). undefined = no policy configured (accept all, unless
   *  `ebgp-requires-policy` applies). YAML `import`: a policy name from `policies` or an inline rule list. */
  importPolicy?: PolicyRule[];
  /** Export policy (Loc-RIB -> Adj-RIB-Out). Same forms as importPolicy. YAML `export`. */
  exportPolicy?: PolicyRule[];
}

// ===== native policy (YAML `policies`, peer `import` / `export`) =====
// A policy is an ordered list of rules. A rule whose `match` holds applies its `set` actions, then
// its `action`: 'accept' or 'reject' end the evaluation; without `action` evaluation continues with
// the next rule. A route that reaches the end of the list is accepted.

export interface PrefixMatch {
  /** Normalised prefix text ("10.0.0.0/8"). */
  prefix: string;
  family: Family;
  /** Address bytes (4 or 16) and length of `prefix`. */
  address: Uint8Array;
  length: number;
  /** Route prefix length must lie in [ge, le]; both default to `length` (exact match). */
  ge: number;
  le: number;
}

export interface PolicyMatch {
  /** Any of these prefixes (OR). */
  prefix?: PrefixMatch[];
  asPath?: {
    /** The AS path contains every one of these ASNs. */
    contains?: number[];
    /** The origin AS (last ASN of the path) is one of these. */
    origin?: number[];
    /** JavaScript regular expression on the path as text: ASNs separated by single spaces, AS_SET
     *  members in braces ("65001 65002 {65003,65004}"). */
    regex?: string;
    /** Path length (RFC 4271 9.1.2.2 counting: an AS_SET counts 1) is at most / at least. */
    lengthLe?: number;
    lengthGe?: number;
  };
  /** Any of these RFC 1997 communities, as [asn, value] (OR). YAML "65000:100" or well-known names. */
  community?: [number, number][];
  /** Any of these RFC 8092 large communities [global, local1, local2] (OR). YAML "1:2:3". */
  largeCommunity?: [number, number, number][];
  /** NEXT_HOP (or MP_REACH next hop) equal to one of these addresses or inside one of these prefixes. */
  nextHop?: PrefixMatch[];
}

export interface PolicySet {
  localPref?: number;
  med?: number;
  /** Prepend our AS (or `asn`) `count` times. */
  prepend?: { asn?: number; count: number };
  community?: { add?: [number, number][]; remove?: [number, number][] };
  largeCommunity?: { add?: [number, number, number][]; remove?: [number, number, number][] };
  /**
   * The next hop: 'self' (our address on the session, or towards the peers on export), 'unchanged' (export:
   * the next hop the route has, not ours), or an address per family (routes of the other family keep theirs).
   */
  nextHop?: 'self' | 'unchanged' | { ipv4?: string; ipv6?: string };
}

export interface PolicyRule {
  /** For messages and the admin API. YAML `name`, optional. */
  name?: string;
  /** All conditions must hold (AND); an absent `match` always holds. */
  match?: PolicyMatch;
  set?: PolicySet;
  action?: 'accept' | 'reject';
}

export interface DecisionConfig {
  /** Compare MED between routes from different neighbouring ASes too. YAML `always-compare-med`. */
  alwaysCompareMed: boolean;
  /** Group routes by neighbouring AS before comparing MED (order-independent result). YAML `deterministic-med`. */
  deterministicMed: boolean;
}

/** YAML `originate[].prefix`: "10.0.0.0/24", "2001:db8::/32" (daemon/net parsePrefix). */
export type OriginatedPrefix = IpPrefix;

/**
 * One `plugins:` entry (YAML keys in comments). Paths are absolute (relative ones in the file are from the
 * config file's directory). The shape is daemon/plugins/host.ts's PluginEntry, which loads it.
 */
export interface PluginConfig {
  /** A `.plugin` (or `.json`) manifest, or a `.meta` file of includes. YAML `manifest`. */
  manifest: string;
  /** Where the objects are for plugins whose manifest has no `obj_dir`. YAML `obj-dir`. */
  objDir?: string;
  /** Typed extra configuration: YAML `conf` (inline, `{key: {type_arg, arg}}`, already checked) or
   *  `conf-file` (a JSON file `{"conf": {...}}`, read when the plugin loads). */
  extraConf?: { inline: unknown } | { file: string };
  /** Names of configured peers it applies to; undefined = every peer. YAML `peers`. */
  peers?: string[];
  /** Instructions per run, overriding the manifest's. YAML `budget`. */
  budget?: number;
  /** Disabled after `max` faults within `windowMs` (max 0 = never). YAML `fault-limit: {max, window}`
   *  (window in seconds), default 100 faults in 60 s. */
  faultLimit: { max: number; windowMs: number };
  /** Compile the pluglets to WebAssembly (false: the interpreter). YAML `jit`, default true. */
  jit: boolean;
  /** false: loaded and verified, attached nowhere. YAML `enabled`, default true. */
  enabled?: boolean;
  /** seq per pluglet name, in place of the manifest's. YAML `seq` (a name the plugin lacks fails its load). */
  seq?: Record<string, number>;
}

export interface SpeakerConfig {
  routerId: string;
  asn: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  listen: ListenConfig[];
  admin?: AdminConfig;
  peers: PeerConfig[];
  originate: OriginatedPrefix[];
  /** TABLE_DUMP_V2 file whose routes we originate (YAML `originate-mrt`, path relative to the config file). */
  originateMrt?: string;
  /** Named policies (YAML `policies`: name -> rule list), already resolved into peers' import/export. */
  policies: Record<string, PolicyRule[]>;
  /** RFC 8212: with no import (export) policy configured, eBGP routes are not accepted (sent).
   *  YAML `ebgp-requires-policy`, default false. */
  ebgpRequiresPolicy: boolean;
  decision: DecisionConfig;
  /** YAML `plugins`, in order: loaded by daemon/plugins (configured.ts) at start and on a reload. */
  plugins: PluginConfig[];
  /** YAML `rpki`: the RPKI cache the RTR client keeps VRPs from (daemon/rpki); absent: no RPKI. */
  rpki?: RpkiConfig;
}

/** YAML `rpki` (daemon/rpki): the cache and the RTR timers (RFC 8210 6), in seconds. */
export interface RpkiConfig {
  address: string;
  /** Default 323 (RFC 6810 IANA port rpki-rtr). */
  port: number;
  /** Until the cache sends its own (version 1 End of Data), and always with `keepTimers` or version 0. */
  refresh: number;
  retry: number;
  expire: number;
  /** YAML `keep-timers`: ignore the cache's timers (default false). */
  keepTimers: boolean;
  /** Seconds from a lost or refused connection to the next attempt (default 30). */
  reconnect: number;
  /** The version the first query is sent with (default 1; 0 forces RFC 6810). */
  version: 0 | 1;
}

// ===== defaults =====

export const defaults = {
  port: 179,
  holdTime: 90,
  connectRetryTime: 30,
  delayOpenTime: 0,
  idleHoldTime: 5,
  gracefulRestartTime: 120,
  /** Plugin fault limit: this many faults within pluginFaultWindow seconds disable a plugin. */
  pluginFaultMax: 100,
  pluginFaultWindow: 60,
  /** RPKI (RFC 6810 port, RFC 8210 6 recommended timers). */
  rpkiPort: 323,
  rpkiRefresh: 3600,
  rpkiRetry: 600,
  rpkiExpire: 7200,
  rpkiReconnect: 30,
} as const;

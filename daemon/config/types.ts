// The typed, validated, defaults-filled configuration that daemon/config/load.ts produces from YAML.
// Keys are the camelCase forms of the YAML keys (config/schema.json); everything else in the daemon
// reads only these types, never raw YAML.

export type Family = 'ipv4-unicast' | 'ipv6-unicast';
export const allFamilies: readonly Family[] = ['ipv4-unicast', 'ipv6-unicast'];

export type AddPathMode = 'none' | 'receive' | 'send' | 'both';

export interface ListenConfig {
  address: string;
  port: number;
}

export interface AdminConfig {
  address: string;
  port: number;
  token?: string;
}

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
  /** eBGP multihop TTL; undefined means directly connected (see README: Node cannot set TTL). */
  multihop?: number;
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
}

export interface OriginatedPrefix {
  /** As written, normalised: "10.0.0.0/24", "2001:db8::/32". */
  prefix: string;
  family: Family;
  address: string;
  length: number;
}

export interface PluginConfig {
  name: string;
  path?: string;
  [key: string]: unknown;
}

export interface SpeakerConfig {
  routerId: string;
  asn: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  listen: ListenConfig[];
  admin?: AdminConfig;
  peers: PeerConfig[];
  originate: OriginatedPrefix[];
  plugins: PluginConfig[];
}

// ===== defaults =====

export const defaults = {
  port: 179,
  holdTime: 90,
  connectRetryTime: 30,
  delayOpenTime: 0,
  idleHoldTime: 5,
  gracefulRestartTime: 120,
} as const;

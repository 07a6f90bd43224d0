// The vocabulary shared by every peer driver: what a router is configured with, and the normalized
// view of sessions, capabilities and routes that each driver extracts from its daemon's own CLI, so a
// scenario test can assert the same thing against BIRD, FRR, GoBGP and ExaBGP.

/** Address families the lab configures (AFI/SAFI). */
export type Family = 'ipv4-unicast' | 'ipv6-unicast';

/** One BGP neighbour of a lab router. */
export interface NeighborSpec {
  /** The neighbour's address (the TCP peer). */
  address: string;
  /** The neighbour's AS (2- or 4-octet). */
  asn: number;
  /** Our transport address (source of the TCP session). Default: our end of the link to `address`. */
  localAddress?: string;
  /** Proposed hold time in seconds (keepalive is a third of it). Default 9. */
  holdTime?: number;
  /** Wait for the neighbour to connect; never connect out. */
  passive?: boolean;
  /** Allow a neighbour that is not directly connected (eBGP multihop, TTL 255). */
  multihop?: boolean;
  /** Families to negotiate. Default: the family of the transport address. */
  families?: Family[];
  /**
   * Next hop to announce per family, needed when a family is carried over the other family's transport
   * (IPv6 routes over an IPv4 session). Default: the daemon's own choice.
   */
  nextHops?: Partial<Record<'ipv4' | 'ipv6', string>>;
  /** The neighbour is a route-reflection client of this router (RFC 4456; BIRD and FRR). */
  routeReflectorClient?: boolean;
}

/** A lab router: identity, neighbours and the prefixes it originates. */
export interface RouterSpec {
  routerId: string;
  asn: number;
  neighbors: NeighborSpec[];
  /** Prefixes to originate (IPv4 or IPv6, e.g. '192.0.2.0/24', '2001:db8:1::/48'). */
  routes?: string[];
  /** Attributes put on every originated route (BIRD and ExaBGP only; the others ignore it). */
  routeAttributes?: RouteAttributes;
  /** The CLUSTER_ID when this router reflects routes (`routeReflectorClient` neighbours; BIRD and FRR). */
  clusterId?: string;
}

/** Path attributes for originated routes (RouterSpec.routeAttributes). */
export interface RouteAttributes {
  /** RFC 1997 communities, "asn:value". */
  communities?: string[];
  /** MULTI_EXIT_DISC. */
  med?: number;
  /** Extra copies of the router's own AS in front of the AS_PATH (BIRD only). */
  prepend?: number;
}

/** RFC 4271 §8.2.2 session states, as every daemon's CLI is normalized to them. */
export type SessionState =
  'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established' | 'unknown';

/**
 * Capability names the lab normalizes to (what the neighbour advertised to us):
 * 'mp:ipv4-unicast', 'mp:ipv6-unicast', 'route-refresh', 'enhanced-route-refresh', 'four-octet-as',
 * 'graceful-restart', 'long-lived-graceful-restart', 'extended-message', 'add-path', 'fqdn',
 * 'extended-next-hop'.
 */
export type CapabilityName = string;

/** A neighbour as seen by a lab router. */
export interface NeighborStatus {
  address: string;
  state: SessionState;
  /** Capabilities the neighbour advertised in its OPEN (normalized names). */
  capabilities: CapabilityName[];
  /** Hold time negotiated on the current session, when established. */
  holdTime?: number;
  /**
   * The daemon's own words for why the session last went down (last error / NOTIFICATION), lower case,
   * e.g. "received: bad peer as". Undefined when it never went down.
   */
  lastError?: string;
}

/** A route a lab router received from a neighbour. */
export interface ReceivedRoute {
  prefix: string;
  /** Address of the neighbour that announced it. */
  from: string;
  nextHop?: string;
  asPath: number[];
  /** RFC 4456 ORIGINATOR_ID and CLUSTER_LIST, when the route has them (BIRD's parser fills them). */
  originatorId?: string;
  clusterList?: string[];
}

/** What every peer driver offers. */
export interface LabRouter {
  readonly kind: 'bird' | 'frr' | 'gobgp' | 'exabgp' | 'xbgpd';
  readonly name: string;
  readonly ns: string;
  readonly pid: number;
  neighbor(address: string): Promise<NeighborStatus>;
  /** Routes received from neighbours (locally originated routes excluded). */
  receivedRoutes(): Promise<ReceivedRoute[]>;
  /** Freeze with SIGSTOP / resume with SIGCONT. */
  freeze(): void;
  thaw(): void;
  /** Stop the daemon (SIGTERM then SIGKILL). */
  stop(): Promise<void>;
  /** Start the daemon again with the same configuration. */
  restart(): Promise<void>;
}

/** The address family of an IP address or prefix. */
export function familyOf(addressOrPrefix: string): 'ipv4' | 'ipv6' {
  return addressOrPrefix.includes(':') ? 'ipv6' : 'ipv4';
}

/** Families of a neighbour: explicit, or the transport's. */
export function neighborFamilies(n: NeighborSpec): Family[] {
  return n.families ?? [familyOf(n.address) === 'ipv6' ? 'ipv6-unicast' : 'ipv4-unicast'];
}

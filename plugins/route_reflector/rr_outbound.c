/*
 * rr_outbound: the route reflector's reflection rules (bgp_pre_outbound_filter, replace anchor).
 *
 * RFC 4271 forbids sending a route learned from an iBGP peer to another iBGP peer; xbgpd's native
 * propagation rules follow it. A route reflector (RFC 4456 6) relaxes it: a route from a client is
 * reflected to every other iBGP peer, a route from a non-client to the clients only. Routes learned
 * from eBGP peers and our own routes go to every iBGP peer natively: the pluglet leaves them alone.
 *
 * When it reflects a route (PLUGIN_FILTER_ACCEPT: sent although the native rules would not), it adds
 * what RFC 4456 8 asks for, on the copy sent:
 *   - ORIGINATOR_ID, the BGP Identifier of the peer the route came from, unless the route has one;
 *   - CLUSTER_LIST, with our CLUSTER_ID prepended (created when the route has none).
 * The native rules still apply everywhere else (never back to the peer the route came from; NEXT_HOP,
 * LOCAL_PREF and MED passed unchanged inside the AS; ORIGINATOR_ID and CLUSTER_LIST never leave it).
 *
 * The verdict depends on the attributes, the peer the route came from and the peer it goes to: the
 * manifest declares "depends-on": "peers", so xbgpd runs this pluglet for one destination peer at a
 * time (get_peer_info gives one peer) and reuses its result per source peer and attribute set.
 * Configuration: see route_reflector.h (cluster_id, clients).
 */
#include "route_reflector.h"

#define MAX_CLUSTERS 16383 /* a CLUSTER_LIST holds at most 65535 octets: room for ours below this many */

uint64_t rr_outbound(args_t *args UNUSED);

uint64_t rr_outbound(args_t *args UNUSED)
{
    struct ubpf_peer_info *src = get_src_peer_info(); /* NULL for our own routes */
    struct ubpf_peer_info *dst;
    struct rr_config *c;
    struct path_attribute *list;
    uint32_t originator;
    uint32_t small[8]; /* the new CLUSTER_LIST when it is short (most are): no heap allocation */
    uint8_t *value;
    unsigned int n = 0;
    int nb_peers = 0;

    dst = get_peer_info(&nb_peers);
    if (!src || !dst || nb_peers < 1)
        return PLUGIN_FILTER_UNKNOWN;
    /* Only iBGP to iBGP is route reflection; the native rules handle the rest. */
    if (src->peer_type != IBGP_SESSION || dst->peer_type != IBGP_SESSION)
        return PLUGIN_FILTER_UNKNOWN;
    c = rr_config(dst->local_bgp_session);
    if (!c)
        return PLUGIN_FILTER_UNKNOWN;
    /* From a non-client: to the clients only (RFC 4456 6). */
    if (!is_client(c, src) && !is_client(c, dst))
        return PLUGIN_FILTER_REJECT;

    /* ORIGINATOR_ID: kept when present (set by the first reflector), else the source peer's id. */
    if (!get_attr_from_code(ORIGINATOR_ID_ATTR_ID)) {
        originator = ebpf_htonl(src->router_id); /* router_id is a plain u32 */
        add_attr(ORIGINATOR_ID_ATTR_ID, ATTR_OPTIONAL, sizeof(originator), (uint8_t *)&originator);
    }

    /* CLUSTER_LIST: our CLUSTER_ID first, then the clusters the route went through. */
    list = get_attr_from_code(CLUSTER_LIST_ATTR_ID);
    if (list)
        n = list->length / 4;
    if (n > MAX_CLUSTERS)
        return PLUGIN_FILTER_UNKNOWN; /* cannot grow: left to the native rules (not reflected) */
    value = n < 8 ? (uint8_t *)small : ctx_malloc(4 * (n + 1));
    if (!value)
        return PLUGIN_FILTER_UNKNOWN;
    memcpy(value, &c->cluster_id, 4);
    if (n > 0)
        ebpf_memcpy(&value[4], list->data, 4 * n);
    add_attr(CLUSTER_LIST_ATTR_ID, ATTR_OPTIONAL, 4 * (n + 1), value);
    return PLUGIN_FILTER_ACCEPT; /* reflected: sent to this iBGP peer; the export policy still runs */
}

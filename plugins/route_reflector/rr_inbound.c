/*
 * rr_inbound: the route reflector's loop check (bgp_pre_inbound_filter, replace anchor).
 *
 * RFC 4456 8: a router that recognizes ORIGINATOR_ID "SHOULD ignore a route received with its BGP
 * Identifier as the ORIGINATOR_ID", and an RR that finds its own CLUSTER_ID in the CLUSTER_LIST of a
 * route "SHOULD" ignore it: either means the route went round a loop of reflectors back to us. Such
 * routes are rejected; every other route is left to the native import policy.
 *
 * The verdict depends on the attributes only ("depends-on": "attributes"). Configuration: see
 * route_reflector.h (cluster_id).
 */
#include "route_reflector.h"

uint64_t rr_inbound(args_t *args UNUSED);

uint64_t rr_inbound(args_t *args UNUSED)
{
    struct ubpf_peer_info *src;
    struct rr_config *c = ctx_shmget(CONFIG_KEY);
    struct path_attribute *attr;
    uint32_t id;
    unsigned int i;

    if (!c) {
        src = get_src_peer_info();
        if (!src || !(c = rr_config(src->local_bgp_session)))
            return PLUGIN_FILTER_UNKNOWN;
    }

    /* ORIGINATOR_ID (4 octets): our own BGP Identifier means the route is ours, come back. */
    attr = get_attr_from_code(ORIGINATOR_ID_ATTR_ID);
    if (attr && attr->length == 4) {
        memcpy(&id, attr->data, sizeof(id));
        if (id == c->router_id)
            return PLUGIN_FILTER_REJECT;
    }

    /* CLUSTER_LIST (4 octets per cluster): our CLUSTER_ID in it means we reflected it already. */
    attr = get_attr_from_code(CLUSTER_LIST_ATTR_ID);
    if (attr) {
        for (i = 0; i + 4 <= attr->length; i += 4) {
            memcpy(&id, &attr->data[i], sizeof(id));
            if (id == c->cluster_id)
                return PLUGIN_FILTER_REJECT;
        }
    }
    return PLUGIN_FILTER_UNKNOWN; /* the native import policy still runs */
}

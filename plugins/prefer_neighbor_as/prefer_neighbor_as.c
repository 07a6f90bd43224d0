/*
 * prefer_neighbor_as: a decision step (bgp_local_pref_decision, replace anchor).
 *
 * When the two routes compared come from different peers and exactly one of them was received from
 * a peer in the extra configuration's "preferred_as" (an int, the peer's AS number), that route
 * wins, before LOCAL_PREF is looked at: like giving that neighbour's routes a higher LOCAL_PREF,
 * without touching the attribute (so nothing changes on the wire). In every other case the pluglet
 * has no opinion (BGP_ROUTE_TYPE_UNKNOWN) and the native LOCAL_PREF step decides.
 *
 * Extra configuration (config file, `conf:` of the plugin's entry):
 *     preferred_as: { type_arg: int, arg: 65002 }
 *
 * Decision points run for every comparison of two routes for a prefix (they are not per peer).
 */
#include "xbgp_plugin_api.h"

uint64_t prefer_neighbor_as(args_t *args UNUSED);

/* The AS of the peer the route (BGP_ROUTE_TYPE_NEW or _OLD) came from: 0, or -1 if unknown. */
static __always_inline int peer_as(enum BGP_ROUTE_TYPE which, uint32_t *asn)
{
    struct bgp_route *route = get_bgp_route(which); /* a copy in the plugin's heap */

    if (!route || !route->peer_info)
        return -1;
    *asn = route->peer_info->as;
    return 0;
}

uint64_t prefer_neighbor_as(args_t *args UNUSED)
{
    struct global_info info;
    uint64_t preferred;
    uint32_t as_new, as_old;
    int is_new, is_old;

    if (get_extra_info("preferred_as", &info) != 0 ||
        get_extra_info_value(&info, &preferred, sizeof(preferred)) != 0)
        return BGP_ROUTE_TYPE_UNKNOWN;
    if (peer_as(BGP_ROUTE_TYPE_NEW, &as_new) != 0 || peer_as(BGP_ROUTE_TYPE_OLD, &as_old) != 0)
        return BGP_ROUTE_TYPE_UNKNOWN;

    is_new = as_new == preferred;
    is_old = as_old == preferred;
    if (is_new && !is_old)
        return BGP_ROUTE_TYPE_NEW;
    if (is_old && !is_new)
        return BGP_ROUTE_TYPE_OLD;
    return BGP_ROUTE_TYPE_UNKNOWN; /* both or neither: the native LOCAL_PREF step decides */
}

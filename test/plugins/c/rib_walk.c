/*
 * A job pluglet walking the IPv4 Loc-RIB: counts the best routes and sums their prefix lengths in shared
 * memory (key 3: two u64), then asks for the session with 10.0.0.1 to be reset.
 */
#include "xbgp_plugin_api.h"

uint64_t rib_walk(args_t *args UNUSED);

uint64_t rib_walk(args_t *args UNUSED)
{
    uint64_t *out = ctx_shmget(3);
    char peer[] = "10.0.0.1";
    int it;
    if (!out)
        out = ctx_shmnew(3, 2 * sizeof(uint64_t));
    if (!out)
        return 1;
    it = new_rib_iterator(XBGP_AFI_IPV4, XBGP_SAFI_UNICAST);
    if (it < 0)
        return 1;
    while (rib_has_route(it)) {
        struct bgp_route *r = next_rib_route(it);
        if (!r)
            break;
        out[0] += 1;
        out[1] += r->pfx.prefixlen;
    }
    rib_iterator_clean(it);
    peer_session_reset(peer);
    return 0;
}

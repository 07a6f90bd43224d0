/*
 * A job pluglet looking routes up: 10.1.0.0/16 as received from the peer with router id 1
 * (get_rib_out_entry) and as sent to the peer with router id 2 (get_route_sent_to_peer), then
 * withdrawing it from peer 1 (remove_route_from_rib). Results in shared memory (key 4: three u64:
 * attributes of the received route, attributes of the sent one, the removal's status + 10).
 */
#include "xbgp_plugin_api.h"

uint64_t rib_lookup(args_t *args UNUSED);

uint64_t rib_lookup(args_t *args UNUSED)
{
    uint64_t *out = ctx_shmget(4);
    struct ubpf_prefix pfx;
    struct ubpf_peer_info from, to;
    struct bgp_route *r;
    if (!out)
        out = ctx_shmnew(4, 3 * sizeof(uint64_t));
    if (!out)
        return 1;
    memset(&pfx, 0, sizeof(pfx));
    memset(&from, 0, sizeof(from));
    memset(&to, 0, sizeof(to));
    pfx.afi = XBGP_AFI_IPV4;
    pfx.safi = XBGP_SAFI_UNICAST;
    pfx.prefixlen = 16;
    pfx.u[0] = 10;
    pfx.u[1] = 1;
    from.router_id = 1;
    to.router_id = 2;
    r = get_rib_out_entry(0, &pfx, &from);
    out[0] = r ? (uint64_t)r->attr_nb : 0;
    r = get_route_sent_to_peer(&pfx, &to);
    out[1] = r ? (uint64_t)r->attr_nb : 0;
    out[2] = (uint64_t)(remove_route_from_rib(&pfx, &from) + 10);
    return 0;
}

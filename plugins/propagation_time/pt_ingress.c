/*
 * pt_ingress: stamps routes entering the AS with when and from whom they arrived
 * (bgp_pre_inbound_filter, replace).
 *
 * A route received from an eBGP peer gets the Arrival attribute (propagation_time.h): the wall clock
 * now, in milliseconds, and the peer's AS; any Arrival the peer sent is replaced (the route enters our
 * AS here). Routes from iBGP peers keep the Arrival of the router where they entered. The native
 * import policy still runs (PLUGIN_FILTER_UNKNOWN).
 * The value changes with every run (the clock), so no result may be reused: "depends-on": "anything".
 */
#include "propagation_time.h"

uint64_t pt_ingress(args_t *args UNUSED);

uint64_t pt_ingress(args_t *args UNUSED)
{
    struct ubpf_peer_info *src = get_src_peer_info();
    uint8_t wire[ARRIVAL_LENGTH];
    uint64_t now, now_be;
    uint32_t as_be;

    if (!src || src->peer_type != EBGP_SESSION)
        return PLUGIN_FILTER_UNKNOWN; /* iBGP: the route entered the AS elsewhere */
    if (now_ms(&now) != 0)
        return PLUGIN_FILTER_UNKNOWN;
    now_be = ebpf_htonll(now);
    as_be = ebpf_htonl(src->as);
    memcpy(&wire[0], &now_be, sizeof(now_be)); /* arrival time, ms since the epoch */
    memcpy(&wire[8], &as_be, sizeof(as_be));   /* the eBGP peer's AS */
    add_attr(ARRIVAL_ATTR_ID, ATTR_OPTIONAL, ARRIVAL_LENGTH, wire);
    return PLUGIN_FILTER_UNKNOWN;
}

/*
 * geo_ingress: tags routes entering the AS with this router's location (bgp_pre_inbound_filter, replace).
 *
 * A route received from an eBGP peer gets a GeoLoc attribute (geo_tags.h) holding the latitude and
 * longitude of the extra configuration, in place of any GeoLoc the peer sent (the location is where the
 * route entered our AS). Routes from iBGP peers keep the GeoLoc of the router where they entered. The native import policy still runs (PLUGIN_FILTER_UNKNOWN).
 * The change depends on the attributes only (the hook belongs to one peer): "depends-on": "attributes".
 */
#include "geo_tags.h"

uint64_t geo_ingress(args_t *args UNUSED);

uint64_t geo_ingress(args_t *args UNUSED)
{
    struct ubpf_peer_info *src = get_src_peer_info();
    struct geoloc here, wire;

    if (!src || src->peer_type != EBGP_SESSION)
        return PLUGIN_FILTER_UNKNOWN;
    if (my_location(&here) != 0)
        return PLUGIN_FILTER_UNKNOWN; /* no location configured: nothing to say */
    wire.latitude = (int32_t)ebpf_htonl((uint32_t)here.latitude);
    wire.longitude = (int32_t)ebpf_htonl((uint32_t)here.longitude);
    add_attr(GEOLOC_ATTR_ID, ATTR_OPTIONAL, GEOLOC_LENGTH, (uint8_t *)&wire);
    return PLUGIN_FILTER_UNKNOWN;
}

/*
 * geo_decision: the closer ingress wins, in place of the MED step (bgp_med_decision, replace).
 *
 * When both routes compared carry a GeoLoc, the one whose ingress router is closer to this router
 * (the location of the extra configuration) is better: traffic leaves the AS near where it is. Equal
 * distances, a route without GeoLoc or no location configured: the native MED step decides.
 *
 * The distance is compared squared, on a flat map of micro-degrees (longitude differences wrap round
 * at 180 degrees): enough to rank ingress points, without floating point (eBPF has none).
 */
#include "geo_tags.h"

uint64_t geo_decision(args_t *args UNUSED);

/* Where route `which` (BGP_ROUTE_TYPE_NEW or _OLD) entered the AS: 0, or -1 when it has no GeoLoc. */
static __always_inline int ingress_of(int which, struct geoloc *at)
{
    struct path_attribute *attr = get_attr_from_code_by_route(GEOLOC_ATTR_ID, which);
    struct geoloc wire;

    if (!attr || attr->length != GEOLOC_LENGTH)
        return -1;
    memcpy(&wire, attr->data, sizeof(wire));
    at->latitude = (int32_t)ebpf_ntohl((uint32_t)wire.latitude);
    at->longitude = (int32_t)ebpf_ntohl((uint32_t)wire.longitude);
    return 0;
}

static __always_inline uint64_t distance2(const struct geoloc *a, const struct geoloc *b)
{
    int64_t dlat = (int64_t)a->latitude - b->latitude;
    int64_t dlon = (int64_t)a->longitude - b->longitude;

    if (dlon < 0)
        dlon = -dlon;
    if (dlon > 180000000)
        dlon = 360000000 - dlon;
    return (uint64_t)(dlat * dlat) + (uint64_t)(dlon * dlon);
}

uint64_t geo_decision(args_t *args UNUSED)
{
    struct geoloc here, new_at, old_at;
    uint64_t d_new, d_old;

    if (my_location(&here) != 0 || ingress_of(BGP_ROUTE_TYPE_NEW, &new_at) != 0 ||
        ingress_of(BGP_ROUTE_TYPE_OLD, &old_at) != 0)
        return BGP_ROUTE_TYPE_UNKNOWN;
    d_new = distance2(&here, &new_at);
    d_old = distance2(&here, &old_at);
    if (d_new < d_old)
        return BGP_ROUTE_TYPE_NEW;
    if (d_old < d_new)
        return BGP_ROUTE_TYPE_OLD;
    return BGP_ROUTE_TYPE_UNKNOWN; /* as far: the native MED step decides */
}

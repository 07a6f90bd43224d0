/*
 * geo_tags.h: the GeoLoc attribute the geo_tags pluglets share, and where this router is.
 *
 * GeoLoc (type code 42, optional non-transitive; a code IANA has not assigned, used here as the example
 * does: every xbgpd router of the AS must use the same) holds where a route entered the AS: latitude
 * and longitude of the ingress router, each a signed 32-bit number of micro-degrees in network order
 * (8 octets). Extra configuration of every router (`conf:` of the plugin's entry):
 *     latitude:  { type_arg: int, arg: 48856600 }   micro-degrees, north positive
 *     longitude: { type_arg: int, arg: 2352200 }    micro-degrees, east positive
 */
#ifndef GEO_TAGS_H
#define GEO_TAGS_H

#include "xbgp_plugin_api.h"

#define GEOLOC_ATTR_ID 42
#define GEOLOC_LENGTH 8

struct geoloc {
    int32_t latitude;  /* micro-degrees */
    int32_t longitude; /* micro-degrees */
};

/* This router's location from the extra configuration: 0, or -1 when it is not configured. */
static __always_inline int my_location(struct geoloc *here)
{
    struct global_info info;
    uint64_t lat, lon;

    if (get_extra_info("latitude", &info) != 0 || get_extra_info_value(&info, &lat, sizeof(lat)) != 0)
        return -1;
    if (get_extra_info("longitude", &info) != 0 || get_extra_info_value(&info, &lon, sizeof(lon)) != 0)
        return -1;
    here->latitude = (int32_t)lat;
    here->longitude = (int32_t)lon;
    return 0;
}

#endif

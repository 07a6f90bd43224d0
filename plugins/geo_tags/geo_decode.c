/*
 * geo_decode: keeps the GeoLoc attribute of routes from other xbgpd routers (bgp_decode_attr, replace;
 * the manifest declares code 42 only).
 *
 * xbgpd does not know code 42, and drops an unknown optional non-transitive attribute as RFC 4271
 * says. This pluglet knows it: a well-formed GeoLoc (8 octets) is stored on the route, so it stays in
 * the RIB and is sent on to the other routers of the AS; a malformed one is dropped (consumed, nothing
 * stored) and the route is kept without it.
 */
#include "geo_tags.h"

uint64_t geo_decode(args_t *args UNUSED);

uint64_t geo_decode(args_t *args UNUSED)
{
    uint8_t *code = get_arg(ARG_CODE);
    uint16_t *len = get_arg(ARG_LENGTH);
    uint8_t *data = get_arg(ARG_DATA);

    if (!code || !len || !data || *code != GEOLOC_ATTR_ID)
        return EXIT_FAILURE; /* not ours: native decoding */
    if (*len == GEOLOC_LENGTH)
        add_attr(GEOLOC_ATTR_ID, ATTR_OPTIONAL, GEOLOC_LENGTH, data);
    return EXIT_SUCCESS; /* consumed: what was stored (or nothing) replaces it */
}

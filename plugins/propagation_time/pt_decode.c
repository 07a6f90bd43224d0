/*
 * pt_decode: keeps the Arrival attribute of routes from other xbgpd routers (bgp_decode_attr,
 * replace; the manifest declares code 45 only).
 *
 * xbgpd does not know code 45, and drops an unknown optional non-transitive attribute as RFC 4271
 * says. This pluglet knows it: a well-formed Arrival (12 octets) is stored on the route, so it stays in
 * the RIB and reaches the egress router; a malformed one is dropped (consumed, nothing stored) and the
 * route is kept without it.
 */
#include "propagation_time.h"

uint64_t pt_decode(args_t *args UNUSED);

uint64_t pt_decode(args_t *args UNUSED)
{
    uint8_t *code = get_arg(ARG_CODE);
    uint16_t *len = get_arg(ARG_LENGTH);
    uint8_t *data = get_arg(ARG_DATA);

    if (!code || !len || !data || *code != ARRIVAL_ATTR_ID)
        return EXIT_FAILURE; /* not ours: native decoding */
    if (*len == ARRIVAL_LENGTH)
        add_attr(ARRIVAL_ATTR_ID, ATTR_OPTIONAL, ARRIVAL_LENGTH, data);
    return EXIT_SUCCESS; /* consumed: what was stored (or nothing) replaces it */
}

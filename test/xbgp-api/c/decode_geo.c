/*
 * Decoder (bgp_decode_attr, replace anchor) of a GeoLoc-style attribute, code 42: two 32-bit
 * coordinates in network order (latitude then longitude, micro-degrees offset to be unsigned).
 * Stores it on the route with add_attr; other attribute codes go to the next pluglet.
 */
#include "xbgp_plugin_api.h"

#define GEO_ATTR_ID 42
#define GEO_ATTR_LEN 8
#define MAX_LATITUDE 180000000u
#define MAX_LONGITUDE 360000000u

uint64_t decode_geo(args_t *args UNUSED);

uint64_t decode_geo(args_t *args UNUSED)
{
    uint8_t *code, *flags, *data;
    uint16_t *len;
    uint8_t value[GEO_ATTR_LEN];
    uint32_t latitude, longitude;

    code = get_arg(ARG_CODE);
    flags = get_arg(ARG_FLAGS);
    len = get_arg(ARG_LENGTH);
    data = get_arg(ARG_DATA);
    if (!code || !flags || !len || !data)
        return EXIT_FAILURE;

    if (*code != GEO_ATTR_ID) {
        next();
        return EXIT_FAILURE;
    }
    /* a malformed value: treat the UPDATE as a withdrawal */
    if (*len != GEO_ATTR_LEN)
        return PLUGIN_FILTER_REJECT;

    ebpf_memcpy(value, data, *len);
    memcpy(&latitude, value, sizeof(latitude));
    memcpy(&longitude, value + 4, sizeof(longitude));
    if (ebpf_ntohl(latitude) > MAX_LATITUDE || ebpf_ntohl(longitude) > MAX_LONGITUDE)
        return PLUGIN_FILTER_REJECT;

    /* the value stays in wire encoding, as the API requires */
    if (add_attr(*code, *flags | ATTR_OPTIONAL | ATTR_TRANSITIVE, *len, value) != 0)
        return EXIT_FAILURE;
    return EXIT_SUCCESS;
}

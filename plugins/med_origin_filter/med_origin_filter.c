/*
 * med_origin_filter: an inbound filter (bgp_pre_inbound_filter, replace anchor).
 *
 * For every route received from the peers the plugin is attached to:
 *   - if the route's origin AS (the last AS of the AS_PATH) is listed in the extra configuration's
 *     "blocked_origins" (a list of int), the route is rejected;
 *   - otherwise its MULTI_EXIT_DISC is set to the extra configuration's "med" (an int), if given,
 *     and the native import policy decides as usual (PLUGIN_FILTER_UNKNOWN).
 *
 * Extra configuration (config file, `conf:` of the plugin's entry):
 *     med:             { type_arg: int, arg: 77 }
 *     blocked_origins: { type_arg: list, arg: [{ type_arg: int, arg: 64512 }] }
 *
 * The verdict depends on the attributes only (not on the prefix), which the manifest declares
 * ("depends-on": "attributes") so that xbgpd may reuse it for every route with the same attributes.
 */
#include "xbgp_plugin_api.h"

#define MAX_BLOCKED 64 /* entries of blocked_origins looked at */
#define MAX_SEGMENTS 64 /* AS_PATH segments looked at */

uint64_t med_origin_filter(args_t *args UNUSED);

/*
 * The origin AS of an AS_PATH in wire encoding, or 0 when there is none (an empty path: a route of
 * our own AS; or a path ending with an AS_SET). Segments are: type (1 octet), count (1 octet), then
 * count ASNs. xbgpd always hands AS_PATH to plugins with 4-octet ASNs.
 */
static __always_inline uint32_t origin_as(const struct path_attribute *path)
{
    unsigned int pos = 0, seg;
    uint32_t origin = 0;

    for (seg = 0; seg < MAX_SEGMENTS && pos + 2 <= path->length; seg++) {
        uint8_t type = path->data[pos];
        uint8_t count = path->data[pos + 1];
        unsigned int end = pos + 2 + 4u * count;

        if (end > path->length)
            return 0; /* malformed: xbgpd never passes one, but say nothing */
        origin = 0;
        if (type == AS_PATH_SEGMENT_SEQUENCE && count > 0) {
            memcpy(&origin, &path->data[end - 4], sizeof(origin));
            origin = ebpf_ntohl(origin);
        }
        pos = end;
    }
    return origin;
}

/* Whether asn is one of the extra configuration's blocked_origins. */
static __always_inline int is_blocked(uint32_t asn)
{
    struct global_info list, item;
    uint64_t value;
    int i;

    if (get_extra_info("blocked_origins", &list) != 0)
        return 0;
    for (i = 0; i < MAX_BLOCKED; i++) {
        if (get_extra_info_lst_idx(&list, i, &item) != 0)
            return 0; /* end of the list */
        if (get_extra_info_value(&item, &value, sizeof(value)) == 0 && value == asn)
            return 1;
    }
    return 0;
}

uint64_t med_origin_filter(args_t *args UNUSED)
{
    struct path_attribute *path = get_attr_from_code(AS_PATH_ATTR_ID);
    struct global_info med_info;
    uint64_t med;
    uint32_t wire_med;
    uint32_t origin;

    origin = path ? origin_as(path) : 0;
    if (origin != 0 && is_blocked(origin))
        return PLUGIN_FILTER_REJECT;

    if (get_extra_info("med", &med_info) == 0 && get_extra_info_value(&med_info, &med, sizeof(med)) == 0) {
        wire_med = ebpf_htonl((uint32_t)med); /* attribute values cross the API in network order */
        add_attr(MULTI_EXIT_DISC_ATTR_ID, ATTR_OPTIONAL, sizeof(wire_med), (uint8_t *)&wire_med);
    }
    return PLUGIN_FILTER_UNKNOWN; /* no final say: the native import policy still runs */
}

/*
 * bgp_pre_inbound_filter (replace): rejects routes whose origin AS (the last AS of the AS_PATH) is odd,
 * and gives the others MULTI_EXIT_DISC 42 (then lets the native filters run).
 */
#include "xbgp_plugin_api.h"

uint64_t odd_origin_med(args_t *args UNUSED);

uint64_t odd_origin_med(args_t *args UNUSED)
{
    struct path_attribute *path = get_attr_from_code(AS_PATH_ATTR_ID);
    uint32_t origin = 0, med;
    unsigned int pos = 0;

    if (!path)
        return PLUGIN_FILTER_UNKNOWN;
    /* segments: type (1), count (1), count 4-octet ASNs */
    while (pos + 2 <= path->length && pos < 1024) {
        uint8_t count = path->data[pos + 1];
        if (count > 0 && pos + 2 + 4u * count <= path->length) {
            uint32_t last;
            memcpy(&last, &path->data[pos + 2 + 4u * (count - 1)], sizeof(last));
            origin = ebpf_ntohl(last);
        }
        pos += 2 + 4u * count;
    }
    if (origin & 1)
        return PLUGIN_FILTER_REJECT;
    med = ebpf_htonl(42);
    if (add_attr(MULTI_EXIT_DISC_ATTR_ID, ATTR_OPTIONAL, sizeof(med), (uint8_t *)&med) != 0)
        return PLUGIN_FILTER_UNKNOWN;
    return PLUGIN_FILTER_UNKNOWN;
}

/*
 * Inbound filter (bgp_pre_inbound_filter, replace anchor), in the style of the published xBGP
 * plugins: reject the routes an eBGP peer announces when their origin AS is listed in the
 * plugin's extra configuration ("blocked_origins": a list of ints); leave every other route to
 * the next pluglet or the native policy. Includes the API the way the published plugins do.
 */
#include <stdint.h>
#include "../xbgp_compliant_api/xbgp_plugin_api.h"

#define MAX_SEGMENTS 64
#define MAX_BLOCKED 64

/* starting point */
uint64_t filter_origin_as(args_t *args UNUSED);

/* The last AS of the last AS_SEQUENCE (AS_PATH in wire encoding, 4-byte ASNs); 0 or -1. */
static __always_inline int origin_as(const struct path_attribute *as_path, uint32_t *asn)
{
    unsigned int i = 0, n;
    uint32_t last;
    int found = -1;

    for (n = 0; n < MAX_SEGMENTS && i + 2 <= as_path->length; n++) {
        uint8_t seg_type = as_path->data[i];
        uint8_t seg_len = as_path->data[i + 1];

        i += 2;
        if (seg_len == 0 || i + 4u * seg_len > as_path->length)
            return -1;
        if (seg_type == AS_PATH_SEGMENT_SEQUENCE) {
            memcpy(&last, &as_path->data[i + 4u * (seg_len - 1)], sizeof(last));
            *asn = ebpf_ntohl(last);
            found = 0;
        }
        i += 4u * seg_len;
    }
    return found;
}

static __always_inline int blocked(uint32_t asn)
{
    struct global_info list, item;
    uint64_t value;
    int idx;

    if (get_extra_info("blocked_origins", &list) != 0)
        return 0;
    for (idx = 0; idx < MAX_BLOCKED; idx++) {
        if (get_extra_info_lst_idx(&list, idx, &item) != 0)
            break;
        if (get_extra_info_value(&item, &value, sizeof(value)) == 0 && value == asn)
            return 1;
    }
    return 0;
}

uint64_t filter_origin_as(args_t *args UNUSED)
{
    struct ubpf_peer_info *src;
    struct path_attribute *as_path;
    struct ubpf_prefix *pfx;
    uint32_t asn;

    src = get_src_peer_info();
    if (!src || src->peer_type != EBGP_SESSION) {
        next();
        return PLUGIN_FILTER_UNKNOWN;
    }

    as_path = get_attr_from_code(AS_PATH_ATTR_ID);
    if (!as_path || origin_as(as_path, &asn) != 0 || !blocked(asn)) {
        next();
        return PLUGIN_FILTER_UNKNOWN;
    }

    pfx = get_prefix();
    log_msg(L_INFO "rejected a /%u from AS %u (peer AS %u)",
            LOG_U16(pfx ? pfx->prefixlen : 0), LOG_U32(asn), LOG_U32(src->as));
    return PLUGIN_FILTER_REJECT;
}

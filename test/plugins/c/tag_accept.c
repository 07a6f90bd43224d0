/*
 * bgp_pre_outbound_filter (replace): tags every route sent with community 65000:777 and accepts it,
 * even towards iBGP peers when it came from one (the native rules would not send it there).
 */
#include "xbgp_plugin_api.h"

uint64_t tag_accept(args_t *args UNUSED);

uint64_t tag_accept(args_t *args UNUSED)
{
    uint32_t tag = ebpf_htonl((65000u << 16) | 777u);
    if (add_attr(COMMUNITY_ATTR_ID, ATTR_OPTIONAL | ATTR_TRANSITIVE, sizeof(tag), (uint8_t *)&tag) != 0)
        return PLUGIN_FILTER_UNKNOWN;
    return PLUGIN_FILTER_ACCEPT;
}

/* bgp_pre_inbound_filter: changes the route, then stores out of bounds (the change must not survive). */
#include "xbgp_plugin_api.h"

uint64_t oob_store(args_t *args UNUSED);

uint64_t oob_store(args_t *args UNUSED)
{
    uint32_t med = ebpf_htonl(7);
    add_attr(MULTI_EXIT_DISC_ATTR_ID, ATTR_OPTIONAL, sizeof(med), (uint8_t *)&med);
    *(volatile uint64_t *)(uintptr_t)0x1000 = 1;
    return PLUGIN_FILTER_REJECT;
}

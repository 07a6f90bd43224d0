/* bgp_decode_attr: stores attribute 42 with another value, then stores out of bounds (nothing survives). */
#include "xbgp_plugin_api.h"

uint64_t decode_oob(args_t *args UNUSED);

uint64_t decode_oob(args_t *args UNUSED)
{
    uint32_t tag = ebpf_htonl(99);
    add_attr(42, ATTR_OPTIONAL, sizeof(tag), (uint8_t *)&tag);
    *(volatile uint64_t *)(uintptr_t)0x1000 = 1;
    return EXIT_SUCCESS;
}

/*
 * bgp_decode_message: handles messages of type 8 (xBGP's "zombie" example), counting them in shared
 * memory (key 8, one u64); any other type is left to xbgpd.
 */
#include "xbgp_plugin_api.h"

uint64_t msg_zombie(args_t *args UNUSED);

uint64_t msg_zombie(args_t *args UNUSED)
{
    uint8_t *type = get_arg(ARG_TYPE);
    uint64_t *count = ctx_shmget(8);
    if (!type || *type != 8)
        return EXIT_FAILURE;
    if (!count)
        count = ctx_shmnew(8, sizeof(uint64_t));
    if (!count)
        return EXIT_FAILURE;
    *count += 1;
    return EXIT_SUCCESS;
}

/* bgp_decode_attr (replace): consumes every attribute it is called for and stores nothing (drops it). */
#include "xbgp_plugin_api.h"

uint64_t decode_drop(args_t *args UNUSED);

uint64_t decode_drop(args_t *args UNUSED)
{
    return EXIT_SUCCESS;
}

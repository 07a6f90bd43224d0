/* bgp_pre_inbound_filter: never ends (the instruction budget must end it). */
#include "xbgp_plugin_api.h"

uint64_t endless(args_t *args UNUSED);

uint64_t endless(args_t *args UNUSED)
{
    volatile uint64_t i = 0;
    for (;;)
        i++;
    return PLUGIN_FILTER_REJECT;
}

/* bgp_decode_message: faults on every call (a store through a NULL pointer). */
#include "xbgp_plugin_api.h"

uint64_t msg_fault(args_t *args UNUSED);

uint64_t msg_fault(args_t *args UNUSED)
{
    volatile uint64_t *nowhere = (uint64_t *)0;
    *nowhere = 1;
    return EXIT_SUCCESS;
}

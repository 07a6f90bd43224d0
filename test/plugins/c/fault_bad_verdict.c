/* bgp_pre_inbound_filter: returns a value the point does not define. */
#include "xbgp_plugin_api.h"

uint64_t bad_verdict(args_t *args UNUSED);

uint64_t bad_verdict(args_t *args UNUSED)
{
    return 12345;
}

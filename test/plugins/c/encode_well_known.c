/*
 * bgp_encode_attr: writes attribute 42 without the Optional bit (a well-known attribute no speaker
 * knows: a peer would reset the session) and returns the right count.
 */
#include "xbgp_plugin_api.h"

uint64_t well_known(args_t *args UNUSED);

uint64_t well_known(args_t *args UNUSED)
{
    uint8_t buf[7] = {ATTR_TRANSITIVE, 42, 4, 0, 0, 0, 7};
    if (write_to_buffer(buf, sizeof(buf)) != 0)
        return 0;
    return sizeof(buf);
}

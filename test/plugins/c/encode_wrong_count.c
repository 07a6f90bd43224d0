/* bgp_encode_attr: writes a valid 7-byte attribute 42 but returns 8. */
#include "xbgp_plugin_api.h"

uint64_t wrong_count(args_t *args UNUSED);

uint64_t wrong_count(args_t *args UNUSED)
{
    uint8_t buf[7] = {ATTR_OPTIONAL, 42, 4, 0, 0, 0, 7};
    if (write_to_buffer(buf, sizeof(buf)) != 0)
        return 0;
    return sizeof(buf) + 1;
}

/*
 * bgp_decode_attr (replace): a "path tags" attribute, code 42: 1 to 16 tags of 4 octets (network
 * order). A well-formed one is stored on the route as received (Optional and Transitive bits kept);
 * a malformed one (no tag, a partial tag, too many) makes the UPDATE a withdrawal. Other codes go to
 * the next pluglet.
 */
#include "xbgp_plugin_api.h"

#define TAGS_ATTR_ID 42
#define MAX_TAGS 16

uint64_t decode_tags(args_t *args UNUSED);

uint64_t decode_tags(args_t *args UNUSED)
{
    uint8_t *code, *flags, *data;
    uint16_t *len;

    code = get_arg(ARG_CODE);
    flags = get_arg(ARG_FLAGS);
    len = get_arg(ARG_LENGTH);
    data = get_arg(ARG_DATA);
    if (!code || !flags || !len || !data)
        return EXIT_FAILURE;

    if (*code != TAGS_ATTR_ID) {
        next();
        return EXIT_FAILURE;
    }
    if (*len == 0 || *len % 4 != 0 || *len > 4 * MAX_TAGS)
        return PLUGIN_FILTER_REJECT;
    if (add_attr(TAGS_ATTR_ID, *flags & (ATTR_OPTIONAL | ATTR_TRANSITIVE), *len, data) != 0)
        return EXIT_FAILURE;
    return EXIT_SUCCESS;
}

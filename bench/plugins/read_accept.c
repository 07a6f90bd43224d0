/*
 * The benchmark's small filter (bgp_pre_inbound_filter or bgp_pre_outbound_filter): reads one attribute
 * (ORIGIN) of the route and accepts it, leaving the native filters to run. No dependency is declared, so
 * it runs on every route (the worst case: no verdict cached per attribute set).
 */
#include "xbgp_plugin_api.h"

uint64_t read_accept(args_t *args UNUSED);

uint64_t read_accept(args_t *args UNUSED)
{
    struct path_attribute *origin = get_attr_from_code(ORIGIN_ATTR_ID);
    if (origin && origin->length == 1 && origin->data[0] > 2)
        return PLUGIN_FILTER_REJECT;
    return PLUGIN_FILTER_ACCEPT;
}

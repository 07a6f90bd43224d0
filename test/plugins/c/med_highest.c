/*
 * bgp_med_decision (replace): prefers the HIGHER MULTI_EXIT_DISC (the native step prefers the lower);
 * without a MED on both routes it has no opinion and the native step decides.
 */
#include "xbgp_plugin_api.h"

uint64_t med_highest(args_t *args UNUSED);

static int med_of(int rte, uint32_t *med)
{
    struct path_attribute *a = get_attr_from_code_by_route(MULTI_EXIT_DISC_ATTR_ID, rte);
    if (!a || a->length != 4)
        return -1;
    memcpy(med, a->data, sizeof(*med));
    *med = ebpf_ntohl(*med);
    return 0;
}

uint64_t med_highest(args_t *args UNUSED)
{
    uint32_t med_new, med_old;
    if (med_of(BGP_ROUTE_TYPE_NEW, &med_new) != 0 || med_of(BGP_ROUTE_TYPE_OLD, &med_old) != 0)
        return BGP_ROUTE_TYPE_UNKNOWN;
    if (med_new == med_old)
        return BGP_ROUTE_TYPE_UNKNOWN;
    return med_new > med_old ? BGP_ROUTE_TYPE_NEW : BGP_ROUTE_TYPE_OLD;
}

/*
 * A post pluglet for decision points: counts, in shared memory (key 1, one u64 per point id up to 31),
 * the comparisons each point decided (NEW or OLD in exec_info).
 */
#include "xbgp_plugin_api.h"

#define COUNTERS_KEY 1
#define MAX_POINT 32

uint64_t step_counter(exec_info_t *info);

uint64_t step_counter(exec_info_t *info)
{
    uint64_t *counts = ctx_shmget(COUNTERS_KEY);
    if (!counts)
        counts = ctx_shmnew(COUNTERS_KEY, MAX_POINT * sizeof(uint64_t));
    if (!counts || !info->return_val_set)
        return 0;
    if (info->replace_return_value != BGP_ROUTE_TYPE_NEW && info->replace_return_value != BGP_ROUTE_TYPE_OLD)
        return 0;
    if (info->insertion_point_id >= 0 && info->insertion_point_id < MAX_POINT)
        counts[info->insertion_point_id]++;
    return 0;
}

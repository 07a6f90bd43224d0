/*
 * Post pluglet for the decision steps (post anchor of bgp_*_decision): counts, in shared memory,
 * how many comparisons each step decided, from the outcome the host passes in exec_info_t (r1).
 * stats[0] is the total, stats[point id] the count of that step; stats[STATS_NEW] counts the
 * comparisons the new route won.
 */
#include <xbgp_compliant_api/xbgp_plugin_api.h>

#define STATS_KEY 7
#define STATS_NEW (BGP_INITIAL_RTE_DECISION + 1)
#define STATS_SLOTS (STATS_NEW + 1)

uint64_t tie_counter(exec_info_t *info);

uint64_t tie_counter(exec_info_t *info)
{
    uint64_t *stats;
    int point;

    stats = ctx_shmget(STATS_KEY);
    if (!stats) {
        stats = ctx_shmnew(STATS_KEY, sizeof(uint64_t) * STATS_SLOTS);
        if (!stats)
            return BPF_FAILURE;
    }

    /* nothing was decided at this step */
    if (!info->return_val_set)
        return BPF_CONTINUE;

    point = whereami();
    if (point != info->insertion_point_id || point <= BGP_UNUSED || point > BGP_INITIAL_RTE_DECISION)
        return BPF_FAILURE;

    stats[0] += 1;
    stats[point] += 1;
    if (info->replace_return_value == BGP_ROUTE_TYPE_NEW)
        stats[STATS_NEW] += 1;

    if ((stats[0] & 0x3ff) == 0)
        log_msg(L_DEBUG "%llu comparisons decided, %llu by step %d", LOG_U64(stats[0]),
                LOG_U64(stats[point]), LOG_INT(point));
    return BPF_SUCCESS;
}

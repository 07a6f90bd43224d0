/*
 * decision_stats: counts which step of the decision process decided, in shared memory.
 *
 * The same pluglet is attached on the post anchor of every decision step (the manifest lists it
 * under one name per step). A post pluglet runs after the step, replace pluglets included, and
 * finds the step's outcome in exec_info: BGP_ROUTE_TYPE_NEW or _OLD when this step decided the
 * comparison, BGP_ROUTE_TYPE_UNKNOWN when the two routes tied here (the next step then runs). So
 * each comparison of two routes is counted once, at the step that decided it.
 *
 * The counters live in the plugin's shared memory (key 1), which persists across runs and is
 * shared by the plugin's pluglets. They are logged (log_msg, info level) at the first decision,
 * then at the first decision after every "log_interval" seconds (extra configuration, an int;
 * default 60; 0: never).
 *
 * Extra configuration (config file, `conf:` of the plugin's entry; optional):
 *     log_interval: { type_arg: int, arg: 60 }
 * export_stats.c sends the same counters as large communities (its "export_communities").
 */
#include "decision_stats.h"

#define DEFAULT_INTERVAL 60

uint64_t decision_stats(exec_info_t *info);

/* The counters, created (zeroed) by the first run. */
static __always_inline struct stats *stats_block(void)
{
    struct stats *s = ctx_shmget(STATS_KEY);

    return s ? s : ctx_shmnew(STATS_KEY, sizeof(struct stats));
}

static __always_inline int64_t log_interval(void)
{
    struct global_info info;
    uint64_t seconds;

    if (get_extra_info("log_interval", &info) != 0 || get_extra_info_value(&info, &seconds, sizeof(seconds)) != 0)
        return DEFAULT_INTERVAL;
    return (int64_t)seconds;
}

static __always_inline void log_stats(const struct stats *s)
{
    const uint64_t *d = s->decided;

    log_msg(L_INFO "decision steps: nexthop %lu, local-pref %lu, as-path %lu, origin %lu, med %lu, "
                   "ebgp-over-ibgp %lu, igp-cost %lu, router-id %lu, peer-address %lu",
            LOG_U64(d[BGP_NEXTHOP_RESOLVABLE_DECISION]), LOG_U64(d[BGP_LOCAL_PREF_DECISION]),
            LOG_U64(d[BGP_AS_PATH_LENGTH_DECISION]), LOG_U64(d[BGP_USE_ORIGIN_DECISION]),
            LOG_U64(d[BGP_MED_DECISION]), LOG_U64(d[BGP_PREFER_EXTERNAL_PEER_DECISION]),
            LOG_U64(d[BGP_IGP_COST_DECISION]), LOG_U64(d[BGP_ROUTER_ID_DECISION]),
            LOG_U64(d[BGP_IPADDR_DECISION]));
}

uint64_t decision_stats(exec_info_t *info)
{
    struct stats *s;
    struct timespec now;
    int64_t interval;

    /* Only a step that decided is counted (a tie leaves the comparison to the next step). */
    if (!info->return_val_set)
        return 0;
    if (info->replace_return_value != BGP_ROUTE_TYPE_NEW && info->replace_return_value != BGP_ROUTE_TYPE_OLD)
        return 0;
    if (info->insertion_point_id < 0 || info->insertion_point_id >= MAX_POINT)
        return 0;
    s = stats_block();
    if (!s)
        return 0;
    s->decided[info->insertion_point_id]++;

    interval = log_interval();
    if (interval <= 0 || get_time(&now) != 0 || now.tv_sec < s->next_log)
        return 0;
    log_stats(s);
    s->next_log = now.tv_sec + interval;
    return 0; /* post pluglets' return values are ignored */
}

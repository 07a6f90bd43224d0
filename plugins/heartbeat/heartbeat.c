/*
 * heartbeat: a job plugin. xbgpd runs it every "schedule" seconds of its manifest on the daemon's
 * main loop (never at the same time as a route is processed); it logs one line (log_msg, info
 * level) with how many times it ran and how long ago it first ran, and keeps that state in shared
 * memory (key 1) from run to run.
 *
 * With "period" in the extra configuration (an int, seconds, 1 or more) the first run switches the
 * job to that period with reschedule_plugin (the manifest's schedule then only sets the first run).
 *
 * Extra configuration (config file, `conf:` of the plugin's entry; optional):
 *     period: { type_arg: int, arg: 300 }
 */
#include "xbgp_plugin_api.h"

#define STATE_KEY 1

struct state {
    uint64_t runs;
    int64_t first_run; /* monotonic seconds */
};

uint64_t heartbeat(exec_info_t *info UNUSED);

uint64_t heartbeat(exec_info_t *info UNUSED)
{
    struct state *st = ctx_shmget(STATE_KEY);
    struct global_info conf;
    struct timespec now;
    uint64_t period;
    time_t seconds;

    if (get_time(&now) != 0)
        return 1;
    if (!st) {
        /* First run: create the state, and apply the configured period if there is one. */
        st = ctx_shmnew(STATE_KEY, sizeof(*st));
        if (!st)
            return 1;
        st->first_run = now.tv_sec;
        if (get_extra_info("period", &conf) == 0 && get_extra_info_value(&conf, &period, sizeof(period)) == 0 &&
            period >= 1) {
            seconds = (time_t)period;
            reschedule_plugin(&seconds);
        }
    }
    st->runs++;
    log_msg(L_INFO "heartbeat: run %lu, %ld s since the first", LOG_U64(st->runs),
            LOG_S64(now.tv_sec - st->first_run));
    return 0; /* a job's return value is ignored */
}

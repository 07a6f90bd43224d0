/*
 * A job pluglet: counts its runs in shared memory (key 7, one u64) and, after the first run, asks to
 * run every 2 seconds instead of its manifest's schedule.
 */
#include "xbgp_plugin_api.h"

uint64_t job_tick(args_t *args UNUSED);

uint64_t job_tick(args_t *args UNUSED)
{
    uint64_t *runs = ctx_shmget(7);
    time_t period = 2;
    if (!runs)
        runs = ctx_shmnew(7, sizeof(uint64_t));
    if (!runs)
        return 1;
    *runs += 1;
    if (*runs == 1)
        reschedule_plugin(&period);
    return 0;
}

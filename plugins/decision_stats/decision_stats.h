/*
 * decision_stats.h: the counters decision_stats.c keeps and export_stats.c sends, in the plugin's shared
 * memory (key 1), which both pluglets see.
 */
#ifndef DECISION_STATS_H
#define DECISION_STATS_H

#include "xbgp_plugin_api.h"

#define STATS_KEY 1
#define MAX_POINT 16 /* the decision steps' insertion point ids are 2..10 */

struct stats {
    uint64_t decided[MAX_POINT]; /* comparisons decided, by insertion point id */
    int64_t next_log;            /* monotonic seconds of the next log line; 0: at the next decision */
};

#endif

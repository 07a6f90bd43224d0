/*
 * export_stats: the decision counters of decision_stats.c, sent as large communities (RFC 8092) on the
 * routes to the peers of the plugin's entry (bgp_pre_outbound_filter, replace).
 *
 * Opt-in: with "export_communities" (an int, the Global Administrator to use, normally our AS) in the
 * extra configuration, every route sent gets one large community per decision step that decided at
 * least once: GLOBAL:POINT:COUNT, POINT the step's insertion point id (2 next hop ... 10 peer address,
 * as in xbgp_defs.h) and COUNT the comparisons it decided so far (the counters of the shared memory
 * this pluglet shares with decision_stats.c, capped at 2^32-1). Large communities the route has with
 * another Global Administrator are kept; those with ours (an older count) are replaced. Without
 * "export_communities" routes are sent untouched.
 *
 * The counts are those of the moment the route is sent (xbgpd sends a route again when its best path
 * or attributes change, not when the counters move): a snapshot per route, which a collector reads by
 * taking the highest counts it has seen. It has no say on the route itself: it always ends with
 * next(), so the outbound pluglets after it (other plugins attached to the same peers) still run, and
 * then the native rules and export policy.
 */
#include "decision_stats.h"

#define FIRST_STEP BGP_NEXTHOP_RESOLVABLE_DECISION /* 2 */
#define LAST_STEP BGP_IPADDR_DECISION              /* 10 */
#define MAX_LARGE 5461 /* a LARGE_COMMUNITY attribute holds at most 65535 octets, 12 per community */

uint64_t export_stats(args_t *args UNUSED);

/* Hand the point to the next replace pluglet (or the native code): no verdict of ours. */
static __always_inline uint64_t pass(void)
{
    next();
    return PLUGIN_FILTER_UNKNOWN; /* not reached: next() ends the run */
}

/* Append one large community (three u32, network order) at out; returns the next free position. */
static __always_inline uint8_t *put_large(uint8_t *out, uint32_t global, uint32_t local1, uint32_t local2)
{
    uint32_t v[3];

    v[0] = ebpf_htonl(global);
    v[1] = ebpf_htonl(local1);
    v[2] = ebpf_htonl(local2);
    memcpy(out, v, sizeof(v));
    return out + sizeof(v);
}

uint64_t export_stats(args_t *args UNUSED)
{
    struct global_info info;
    uint64_t global;
    struct stats *s = ctx_shmget(STATS_KEY);
    struct path_attribute *old;
    uint8_t *value, *at;
    unsigned int n = 0, i, step;
    uint32_t wire_global;

    if (!s || get_extra_info("export_communities", &info) != 0 ||
        get_extra_info_value(&info, &global, sizeof(global)) != 0)
        return pass(); /* not asked for, or nothing counted yet */
    wire_global = ebpf_htonl((uint32_t)global);

    /* Room for the route's large communities and ours (the heap holds the largest attribute twice). */
    old = get_attr_from_code(LARGE_COMMUNITY_ATTR_ID);
    if (old)
        n = old->length / 12;
    if (n + (LAST_STEP - FIRST_STEP + 1) > MAX_LARGE)
        return pass();
    value = ctx_malloc(12 * (n + LAST_STEP - FIRST_STEP + 1));
    if (!value)
        return pass();
    at = value;

    /* Theirs first, without the ones of our Global Administrator. */
    for (i = 0; i < n; i++) {
        uint32_t g;
        memcpy(&g, &old->data[12 * i], sizeof(g));
        if (g == wire_global)
            continue;
        ebpf_memcpy(at, &old->data[12 * i], 12);
        at += 12;
    }
    for (step = FIRST_STEP; step <= LAST_STEP; step++) {
        uint64_t count = s->decided[step];
        if (count > 0)
            at = put_large(at, (uint32_t)global, step, count > 0xffffffffu ? 0xffffffffu : (uint32_t)count);
    }
    if (at != value)
        add_attr(LARGE_COMMUNITY_ATTR_ID, ATTR_OPTIONAL | ATTR_TRANSITIVE, at - value, value);
    return pass(); /* the change is kept; the next pluglets and the native export still run */
}

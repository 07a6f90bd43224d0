/*
 * propagation_time.h: the arrival attribute the propagation_time pluglets share.
 *
 * Arrival (type code 45, optional non-transitive; a code IANA has not assigned, used here as xBGP's
 * example does: every xbgpd router of the AS must use the same) says when and from whom a route
 * entered the AS: the wall-clock time it arrived, in milliseconds since the UNIX epoch (u64), then the
 * AS of the eBGP peer it came from (u32), both in network order: 12 octets.
 *
 * Extra configuration (optional, `conf:` of the plugin's entry), read by pt_egress:
 *     tag_asn: { type_arg: int, arg: 65000 }   the ASN half of the community (default 65000)
 */
#ifndef PROPAGATION_TIME_H
#define PROPAGATION_TIME_H

#include "xbgp_plugin_api.h"

#define ARRIVAL_ATTR_ID 45
#define ARRIVAL_LENGTH 12

/* The wall clock in milliseconds since the epoch: 0, or -1 when the clock cannot be read. */
static __always_inline int now_ms(uint64_t *ms)
{
    struct timespec ts;

    if (get_realtime(&ts) != 0 || ts.tv_sec < 0)
        return -1;
    *ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    return 0;
}

#endif

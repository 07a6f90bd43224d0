/*
 * xbgpd plugin build: time types (<time.h>). struct timespec is what get_time and get_realtime
 * fill in; time_t is what reschedule_plugin takes. No C library time functions are available to
 * plugins: time comes from the helpers.
 */
#ifndef XBGPD_LIBC_TIME_H
#define XBGPD_LIBC_TIME_H

#include <sys/cdefs.h>
#include <stddef.h>

#ifndef XBGPD_LIBC_TIME_TYPES
#define XBGPD_LIBC_TIME_TYPES
typedef long time_t;
typedef long clock_t;
typedef int clockid_t;
#endif

struct timespec {
    time_t tv_sec;
    long tv_nsec;
};

#define CLOCKS_PER_SEC 1000000L
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

#endif /* XBGPD_LIBC_TIME_H */

/*
 * xbgpd plugin build: the POSIX and BSD type names (<sys/types.h>) that plugin sources and the
 * published API use (key_t for shared memory keys, time_t, ssize_t, u_int8_t...), sized for the
 * BPF target (LP64).
 */
#ifndef XBGPD_LIBC_SYS_TYPES_H
#define XBGPD_LIBC_SYS_TYPES_H

#include <sys/cdefs.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef uint8_t u_int8_t;
typedef uint16_t u_int16_t;
typedef uint32_t u_int32_t;
typedef uint64_t u_int64_t;

typedef long ssize_t;
typedef long off_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int id_t;
typedef unsigned int mode_t;
/* Shared memory keys (ctx_shmnew, ctx_shmget, ctx_shmrm). */
typedef int key_t;

#ifndef XBGPD_LIBC_TIME_TYPES
#define XBGPD_LIBC_TIME_TYPES
typedef long time_t;
typedef long clock_t;
typedef int clockid_t;
#endif

#endif /* XBGPD_LIBC_SYS_TYPES_H */

/*
 * xBGP plugin API for xbgpd: the helpers that do not depend on BGP (memory, shared memory, time,
 * logging, formatting, byte order, extra configuration, the replace chain) and the log_msg,
 * ebpf_print and ubpf_sprintf macros.
 *
 * Every pointer a helper returns points into the plugin's own memory: the heap (reset after every
 * run of a pluglet and before every next()) or a shared memory block (kept across runs). Helpers
 * copy data in and out; a plugin never sees the router's memory.
 *
 * Helpers are resolved by name at load. The helpers marked "refused by xbgpd" are declared only so
 * that sources written for xBGP compile: a pluglet that calls one of them is refused at load with
 * an error naming it.
 */
#ifndef XBGP_COMPLIANT_API_XBGP_COMMON_VM_H
#define XBGP_COMPLIANT_API_XBGP_COMMON_VM_H

#include <time.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <netinet/in.h>

#include "xbgp_common_vm_defs.h"

/* Pluglets are one function: helpers of the plugin's own code must be inlined. */
#ifndef __always_inline
#define __always_inline __inline __attribute__((__always_inline__))
#endif

/*
 * log_msg(L_LEVEL "format", LOG_x(v)...): log through xbgpd's logger. The format is printf-like
 * (%d %i %u %x %X %o %c %s %p with the h, hh, l and ll modifiers, %%); each directive consumes
 * the next LOG_* argument. Evaluates to super_log's result: 1 logged, 0 not (bad level byte,
 * bad format, or rate-limited).
 *
 * ebpf_print("format", LOG_x(v)...): the same without a level; xbgpd logs it at debug level
 * with the plugin's name (xBGP printed it on the router's stdout). Evaluates to the number of
 * characters formatted.
 */
#define log_msg(format, ...)                                                                 \
    ({                                                                                       \
        struct vtype xbgp_log_args__[] = {__VA_ARGS__};                                      \
        struct vargs xbgp_log_list__ = {                                                     \
            .nb_args = (int)(sizeof(xbgp_log_args__) / sizeof(struct vtype)),                \
            .args = xbgp_log_args__,                                                         \
        };                                                                                   \
        super_log(format, &xbgp_log_list__);                                                 \
    })

#define ebpf_print(format, ...)                                                              \
    ({                                                                                       \
        struct vtype xbgp_print_args__[] = {__VA_ARGS__};                                    \
        struct vargs xbgp_print_list__ = {                                                   \
            .nb_args = (int)(sizeof(xbgp_print_args__) / sizeof(struct vtype)),              \
            .args = xbgp_print_args__,                                                       \
        };                                                                                   \
        ebpf_print_intern(format, &xbgp_print_list__);                                       \
    })

/*
 * ubpf_sprintf(buf, size, "format", v...): format into buf (at most size bytes, NUL included)
 * with plain values, each converted to uintptr_t (integers, or the address of a string for %s).
 * The array handed to ebpf_bvsnprintf starts with the number of values. Evaluates to the number
 * of characters written without the NUL, or -1 if buf is too small.
 */
#define ubpf_sprintf(str, size, format, ...)                                                 \
    ebpf_bvsnprintf(str, size, format,                                                       \
                    (uintptr_t[]){sizeof((uintptr_t[]){0, ##__VA_ARGS__}) / sizeof(uintptr_t) - 1, \
                                  ##__VA_ARGS__})

/* ===== Memory: the plugin heap, reset after every run (and before every next()) ===== */

/* size bytes of heap, or NULL when the plugin's heap (manifest "extra_mem") is exhausted. */
extern void *ctx_malloc(size_t size);
/* nmemb * size zeroed bytes of heap, or NULL. */
extern void *ctx_calloc(size_t nmemb, size_t size);
/* Grow or shrink a heap block (contents kept up to the smaller size), or NULL. */
extern void *ctx_realloc(void *ptr, size_t size);
/* Give a heap block back (the whole heap is reset after the run anyway). */
extern void ctx_free(void *ptr);

/* ===== Shared memory: keyed blocks that persist across runs, one key space per plugin ===== */

/* A new zeroed block of size bytes under key, or NULL if the key exists or the plugin's shared
 * memory (manifest "shared_mem") is exhausted. */
extern void *ctx_shmnew(key_t key, size_t size);
/* The block under key, or NULL. */
extern void *ctx_shmget(key_t key);
/* Free the block under key (nothing if there is none). */
extern void ctx_shmrm(key_t key);

/* ===== Time ===== */

/* Monotonic clock into *spec; 0, or -1 if spec is not writable. */
extern int get_time(struct timespec *spec);
/* Wall clock (UNIX time) into *spec; 0, or -1. */
extern int get_realtime(struct timespec *spec);

/* ===== Byte order (network order is big-endian; the BPF target is little-endian) ===== */

extern uint16_t ebpf_ntohs(uint16_t value);
extern uint32_t ebpf_ntohl(uint32_t value);
extern uint64_t ebpf_ntohll(uint64_t value);
extern uint16_t ebpf_htons(uint16_t value);
extern uint32_t ebpf_htonl(uint32_t value);
extern uint64_t ebpf_htonll(uint64_t value);

/* ===== Memory copy and compare, for sizes not known at compile time ===== */

/* Copy length bytes (the areas may overlap); returns dst0. */
extern void *ebpf_memcpy(void *dst0, const void *src0, size_t length);
/* memcmp: <0, 0 or >0. */
extern int ebpf_memcmp(const void *s1, const void *s2, size_t n);

/* ===== Logging and formatting (use the macros above) ===== */

extern int super_log(const char *msg, struct vargs *args);
extern int ebpf_print_intern(const char *format, struct vargs *args);
extern int ebpf_bvsnprintf(char *buf, int size, const char *fmt, uintptr_t *args);

/* ===== Insertion point ===== */

/*
 * A heap copy of the point's argument of type arg_type (enum ubpf_arg_type), or NULL if the
 * point has none. Scalars (ARG_CODE, ARG_FLAGS, ARG_LENGTH...) come in the VM's byte order;
 * byte strings (ARG_DATA, ARG_BGP_MESSAGE) in wire order.
 */
extern void *get_arg(unsigned int arg_type);

/*
 * Replace anchor only: hand the point to the next replace pluglet (by manifest seq), with the
 * same arguments and a fresh heap. next() does not return: the pluglet that calls it ends there
 * and its return value is ignored. When no replace pluglet follows, the native code runs.
 * Convention: call next() when the input is not yours (another attribute code, another peer).
 */
extern int next(void);

/* The enum ubpf_plugins id of the running point (2000000000 in a job plugin). */
extern int whereami(void);

/* Job plugins only: run again in *time seconds (NULL: keep the manifest's schedule); 0 or -1. */
extern int reschedule_plugin(time_t *time);

/* ===== Misc ===== */

/*
 * sqrt(a) * 10^precision, truncated to an integer (ebpf_sqrt(2, 3) == 1414).
 * xBGP bug: its host read precision from the wrong argument; xbgpd uses the second argument as
 * documented.
 */
extern uint64_t ebpf_sqrt(uint64_t a, unsigned int precision);

/* Text form of an address (type AF_INET: 4 bytes, AF_INET6: 16 bytes, network order) into buf
 * (NUL-terminated); 0, or -1 (bad family, buf too small). */
extern int ebpf_inet_ntop(uint8_t *ipaddr, int type, char *buf, size_t len);
/* Parse a text address of family af into dst (4 or 16 bytes, network order; buf_len is dst's
 * size); 0, or -1. */
extern int ebpf_inet_pton(int af, const char *src, void *dst, size_t buf_len);

/* ===== Extra configuration: the typed JSON the operator attaches to the plugin ===== */

/* Handle on the top-level value under key; 0, or -1 if there is none. */
extern int get_extra_info(const char *key, struct global_info *info);
/* Handle on the value under key in the dict info; 0, or -1. */
extern int get_extra_info_dict(struct global_info *info, const char *key, struct global_info *value);
/* Handle on element arr_idx of the list info; 0, or -1 past the end. */
extern int get_extra_info_lst_idx(struct global_info *info, int arr_idx, struct global_info *value);
/*
 * Copy the scalar value of info into buf (len_buf bytes available); 0, or -1 (a list or dict, or
 * buf too small). int: uint64_t; float: double; ipv4: 4 bytes, ipv6: 16 bytes (network order);
 * ipv4_prefix: {int family; int prefix_len; struct in_addr p;} (12 bytes); ipv6_prefix: the same
 * with a struct in6_addr (24 bytes); str: the characters and a NUL.
 */
extern int get_extra_info_value(struct global_info *info, void *buf, size_t len_buf);

/* ===== Declared by the published API, refused by xbgpd at load ===== */

/* Refused by xbgpd: copies a file from a remote host (rsync over ssh in xBGP). */
extern int fetch_file(char *url, const char *dest);
/* Refused by xbgpd: network sockets opened by the plugin. */
extern int sock_open(sk_type_t proto, int af, const struct sockaddr *addr, socklen_t len);
extern int sock_write(int sfd, const void *buf, size_t len);
extern int sock_read(int sfd, void *buf, size_t len);
extern int sock_close(int sfd);
/* Refused by xbgpd: declared by xBGP's headers but never provided by its hosts. */
extern int send_to_monitor(const void *data, size_t len, unsigned int type);
extern clock_t bpf_clock(void);
extern void set_error(const char *reason, size_t len);
extern int bpf_sockunion_cmp(const struct sockaddr *su1, const struct sockaddr *su2);

#endif /* XBGP_COMPLIANT_API_XBGP_COMMON_VM_H */

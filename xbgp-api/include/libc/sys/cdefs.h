/*
 * xbgpd plugin build: the compiler-attribute macros that C library headers usually provide
 * (glibc's <sys/cdefs.h>), for sources compiled with clang -target bpf. The other headers of
 * this folder include it, as a C library's headers do, so a plugin sees the same macros whether
 * it includes this file or not.
 */
#ifndef XBGPD_LIBC_SYS_CDEFS_H
#define XBGPD_LIBC_SYS_CDEFS_H

/* A function that must be inlined at every call: BPF objects for xbgpd have no BPF-to-BPF calls. */
#ifndef __always_inline
#define __always_inline __inline __attribute__((__always_inline__))
#endif

#ifndef __unused
#define __unused __attribute__((__unused__))
#endif

#define __attribute_unused__ __attribute__((__unused__))

#ifdef __cplusplus
#define __BEGIN_DECLS extern "C" {
#define __END_DECLS }
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif

/* C library functions do not throw and take no special calling convention here. */
#define __THROW
#define __nonnull(params)
#define __wur

#endif /* XBGPD_LIBC_SYS_CDEFS_H */

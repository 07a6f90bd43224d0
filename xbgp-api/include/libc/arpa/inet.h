/*
 * xbgpd plugin build: <arpa/inet.h>. The byte-order macros come from <netinet/in.h>. inet_pton and
 * inet_ntop are declared so that sources written for a C library compile, but they are not
 * helpers (a plugin calling them is refused at load): use ebpf_inet_pton and ebpf_inet_ntop.
 */
#ifndef XBGPD_LIBC_ARPA_INET_H
#define XBGPD_LIBC_ARPA_INET_H

#include <sys/cdefs.h>
#include <netinet/in.h>

int inet_pton(int af, const char *src, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);

#endif /* XBGPD_LIBC_ARPA_INET_H */

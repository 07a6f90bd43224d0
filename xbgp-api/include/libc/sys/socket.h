/*
 * xbgpd plugin build: socket address families and struct sockaddr (<sys/socket.h>), with the
 * values of Linux, which the published API uses: ubpf_peer_info.addr.af and ebpf_inet_ntop /
 * ebpf_inet_pton take AF_INET (2) or AF_INET6 (10).
 */
#ifndef XBGPD_LIBC_SYS_SOCKET_H
#define XBGPD_LIBC_SYS_SOCKET_H

#include <sys/cdefs.h>
#include <sys/types.h>

typedef unsigned short sa_family_t;
typedef unsigned int socklen_t;

struct sockaddr {
    sa_family_t sa_family;
    char sa_data[14];
};

#define AF_UNSPEC 0
#define AF_INET 2
#define AF_INET6 10
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6

#define SOCK_STREAM 1
#define SOCK_DGRAM 2

#endif /* XBGPD_LIBC_SYS_SOCKET_H */

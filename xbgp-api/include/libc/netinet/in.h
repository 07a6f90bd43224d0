/*
 * xbgpd plugin build: IPv4 and IPv6 address structures (<netinet/in.h>). Addresses are stored in
 * network byte order, as on the wire. ntohl, ntohs, htonl and htons are macros that clang compiles
 * to BPF byte-swap instructions (no helper call); the helpers ebpf_ntohl... do the same through a
 * call.
 */
#ifndef XBGPD_LIBC_NETINET_IN_H
#define XBGPD_LIBC_NETINET_IN_H

#include <sys/cdefs.h>
#include <stdint.h>
#include <sys/socket.h>

typedef uint32_t in_addr_t;
typedef uint16_t in_port_t;

struct in_addr {
    in_addr_t s_addr;
};

/* 16 bytes, 4-byte aligned; s6_addr gives the bytes. */
struct in6_addr {
    union {
        uint8_t bytes[16];
        uint16_t halves[8];
        uint32_t words[4];
    } in6_u;
};
#define s6_addr in6_u.bytes
#define s6_addr16 in6_u.halves
#define s6_addr32 in6_u.words

struct sockaddr_in {
    sa_family_t sin_family;
    in_port_t sin_port;
    struct in_addr sin_addr;
    unsigned char sin_zero[8];
};

struct sockaddr_in6 {
    sa_family_t sin6_family;
    in_port_t sin6_port;
    uint32_t sin6_flowinfo;
    struct in6_addr sin6_addr;
    uint32_t sin6_scope_id;
};

#define INADDR_ANY ((in_addr_t)0x00000000)
#define INADDR_BROADCAST ((in_addr_t)0xffffffff)
#define INADDR_NONE ((in_addr_t)0xffffffff)
#define INET_ADDRSTRLEN 16
#define INET6_ADDRSTRLEN 46

#define IPPROTO_IP 0
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ntohl(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#define ntohs(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#else
#define ntohl(x) ((uint32_t)(x))
#define ntohs(x) ((uint16_t)(x))
#endif
#define htonl(x) ntohl(x)
#define htons(x) ntohs(x)

#endif /* XBGPD_LIBC_NETINET_IN_H */

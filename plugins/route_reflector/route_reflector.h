/*
 * route_reflector.h: what the two pluglets of the route reflector share (RFC 4456).
 *
 * The extra configuration (config file, `conf:` of the plugin's entry):
 *     cluster_id: { type_arg: ipv4, arg: "10.255.255.1" }      optional; default: our router id
 *     clients:    { type_arg: list, arg: [{ type_arg: ipv4, arg: "10.0.0.1" },
 *                                         { type_arg: ipv6, arg: "fd00::1" }] }
 * `clients` lists the addresses of the iBGP peers that are route-reflection clients; every other iBGP
 * peer is a non-client.
 */
#ifndef ROUTE_REFLECTOR_H
#define ROUTE_REFLECTOR_H

#include "xbgp_plugin_api.h"

#define MAX_CLIENTS 256 /* entries of `clients` looked at */
#define AF_INET_ 2      /* ubpf_peer_info.addr.af */
#define AF_INET6_ 10
#define CONF_IPV4 3 /* global_info.type of an ipv4 entry */
#define CONF_IPV6 4 /* ... and of an ipv6 entry */

/* Our CLUSTER_ID in network order: the configured one, else our BGP Identifier (RFC 4456 7). */
static __always_inline uint32_t cluster_id(const struct ubpf_peer_info *peer)
{
    struct global_info info;
    uint32_t id;

    if (get_extra_info("cluster_id", &info) == 0 && get_extra_info_value(&info, &id, sizeof(id)) == 0)
        return id;
    return ebpf_htonl(peer->local_bgp_session->router_id); /* router_id is a plain u32 */
}

/* Whether the peer's address is listed in `clients`. */
static __always_inline int is_client(const struct ubpf_peer_info *peer)
{
    struct global_info list, item;
    uint8_t addr[16];
    int i, len;

    if (peer->addr.af == AF_INET_)
        len = 4;
    else if (peer->addr.af == AF_INET6_)
        len = 16;
    else
        return 0;
    if (get_extra_info("clients", &list) != 0)
        return 0;
    for (i = 0; i < MAX_CLIENTS; i++) {
        if (get_extra_info_lst_idx(&list, i, &item) != 0)
            return 0; /* end of the list */
        /* Only an entry of the peer's address family can match. */
        if (item.type != (len == 4 ? CONF_IPV4 : CONF_IPV6))
            continue;
        if (get_extra_info_value(&item, addr, sizeof(addr)) == 0 && ebpf_memcmp(addr, &peer->addr.addr, len) == 0)
            return 1;
    }
    return 0;
}

#endif

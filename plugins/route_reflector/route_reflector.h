/*
 * route_reflector.h: what the two pluglets of the route reflector share (RFC 4456).
 *
 * The extra configuration (config file, `conf:` of the plugin's entry):
 *     cluster_id: { type_arg: ipv4, arg: "10.255.255.1" }      optional; default: our router id
 *     clients:    { type_arg: list, arg: [{ type_arg: ipv4, arg: "10.0.0.1" },
 *                                         { type_arg: ipv6, arg: "fd00::1" }] }
 * `clients` lists the addresses of the iBGP peers that are route-reflection clients; every other iBGP
 * peer is a non-client. The first run of either pluglet reads it into the plugin's shared memory
 * (which both pluglets see), so later runs call no configuration helper.
 */
#ifndef ROUTE_REFLECTOR_H
#define ROUTE_REFLECTOR_H

#include "xbgp_plugin_api.h"

#define CONFIG_KEY 1
#define MAX_CLIENTS 64 /* entries of `clients` kept */
#define AF_INET_ 2     /* ubpf_peer_info.addr.af */
#define AF_INET6_ 10
#define CONF_IPV4 3 /* global_info.type of an ipv4 entry */
#define CONF_IPV6 4 /* ... and of an ipv6 entry */

struct rr_config {
    uint32_t cluster_id; /* network order */
    uint32_t router_id;  /* ours, network order (as ORIGINATOR_ID holds it) */
    uint32_t nb_clients;
    struct {
        uint32_t len; /* 4 (IPv4) or 16 (IPv6) */
        uint8_t addr[16];
    } clients[MAX_CLIENTS];
};

/* The configuration, read at the first run; `us` is any peer's local_bgp_session (our router id). */
static __always_inline struct rr_config *rr_config(const struct ubpf_peer_info *us)
{
    struct rr_config *c = ctx_shmget(CONFIG_KEY);
    struct global_info info, item;
    int i;

    if (c)
        return c;
    c = ctx_shmnew(CONFIG_KEY, sizeof(struct rr_config));
    if (!c)
        return NULL;
    c->router_id = ebpf_htonl(us->router_id); /* router_id is a plain u32 */
    /* RFC 4456 7: the CLUSTER_ID defaults to the reflector's BGP Identifier. */
    c->cluster_id = c->router_id;
    if (get_extra_info("cluster_id", &info) == 0)
        get_extra_info_value(&info, &c->cluster_id, sizeof(c->cluster_id));
    if (get_extra_info("clients", &info) != 0)
        return c;
    for (i = 0; i < MAX_CLIENTS && get_extra_info_lst_idx(&info, i, &item) == 0; i++) {
        uint32_t n = c->nb_clients;
        if (item.type != CONF_IPV4 && item.type != CONF_IPV6)
            continue;
        if (get_extra_info_value(&item, c->clients[n].addr, sizeof(c->clients[n].addr)) != 0)
            continue;
        c->clients[n].len = item.type == CONF_IPV4 ? 4 : 16;
        c->nb_clients = n + 1;
    }
    return c;
}

/* Whether a and b hold the same len octets (compared in the VM: no helper call). */
static __always_inline int same_bytes(const uint8_t *a, const uint8_t *b, uint32_t len)
{
    uint32_t k;

    for (k = 0; k < 16 && k < len; k++)
        if (a[k] != b[k])
            return 0;
    return 1;
}

/* Whether the peer's address is one of the clients'. */
static __always_inline int is_client(const struct rr_config *c, const struct ubpf_peer_info *peer)
{
    uint32_t i, len;

    if (peer->addr.af == AF_INET_)
        len = 4;
    else if (peer->addr.af == AF_INET6_)
        len = 16;
    else
        return 0;
    for (i = 0; i < MAX_CLIENTS && i < c->nb_clients; i++)
        if (c->clients[i].len == len && same_bytes(c->clients[i].addr, (const uint8_t *)&peer->addr.addr, len))
            return 1;
    return 0;
}

#endif

/*
 * xBGP plugin API for xbgpd: BGP constants, insertion point ids, argument types, return codes and
 * the structures exchanged with the host.
 *
 * Layouts are those of clang -target bpf (LP64, little-endian), the compiler xbgpd builds
 * plugins with; xbgp-api/layouts.ts gives the same offsets to the host and a test compares them.
 * Byte strings (attribute values, prefixes, addresses) are in network byte order, as on the wire.
 */
#ifndef XBGP_COMPLIANT_API_XBGP_DEFS_H
#define XBGP_COMPLIANT_API_XBGP_DEFS_H

#include <time.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "xbgp_common.h"

#define UNUSED __attribute__((unused))

#define FAIL 0

/* ===== Path attribute type codes (IANA "BGP Path Attributes") ===== */

#define RESERVED_ATTR_ID 0
#define ORIGIN_ATTR_ID 1
#define AS_PATH_ATTR_ID 2
#define NEXT_HOP_ATTR_ID 3
#define MULTI_EXIT_DISC_ATTR_ID 4
#define LOCAL_PREF_ATTR_ID 5
#define ATOMIC_AGGREGATE_ATTR_ID 6
#define AGGREGATOR_ATTR_ID 7
#define COMMUNITY_ATTR_ID 8
#define ORIGINATOR_ID_ATTR_ID 9
#define CLUSTER_LIST_ATTR_ID 10
#define MP_REACH_NLRI_ATTR_ID 14
#define MP_UNREACH_NLRI_ATTR_ID 15
#define EXTENDED_COMMUNITIES_ATTR_ID 16
#define AS4_PATH_ATTR_ID 17
#define AS4_AGGREGATOR_ATTR_ID 18
#define PMSI_TUNNEL_ATTR_ID 22
#define TUNNEL_ENCAPSULATION_ATTRIBUTE_ATTR_ID 23
#define TRAFFIC_ENGINEERING_ATTR_ID 24
#define IPV6_ADDRESS_SPECIFIC_EXTENDED_COMMUNITY_ATTR_ID 25
#define AIGP_ATTR_ID 26
#define PE_DISTINGUISHER_LABELS_ATTR_ID 27
#define BGPLS_ATTRIBUTE_ATTR_ID 29
#define LARGE_COMMUNITY_ATTR_ID 32
#define BGPSEC_PATH_ATTR_ID 33
#define BGP_COMMUNITY_CONTAINER_ATTRIBUTE_TEMPORARY_REGISTERED_20170728_ATTR_ID 34
#define ONLY_TO_CUSTOMER_OTC_TEMPORARY_REGISTERED_20180329_ATTR_ID 35
#define BGP_DOMAIN_PATH_DPATH_TEMPORARY_REGISTERED_20190708_ATTR_ID 36
#define SFP_ATTRIBUTE_ATTR_ID 37
#define BGP_PREFIXSID_ATTR_ID 40
#define ATTR_SET_ATTR_ID 128

/* ===== Path attribute flags (RFC 4271 4.3) ===== */

#define ATTR_OPTIONAL 0x80
#define ATTR_TRANSITIVE 0x40
#define ATTR_PARTIAL 0x20
#define ATTR_EXT_LEN 0x10

/* ===== AS_PATH segment types (RFC 4271, RFC 5065) ===== */

#define AS_PATH_SEGMENT_SET 1
#define AS_PATH_SEGMENT_SEQUENCE 2
#define AS_PATH_SEGMENT_CONFED_SEQUENCE 3
#define AS_PATH_SEGMENT_CONFED_SET 4

/* ===== ORIGIN values ===== */

#define BGP_ORIGIN_IGP 0
#define BGP_ORIGIN_EGP 1
#define BGP_ORIGIN_INCOMPLETE 2

/* Address family (AF_INET, AF_INET6, or -1) of an XBGP_AFI_* value. */
#define iana_afi_to_af(afi)                                                                  \
    ({                                                                                       \
        int xbgp_af__;                                                                       \
        switch (afi) {                                                                       \
        case XBGP_AFI_IPV4:                                                                  \
            xbgp_af__ = AF_INET;                                                             \
            break;                                                                           \
        case XBGP_AFI_IPV6:                                                                  \
            xbgp_af__ = AF_INET6;                                                            \
            break;                                                                           \
        default:                                                                             \
            xbgp_af__ = -1;                                                                  \
            break;                                                                           \
        }                                                                                    \
        xbgp_af__;                                                                           \
    })

/*
 * Insertion point ids; in manifests the names are lowercase ("bgp_decode_attr"). Which points
 * xbgpd calls, their arguments and what their return values mean is documented in
 * xbgp_plugin_api.h.
 *
 * xBGP bug: its hosts bind the manifest name "bgp_pre_decision" twice, the second time to
 * BGP_POST_DECISION, so "bgp_post_decision" cannot be named. xbgpd binds "bgp_pre_decision" to
 * BGP_PRE_DECISION and "bgp_post_decision" to BGP_POST_DECISION.
 */
enum ubpf_plugins {
    BGP_UNUSED = 0,
    BGP_PRE_DECISION,
    BGP_NEXTHOP_RESOLVABLE_DECISION,
    BGP_LOCAL_PREF_DECISION,
    BGP_AS_PATH_LENGTH_DECISION,
    BGP_MED_DECISION,
    BGP_USE_ORIGIN_DECISION,
    BGP_PREFER_EXTERNAL_PEER_DECISION,
    BGP_IGP_COST_DECISION,
    BGP_ROUTER_ID_DECISION,
    BGP_IPADDR_DECISION,
    BGP_POST_DECISION,
    BGP_DECODE_ATTR,
    BGP_ENCODE_ATTR,
    BGP_ENCODE_CUSTOM_ATTR,
    BGP_PRE_INBOUND_FILTER,
    BGP_PRE_OUTBOUND_FILTER,
    BGP_DECODE_MESSAGE,
    BGP_ENCODE_MESSAGE,
    BGP_OPEN_SENT,
    BGP_INITIAL_RTE_DECISION,

    /* Ids from here on are not insertion points (job plugins run as 2000000000). */
    INSERTION_POINT_RESERVED = 2000000000
};

/* Argument types for get_arg. Values from ARG_MAX_OPAQUE on are the host's own (never copied
 * out by xbgpd's get_arg). */
enum ubpf_arg_type {
    ARG_UNUSED = 0,
    ARG_CODE,
    ARG_TYPE,
    ARG_LENGTH,
    ARG_FLAGS,
    ARG_DATA,
    ARG_BGP_ROUTE,
    ARG_BGP_ROUTE_NEW,
    ARG_BGP_ROUTE_OLD,
    ARG_BGP_ROUTE_RIB,
    ARG_BGP_ATTRIBUTE_LIST,
    ARG_BGP_ATTRIBUTE,
    ARG_BUFFER,
    ARG_BGP_PREFIX,
    ARG_BGP_VRF,
    ARG_BGP_MESSAGE,

    ARG_MAX_OPAQUE
};

/* ubpf_peer_info.peer_type: the session with the peer (LOCAL_SESSION for local_bgp_session). */
enum {
    EBGP_SESSION,
    IBGP_SESSION,
    LOCAL_SESSION,
};

/* Verdicts of the decision steps, and the route selectors of get_bgp_route,
 * get_attr_from_code_by_route and set_attr_to_route (UNDEF: the point's current route). */
enum BGP_ROUTE_TYPE {
    BGP_ROUTE_TYPE_UNDEF = HI_RESERVED_RETURN_VAL + 1,
    BGP_ROUTE_TYPE_NEW,
    BGP_ROUTE_TYPE_OLD,
    BGP_ROUTE_TYPE_UNKNOWN,
    BGP_ROUTE_TYPE_FAIL
};

/* Verdicts of bgp_pre_inbound_filter and bgp_pre_outbound_filter (REJECT also at
 * bgp_decode_attr: treat the UPDATE as a withdrawal). */
enum BGP_PLUGIN_FILTER_DECISION {
    PLUGIN_FILTER_REJECT = HI_RESERVED_RETURN_VAL + 1,
    PLUGIN_FILTER_ACCEPT,
    PLUGIN_FILTER_UNKNOWN,
};

/* bgp_rte_info.reason: the decision step that made a route best. */
enum bgp_selection_reason {
    bgp_selection_none,
    bgp_selection_first,
    bgp_selection_local_pref,
    bgp_selection_local_route,
    bgp_selection_as_path,
    bgp_selection_origin,
    bgp_selection_med,
    bgp_selection_peer,
    bgp_selection_igp_metric,
    bgp_selection_older,
    bgp_selection_tie_breaker,
    bgp_selection_cluster_length,
    bgp_selection_local_configured,
    bgp_selection_other,
    bgp_selection_default,
};

/* A BGP message body to send (schedule_bgp_message): the host adds the 19-byte header. */
struct bgp_message {
    int type;
    size_t buf_len;
    uint8_t *buf;
};

/* A path attribute: code, flags (ATTR_*) and length bytes of value in wire encoding. */
struct path_attribute {
    uint8_t code;
    uint8_t flags;
    unsigned int length;
    uint8_t data[0];
};

/*
 * A BGP session as the plugin sees it. as: the peer's AS number; router_id: its BGP identifier
 * as a number (host order: 192.0.2.1 is 0xc0000201); capability: 0 (reserved); peer_type:
 * EBGP_SESSION, IBGP_SESSION (LOCAL_SESSION in local_bgp_session). nexthop: the next hop xbgpd
 * uses towards the peer (type AF_INET or AF_INET6, or 0 when unknown); addr: the peer's address
 * (af AF_INET or AF_INET6; addresses in network order). local_bgp_session: the same
 * information about the local end of the session (our AS, router id and local address), or NULL
 * in a structure that describes the local router itself.
 */
struct ubpf_peer_info {
    uint32_t as;
    uint32_t router_id;
    uint32_t capability;
    uint8_t peer_type;

    struct {
        uint8_t type;
        union {
            struct in6_addr in6;
            struct in_addr in;
        };
    } nexthop;

    struct {
        uint8_t af;
        union {
            struct in6_addr in6;
            struct in_addr in;
        } addr;
    } addr;

    struct ubpf_peer_info *local_bgp_session;
};

enum xbgp_afi {
    XBGP_AFI_IPV4 = 1,
    XBGP_AFI_IPV6 = 2
};

enum xbgp_safi {
    XBGP_SAFI_UNICAST = 1,
};

/* A prefix: afi XBGP_AFI_*, safi XBGP_SAFI_*, prefixlen bits of u (network order, the bytes
 * past the prefix zero). */
struct ubpf_prefix {
    uint16_t afi;
    uint8_t safi;
    uint8_t padding;
    uint16_t prefixlen;
    uint8_t u[20];
};

/* uptime: seconds since the route was received; type: where it came from (9: BGP, as FRR's
 * route types, 2: connected, 3: static); reason: enum bgp_selection_reason. */
struct bgp_rte_info {
    time_t uptime;
    uint32_t type;
    enum bgp_selection_reason reason;
};

/* A route: prefix, attr_nb attributes, the peer it came from and its info. Every pointer is a
 * heap copy. */
struct bgp_route {
    struct ubpf_prefix pfx;
    int attr_nb;
    struct path_attribute **attr;
    struct ubpf_peer_info *peer_info;
    struct bgp_rte_info route_info;
};

/* The next hop of a route: route_type of the route that resolves it (connected, static...;
 * 255 when unknown) and the IGP metric to reach it. */
struct ubpf_nexthop {
    uint8_t route_type;
    uint64_t igp_metric;
};

/* get_vrf: the plugin sets str_len to the room in name; the host fills vrf_id and name. */
struct vrf_info {
    int vrf_id;
    size_t str_len;
    char name[0];
};

/*
 * clang turns memset and memcpy with a size known at compile time into plain loads and stores;
 * with a variable size they would be calls to functions that are not helpers (refused at load):
 * use ebpf_memcpy then.
 */
void *memset(void *s, int c, size_t n);

void *memcpy(void *dest, const void *src, size_t len);

#endif /* XBGP_COMPLIANT_API_XBGP_DEFS_H */

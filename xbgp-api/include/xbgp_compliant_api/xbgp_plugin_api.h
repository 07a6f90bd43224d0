/*
 * xBGP plugin API for xbgpd: the header plugins include. It brings xbgp_defs.h (constants,
 * structures) and xbgp_common_vm.h (memory, time, logging, extra configuration, next()) and
 * declares the BGP helpers. Sources written for xBGP on FRRouting or BIRD compile unchanged:
 *
 *     clang -O2 -target bpf -fno-builtin-memcmp -c plugin.c -o plugin.o \
 *         -I xbgp-api/include/xbgp_compliant_api -I xbgp-api/include \
 *         -I xbgp-api/include/compat/nested -isystem xbgp-api/include/libc
 *
 * (xbgpctl plugin build adds these flags; xbgp-api/include/README.md explains each folder.)
 *
 * ----- Byte order -----
 * Attribute data crossing the API is always the wire encoding: the value bytes of a path
 * attribute exactly as they appear in an UPDATE (network byte order), both ways. add_attr,
 * set_attr and set_attr_to_route take it, get_attr* return it, write_to_buffer sends it. A MED of
 * 42 is the four bytes 00 00 00 2a: write it with ebpf_htonl(42), read it with ebpf_ntohl().
 * Prefixes (ubpf_prefix.u) and addresses (in_addr, in6_addr) are in network order too. Plain
 * numbers in structures (path_attribute.length, ubpf_peer_info.as and router_id, prefixlen...) and
 * the scalar arguments of get_arg (ARG_CODE, ARG_FLAGS, ARG_LENGTH) are ordinary integers.
 *
 * ----- Anchors and return values -----
 * A pluglet runs at an insertion point on one anchor. pre and post pluglets all run, in manifest
 * seq order, and their return values are ignored; post pluglets receive the outcome in
 * exec_info_t (r1). replace pluglets form a chain: the lowest seq runs, and either returns a
 * verdict or calls next() to pass the point to the following one. The native code runs when the
 * chain ends without a verdict, when a pluglet faults, and when a verdict is not one the point
 * defines. What each point's verdicts mean in xbgpd:
 *
 *   bgp_decode_message (17): runs for every message received (ARG_BGP_MESSAGE: the whole
 *       message with its header, ARG_LENGTH: its length, ARG_TYPE: its type). replace runs only
 *       for message types xbgpd does not handle itself: EXIT_SUCCESS = the pluglet handled the
 *       message (xbgpd drops it without error); anything else = native handling (the RFC 4271
 *       "Bad Message Type" error).
 *   bgp_decode_attr (12): once per path attribute of a received UPDATE that announces routes
 *       (ARG_CODE, ARG_FLAGS as received, ARG_DATA: the value, ARG_LENGTH), before xbgpd's own
 *       processing; not for MP_REACH_NLRI / MP_UNREACH_NLRI. A pluglet that declares `codes`
 *       (xbgpd manifest extension) runs only for those, else for every attribute.
 *       get_attr_from_code reads the UPDATE's attributes as received, with what was stored.
 *       EXIT_SUCCESS = consumed: xbgpd does not decode the attribute; the route carries what the
 *       pluglet stored with add_attr (nothing if it stored nothing). PLUGIN_FILTER_REJECT = treat
 *       the UPDATE as a withdrawal (RFC 7606), as is an UPDATE left without ORIGIN, AS_PATH or a
 *       needed NEXT_HOP. Anything else (EXIT_FAILURE...) = xbgpd decodes it natively (what was
 *       stored is kept, unless the call faulted). Stored attributes replace xbgpd's own of the
 *       same code.
 *   bgp_pre_inbound_filter (15): per received route, before the import policy (ARG_BGP_PREFIX).
 *       PLUGIN_FILTER_REJECT = filtered (not imported). PLUGIN_FILTER_ACCEPT and
 *       PLUGIN_FILTER_UNKNOWN = no final say: the native import policy still runs. Attribute
 *       changes made with add_attr/set_attr are kept unless the route is rejected.
 *   decision steps: bgp_initial_rte_decision (20), bgp_pre_decision (1),
 *       bgp_nexthop_resolvable_decision (2), bgp_local_pref_decision (3),
 *       bgp_as_path_length_decision (4), bgp_use_origin_decision (6), bgp_med_decision (5),
 *       bgp_prefer_external_peer_decision (7), bgp_igp_cost_decision (8),
 *       bgp_router_id_decision (9), bgp_ipaddr_decision (10, the peer address step),
 *       bgp_post_decision (11): once per comparison of two routes at that step
 *       (get_bgp_route(BGP_ROUTE_TYPE_NEW / _OLD)). BGP_ROUTE_TYPE_NEW = the new route is
 *       better, BGP_ROUTE_TYPE_OLD = the old one is. BGP_ROUTE_TYPE_UNKNOWN = no opinion: the
 *       native step runs (as in BIRD; FRRouting skipped the step instead). BGP_ROUTE_TYPE_FAIL
 *       or anything else = the native step runs.
 *   bgp_pre_outbound_filter (16): per route and destination peer group, before the export
 *       policy (ARG_BGP_PREFIX). PLUGIN_FILTER_REJECT = not advertised. PLUGIN_FILTER_ACCEPT and
 *       PLUGIN_FILTER_UNKNOWN = the native export policy still runs. Attribute changes apply to
 *       the copy sent to these peers.
 *   bgp_encode_attr (13): once per attribute a plugin handles or added, when an UPDATE is built
 *       for the peer (get_attr: the attribute as stored; get_peer_info: that peer). A pluglet that
 *       declares `codes` runs for those codes, else for every attribute xbgpd has no codec for
 *       (those plugins add). A return of 1..4096 equal to the number of bytes the pluglet wrote
 *       with write_to_buffer (flags, code, length and value: one attribute of that code that the
 *       peer can decode) = encoded by the pluglet. 0 or the end of the chain = xbgpd encodes the
 *       attribute natively (as in FRRouting); any other value, a count that differs from the bytes
 *       written, or bytes that are not such an attribute = native too, and a fault of the pluglet.
 *   bgp_encode_message (18): per message sent (ARG_TYPE, ARG_BGP_MESSAGE: the message as xbgpd
 *       built it, header included, ARG_LENGTH). pre and post observe. replace runs only for
 *       message types xbgpd does not encode itself (sent with schedule_bgp_message):
 *       EXIT_SUCCESS = send what the pluglet wrote with write_to_buffer (the whole message,
 *       header included) instead; anything else = the message as built.
 *   job plugins ("job_plugin" in the manifest): every "schedule" seconds, on xbgpd's main loop,
 *       never concurrently with a point; the return value is ignored.
 *   bgp_encode_custom_attr (14) and bgp_open_sent (19) are not run by xbgpd: a manifest naming
 *   them is refused.
 *
 * ----- Helpers and permissions -----
 * [R] needs the "read" permission, [W] "write", [P] "usr_ptr" (see xbgp_common.h). A helper used
 * at a point where what it reads does not exist (get_prefix at bgp_decode_message, for example)
 * returns NULL or -1.
 */
#ifndef XBGP_COMPLIANT_API_XBGP_PLUGIN_API_H
#define XBGP_COMPLIANT_API_XBGP_PLUGIN_API_H

#include <time.h>
#include <stdint.h>
#include <stddef.h>
#include "xbgp_defs.h"
#include "xbgp_common_vm.h"

/* ===== Attributes of the current route ===== */

/*
 * [W,P] Add (or replace) attribute code on the current route: flags (ATTR_*), length bytes of
 * value at decoded_attr (wire encoding). Known codes update xbgpd's own fields; other codes are
 * carried with the route and sent as stored, or as a bgp_encode_attr pluglet encodes them. 0, or -1
 * (malformed value for a known code, MP_REACH_NLRI/MP_UNREACH_NLRI, or no current route here).
 */
extern int add_attr(uint8_t code, uint8_t flags, uint16_t length, uint8_t *decoded_attr);

/* [W,P] add_attr with the attribute given as a struct path_attribute. */
extern int set_attr(struct path_attribute *attr);

/*
 * [W,P] set_attr on one of the two routes of a decision step: rte is BGP_ROUTE_TYPE_NEW or
 * BGP_ROUTE_TYPE_OLD. 0, or -1.
 * xBGP bug: its hosts registered this helper with one argument type for two arguments; xbgpd
 * takes both as declared here.
 * xbgpd: a decision step compares routes and does not change them, so this returns -1 (nothing
 * changes); change routes at bgp_pre_inbound_filter instead.
 */
extern int set_attr_to_route(struct path_attribute *attr, int rte);

/* [R] A heap copy of the attribute being encoded (bgp_encode_attr), or NULL. */
extern struct path_attribute *get_attr(void);

/* [R] A heap copy of attribute code of the current route, or NULL if the route has none. */
extern struct path_attribute *get_attr_from_code(uint8_t code);

/* [R] get_attr_from_code on a chosen route: rte is BGP_ROUTE_TYPE_NEW or _OLD (decision steps),
 * or BGP_ROUTE_TYPE_UNDEF (the current route). */
extern struct path_attribute *get_attr_from_code_by_route(uint8_t code, int rte);

/* [W,P] Append len bytes (a whole encoded attribute, or message at bgp_encode_message) to what
 * xbgpd sends. 0, or -1 (no output here, or the message would exceed its maximum size). */
extern int write_to_buffer(uint8_t *ptr, size_t len);

/* ===== Peers ===== */

/*
 * [R] The peers the current route is being sent to (bgp_pre_outbound_filter,
 * bgp_encode_attr, bgp_encode_message): a heap array of *nb_peers structures, each with its
 * local_bgp_session filled. NULL (and *nb_peers untouched) where there is none.
 */
extern struct ubpf_peer_info *get_peer_info(int *nb_peers);

/* [R] The peer the current route or message was received from, with local_bgp_session
 * filled (at bgp_pre_outbound_filter: the peer the route being sent was learned from); NULL where
 * there is none (a job plugin, a locally originated route). */
extern struct ubpf_peer_info *get_src_peer_info(void);

/* [W] Not implemented by any host: returns -1. */
extern int set_peer_info(uint32_t router_id, int key, void *value, int len);

/* ===== Prefixes, routes and RIBs ===== */

/* [R] A heap copy of the current route's prefix, or NULL. */
extern struct ubpf_prefix *get_prefix(void);

/* [R] The next hop of the current route (pfx NULL) or of the best route for pfx, or NULL. */
extern struct ubpf_nexthop *get_nexthop(struct ubpf_prefix *pfx);

/* [R] A heap copy of a route: BGP_ROUTE_TYPE_NEW or _OLD at the decision steps, _UNDEF for the
 * point's current route. NULL otherwise. */
extern struct bgp_route *get_bgp_route(enum BGP_ROUTE_TYPE type);

/* [R] Where and why the current route was selected (uptime, type, reason), or NULL. */
extern struct bgp_rte_info *get_route_info(void);

/* [R] The route for pfx received from the peer whose router_id is pinfo's (after import
 * policy), or NULL; af_family is unused (pfx->afi says it). Despite the name, both xBGP hosts
 * look the route up among the received ones; xbgpd does the same as FRRouting. */
extern struct bgp_route *get_rib_out_entry(uint8_t af_family, struct ubpf_prefix *pfx,
                                           struct ubpf_peer_info *pinfo);

/* [R] The route for pfx last advertised to peer, or NULL. */
extern struct bgp_route *get_route_sent_to_peer(struct ubpf_prefix *pfx, struct ubpf_peer_info *peer);

/*
 * Loc-RIB iteration (job plugins): new_rib_iterator (no permission needed) returns an iterator
 * id >= 0 over the best routes of afi/safi (XBGP_AFI_*, XBGP_SAFI_*), or -1 (at most 256 open).
 * [R] rib_has_route: 1 while routes remain; next_rib_route: a heap copy of the next route, or
 * NULL at the end; rib_iterator_clean: close the iterator. Iterators left open are closed when
 * the run ends.
 */
extern int new_rib_iterator(int afi, int safi);
extern struct bgp_route *next_rib_route(unsigned int iterator_id);
extern int rib_has_route(unsigned int iterator_id);
extern void rib_iterator_clean(unsigned int iterator_id);

/* [R] Withdraw the route for pfx received from the peer (matched by router_id, or by address
 * when router_id is 0), as if the peer had withdrawn it. 0, or -1. */
extern int remove_route_from_rib(struct ubpf_prefix *pfx, struct ubpf_peer_info *peer_info);

/* [R] The VRF of the current route: fills vrf_id, and name if str_len leaves room. 0, or -1. */
extern int get_vrf(struct vrf_info *vrf_info);

/* ===== Messages and sessions ===== */

/* [W] Send a BGP message of type (0..255 but 1..5, which xbgpd builds itself) with body message->buf
 * (buf_len bytes) to the Established peer whose address is the text peer_ip, after the point's call;
 * xbgpd adds the header. 0, or -1 (such a type, no such peer, or longer than the session allows). */
extern int schedule_bgp_message(int type, struct bgp_message *message, const char *peer_ip);

/* [R,W] Reset the session with the peer whose address is the text peer_ip. 0, or -1. */
extern int peer_session_reset(const char *peer_ip);

/* ===== xbgpd extensions (no xBGP host provides these) ===== */

/*
 * RPKI origin validation (RFC 6811) against the Validated ROA Payloads xbgpd keeps from the RPKI
 * cache of its `rpki:` configuration (RTR, RFC 8210). origin_as is the route's origin AS: the last
 * AS of an AS_PATH ending with an AS_SEQUENCE; 0 stands for NONE (a path ending with an AS_SET),
 * which no VRP matches. Returns RPKI_VALID (a covering VRP has this AS and a max length at least the
 * prefix length), RPKI_INVALID (VRPs cover the prefix, none matches), RPKI_NOT_FOUND (no VRP covers
 * it; also before the first synchronisation), or -1 when xbgpd has no `rpki:` section or pfx is not
 * IPv4/IPv6. When the VRPs change, xbgpd re-runs the import of the routes they cover, so an
 * inbound filter calling this sees every change. [R]
 */
#define RPKI_NOT_FOUND 0
#define RPKI_VALID 1
#define RPKI_INVALID 2
extern int rpki_validate_origin(struct ubpf_prefix *pfx, uint32_t origin_as);

/* ===== Declared by the published API, refused by xbgpd at load ===== */

/* Refused by xbgpd: declared by xBGP's headers but never provided by its hosts. */
extern int announce_nrli(struct ubpf_prefix *pfx);
extern struct ubpf_rib_entry *get_rib_in_entry(uint8_t af_family, struct ubpf_prefix *pfx);
extern struct ubpf_rib_entry *get_loc_rib_entry(uint8_t af_family, struct ubpf_prefix *pfx);

#endif /* XBGP_COMPLIANT_API_XBGP_PLUGIN_API_H */

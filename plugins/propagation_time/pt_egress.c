/*
 * pt_egress: tells the next AS how long a route took to cross ours (bgp_pre_outbound_filter, replace).
 *
 * Towards an eBGP peer, a route carrying an Arrival attribute (propagation_time.h) gets the community
 * TAG:N added to its COMMUNITIES (the others kept; not twice), N the milliseconds between its arrival
 * and now, at most 65535 (a community's value is 16 bits), 0 when the ingress router's clock is ahead
 * of ours. TAG is 65000, or `tag_asn` of the extra configuration. Towards iBGP peers nothing changes.
 * The native export policy still runs (PLUGIN_FILTER_UNKNOWN).
 *
 * An outbound group holds either eBGP or iBGP peers, never both: the first destination tells.
 * The community changes with the clock, so no result may be reused: "depends-on": "anything".
 */
#include "propagation_time.h"

#define DEFAULT_TAG_ASN 65000
#define MAX_DELAY_MS 65535
/* A COMMUNITY attribute holds at most 65535 octets: room for the tag below this many. */
#define MAX_COMMUNITIES 16382

uint64_t pt_egress(args_t *args UNUSED);

/* The ASN half of the community: `tag_asn` of the extra configuration if valid, else 65000. */
static __always_inline uint32_t tag_asn(void)
{
    struct global_info info;
    uint64_t asn;

    if (get_extra_info("tag_asn", &info) != 0 || get_extra_info_value(&info, &asn, sizeof(asn)) != 0 ||
        asn > 0xffff)
        return DEFAULT_TAG_ASN;
    return (uint32_t)asn;
}

/* Milliseconds since the route's arrival (capped), or -1 when it has no well-formed Arrival. */
static __always_inline int64_t delay_ms(void)
{
    struct path_attribute *arrival = get_attr_from_code(ARRIVAL_ATTR_ID);
    uint64_t at, now;

    if (!arrival || arrival->length != ARRIVAL_LENGTH || now_ms(&now) != 0)
        return -1;
    memcpy(&at, arrival->data, sizeof(at)); /* the first 8 octets: arrival time */
    at = ebpf_ntohll(at);
    if (now <= at)
        return 0; /* the clocks of the two routers disagree: say no time passed */
    return now - at > MAX_DELAY_MS ? MAX_DELAY_MS : (int64_t)(now - at);
}

uint64_t pt_egress(args_t *args UNUSED)
{
    int nb_peers = 0;
    struct ubpf_peer_info *to = get_peer_info(&nb_peers);
    struct path_attribute *old;
    uint32_t tag;
    uint8_t *value;
    unsigned int n = 0, i;
    int64_t delay;

    if (!to || nb_peers < 1 || to[0].peer_type != EBGP_SESSION)
        return PLUGIN_FILTER_UNKNOWN; /* inside the AS: nothing to report yet */
    delay = delay_ms();
    if (delay < 0)
        return PLUGIN_FILTER_UNKNOWN; /* no Arrival: the route did not enter by an xbgpd router */
    tag = ebpf_htonl(tag_asn() << 16 | (uint32_t)delay); /* 4 octets, network order */

    /* The communities the route has now, kept; the tag once. */
    old = get_attr_from_code(COMMUNITY_ATTR_ID);
    if (old) {
        n = old->length / 4;
        if (n > MAX_COMMUNITIES)
            return PLUGIN_FILTER_UNKNOWN;
        for (i = 0; i < n; i++) {
            uint32_t c;
            memcpy(&c, &old->data[4 * i], sizeof(c));
            if (c == tag)
                return PLUGIN_FILTER_UNKNOWN; /* already there */
        }
    }
    value = ctx_malloc(4 * (n + 1));
    if (!value)
        return PLUGIN_FILTER_UNKNOWN;
    if (n > 0)
        ebpf_memcpy(value, old->data, 4 * n);
    ebpf_memcpy(&value[4 * n], &tag, 4);
    add_attr(COMMUNITY_ATTR_ID, ATTR_OPTIONAL | ATTR_TRANSITIVE, 4 * (n + 1), value);
    return PLUGIN_FILTER_UNKNOWN; /* the native export policy still runs */
}

/*
 * valley_free: rejects routes whose AS_PATH has a valley in a leaf/spine fabric (bgp_pre_inbound_filter,
 * replace anchor).
 *
 * In a data centre built as a Clos fabric with eBGP (RFC 7938), each tier has its own ASNs: leaves
 * (tier 0), spines (tier 1), maybe super-spines (tier 2). A route should climb from the leaf that
 * originates it to the spines, then go down to the other leaves: its tiers, read from the origin to
 * us, go up and then down, never down and then up again. A path that goes down and up again, such as
 * leaf1 -> spine1 -> leaf2 -> spine2 -> us, is a valley: leaf2 is acting as a transit for spine1,
 * which the fabric must never do (a failed link would send traffic through a leaf). Such routes are
 * rejected; the others are left to the native import policy.
 *
 * The walk goes the other way, from us through the AS_PATH to the origin, which gives the same
 * answer (a path that goes up then down reads up then down backwards too): once a step went down, a
 * step up means a valley. ASes in no tier (outside the fabric) and AS_SETs are skipped.
 *
 * Extra configuration (`conf:` of the plugin's entry): the ASNs of each tier, lowest tier first.
 *     tiers: { type_arg: list, arg: [
 *                { type_arg: list, arg: [{ type_arg: int, arg: 65001 }, { type_arg: int, arg: 65002 }] },
 *                { type_arg: list, arg: [{ type_arg: int, arg: 65101 }, { type_arg: int, arg: 65102 }] } ] }
 * It is read once, at the first route, into shared memory. The verdict depends on the attributes only
 * ("depends-on": "attributes").
 */
#include "xbgp_plugin_api.h"

#define TABLE_KEY 1
#define MAX_TIERS 8
#define MAX_ASNS 256    /* ASNs of the whole fabric kept */
#define MAX_SEGMENTS 64 /* AS_PATH segments looked at */
#define NO_TIER -1

/* The fabric's ASNs and their tiers, from the extra configuration. */
struct fabric {
    uint32_t count;
    uint32_t asn[MAX_ASNS];
    int32_t tier[MAX_ASNS];
};

uint64_t valley_free(args_t *args UNUSED);

/* Read `tiers` into a new shared block (once: shared memory outlives the run). */
static __always_inline struct fabric *load_fabric(void)
{
    struct fabric *f = ctx_shmnew(TABLE_KEY, sizeof(struct fabric));
    struct global_info tiers, tier, entry;
    uint64_t asn;
    int t, i;

    if (!f || get_extra_info("tiers", &tiers) != 0)
        return f; /* no tiers: an empty fabric, every route passes */
    for (t = 0; t < MAX_TIERS && get_extra_info_lst_idx(&tiers, t, &tier) == 0; t++) {
        for (i = 0; i < MAX_ASNS && f->count < MAX_ASNS; i++) {
            if (get_extra_info_lst_idx(&tier, i, &entry) != 0)
                break;
            if (get_extra_info_value(&entry, &asn, sizeof(asn)) != 0)
                continue;
            f->asn[f->count] = (uint32_t)asn;
            f->tier[f->count] = t;
            f->count++;
        }
    }
    return f;
}

static __always_inline int32_t tier_of(const struct fabric *f, uint32_t asn)
{
    uint32_t i;

    for (i = 0; i < MAX_ASNS && i < f->count; i++)
        if (f->asn[i] == asn)
            return f->tier[i];
    return NO_TIER;
}

uint64_t valley_free(args_t *args UNUSED)
{
    struct fabric *f = ctx_shmget(TABLE_KEY);
    struct ubpf_peer_info *src = get_src_peer_info();
    struct path_attribute *path = get_attr_from_code(AS_PATH_ATTR_ID);
    int32_t previous, t;
    int went_down = 0;
    unsigned int pos = 0, seg, k;

    if (!f)
        f = load_fabric();
    if (!f || !src || !path)
        return PLUGIN_FILTER_UNKNOWN;

    /* Our own tier first (we are the last hop of the route). */
    previous = tier_of(f, src->local_bgp_session->as);

    /* AS_PATH segments: type (1 octet), count (1 octet), count 4-octet ASNs, neighbour first. */
    for (seg = 0; seg < MAX_SEGMENTS && pos + 2 <= path->length; seg++) {
        uint8_t type = path->data[pos];
        uint8_t count = path->data[pos + 1];

        if (pos + 2 + 4u * count > path->length)
            return PLUGIN_FILTER_UNKNOWN; /* malformed: xbgpd never passes one */
        for (k = 0; k < count && type == AS_PATH_SEGMENT_SEQUENCE; k++) {
            uint32_t asn;

            memcpy(&asn, &path->data[pos + 2 + 4 * k], sizeof(asn));
            t = tier_of(f, ebpf_ntohl(asn));
            if (t == NO_TIER)
                continue; /* outside the fabric */
            if (previous != NO_TIER && t < previous)
                went_down = 1;
            else if (previous != NO_TIER && t > previous && went_down)
                return PLUGIN_FILTER_REJECT; /* down, then up again: a valley */
            previous = t;
        }
        pos += 2 + 4u * count;
    }
    return PLUGIN_FILTER_UNKNOWN; /* the native import policy still runs */
}

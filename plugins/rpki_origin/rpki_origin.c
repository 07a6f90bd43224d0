/*
 * rpki_origin: RPKI route origin validation (RFC 6811) as an inbound filter
 * (bgp_pre_inbound_filter, replace anchor).
 *
 * For every route received from the peers the plugin is attached to, it asks xbgpd for the route's
 * validation state against the Validated ROA Payloads of the daemon's RTR client (the `rpki:`
 * section; the helper rpki_validate_origin is an xbgpd extension) and applies what its extra
 * configuration says:
 *   - reject_invalid: 1 = invalid routes are not imported;
 *   - invalid_local_pref: the LOCAL_PREF given to invalid routes (lower than your default, 100);
 *   - valid_community, invalid_community, not_found_community: "ASN:VALUE", a community added to the
 *     routes of that state (the route's own communities kept).
 * Anything not configured is left alone; the native import policy still runs (PLUGIN_FILTER_UNKNOWN).
 * Without an `rpki:` section every route passes untouched.
 *
 * Extra configuration (config file, `conf:` of the plugin's entry), for example:
 *     reject_invalid:      { type_arg: int, arg: 0 }
 *     invalid_local_pref:  { type_arg: int, arg: 50 }
 *     invalid_community:   { type_arg: str, arg: "65000:2" }
 *
 * The state depends on the prefix and the origin AS, not on the attributes alone, so the manifest
 * declares no "depends-on": the pluglet runs for every route, and xbgpd runs it again on the routes
 * a VRP change covers. The configuration is parsed once into shared memory.
 */
#include "xbgp_plugin_api.h"

#define CONF_KEY 1 /* shared memory: the parsed configuration */
#define MAX_SEGMENTS 64 /* AS_PATH segments looked at */
#define MAX_COMMUNITIES 16382 /* a COMMUNITY attribute holds at most 65535 octets */

/* The configuration, parsed at the first run. tag[state]: the community for RPKI_NOT_FOUND (0),
 * RPKI_VALID (1), RPKI_INVALID (2), in wire order; has_tag[state]: whether one is configured. */
struct rpki_conf {
    uint32_t reject_invalid;
    uint32_t has_local_pref;
    uint32_t invalid_local_pref;
    uint32_t has_tag[3];
    uint32_t tag[3];
};

uint64_t rpki_origin(args_t *args UNUSED);

/* "ASN:VALUE" (two decimal numbers up to 65535) into the 32-bit community. 0, or -1. */
static __always_inline int parse_community(const char *text, uint32_t *out)
{
    uint32_t part[2] = {0, 0};
    int which = 0, digits = 0, i;

    for (i = 0; i < 12 && text[i] != '\0'; i++) {
        char c = text[i];
        if (c == ':' && which == 0 && digits > 0) {
            which = 1;
            digits = 0;
        } else if (c >= '0' && c <= '9' && digits < 5) {
            part[which] = part[which] * 10 + (uint32_t)(c - '0');
            digits++;
        } else {
            return -1;
        }
    }
    if (i == 12 || which != 1 || digits == 0 || part[0] > 0xffff || part[1] > 0xffff)
        return -1;
    *out = part[0] << 16 | part[1];
    return 0;
}

/* An int of the extra configuration into *out: 1 when present, 0 otherwise. */
static __always_inline int conf_int(const char *key, uint32_t *out)
{
    struct global_info info;
    uint64_t v;

    if (get_extra_info(key, &info) != 0 || get_extra_info_value(&info, &v, sizeof(v)) != 0)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

/* A community of the extra configuration for one state (a bad one is logged and ignored). */
static __always_inline void conf_tag(const char *key, struct rpki_conf *conf, int state)
{
    struct global_info info;
    char text[16];
    uint32_t tag;

    if (get_extra_info(key, &info) != 0)
        return;
    if (get_extra_info_value(&info, text, sizeof(text)) != 0 || parse_community(text, &tag) != 0) {
        log_msg(L_WARN "rpki_origin: a community needs {type_arg: str, arg: \"ASN:VALUE\"}");
        return;
    }
    conf->has_tag[state] = 1;
    conf->tag[state] = ebpf_htonl(tag);
}

/* The parsed configuration, from shared memory (parsed and stored at the first run). */
static __always_inline struct rpki_conf *config(void)
{
    struct rpki_conf *conf = ctx_shmget(CONF_KEY);

    if (conf)
        return conf;
    conf = ctx_shmnew(CONF_KEY, sizeof(*conf)); /* zeroed */
    if (!conf)
        return NULL;
    conf_int("reject_invalid", &conf->reject_invalid);
    conf->has_local_pref = conf_int("invalid_local_pref", &conf->invalid_local_pref);
    conf_tag("not_found_community", conf, RPKI_NOT_FOUND);
    conf_tag("valid_community", conf, RPKI_VALID);
    conf_tag("invalid_community", conf, RPKI_INVALID);
    return conf;
}

/* Our own AS (the local side of the session the route came from), or 0. */
static __always_inline uint32_t own_as(void)
{
    struct ubpf_peer_info *peer = get_src_peer_info();

    return peer && peer->local_bgp_session ? peer->local_bgp_session->as : 0;
}

/*
 * RFC 6811 2, "Route Origin ASN": the last AS of the AS_PATH when its final segment is an
 * AS_SEQUENCE; 0 (NONE) when it is an AS_SET; our own AS when the path is empty or ends with a
 * confederation segment (looked up only then). AS_PATH comes in wire encoding with 4-octet ASNs.
 */
static __always_inline uint32_t origin_as(const struct path_attribute *path)
{
    unsigned int pos = 0, seg;
    int own = 1;
    uint32_t origin = 0;

    for (seg = 0; seg < MAX_SEGMENTS && pos + 2 <= path->length; seg++) {
        uint8_t type = path->data[pos];
        uint8_t count = path->data[pos + 1];
        unsigned int end = pos + 2 + 4u * count;

        if (end > path->length)
            return 0;
        own = type == AS_PATH_SEGMENT_CONFED_SEQUENCE || type == AS_PATH_SEGMENT_CONFED_SET;
        origin = 0;
        if (type == AS_PATH_SEGMENT_SEQUENCE && count > 0) {
            memcpy(&origin, &path->data[end - 4], sizeof(origin));
            origin = ebpf_ntohl(origin);
        }
        pos = end;
    }
    return own ? own_as() : origin;
}

/* Add `tag` (wire order) to the route's communities, keeping them, once. */
static __always_inline void add_community(uint32_t tag)
{
    struct path_attribute *old = get_attr_from_code(COMMUNITY_ATTR_ID);
    unsigned int n = 0, i;
    uint8_t *value;

    if (old) {
        n = old->length / 4;
        if (n > MAX_COMMUNITIES)
            return;
        for (i = 0; i < n; i++) {
            uint32_t c;
            memcpy(&c, &old->data[4 * i], sizeof(c));
            if (c == tag)
                return;
        }
    }
    value = ctx_malloc(4 * (n + 1));
    if (!value)
        return;
    if (n > 0)
        ebpf_memcpy(value, old->data, 4 * n);
    ebpf_memcpy(&value[4 * n], &tag, 4);
    add_attr(COMMUNITY_ATTR_ID, ATTR_OPTIONAL | ATTR_TRANSITIVE, 4 * (n + 1), value);
}

uint64_t rpki_origin(args_t *args UNUSED)
{
    struct rpki_conf *conf = config();
    struct ubpf_prefix *pfx = get_prefix();
    struct path_attribute *path = get_attr_from_code(AS_PATH_ATTR_ID);
    uint32_t origin, lp;
    int state;

    if (!conf || !pfx)
        return PLUGIN_FILTER_UNKNOWN;
    origin = path ? origin_as(path) : own_as();

    state = rpki_validate_origin(pfx, origin);
    if (state < 0)
        return PLUGIN_FILTER_UNKNOWN; /* no rpki: section */
    if (state == RPKI_INVALID && conf->reject_invalid)
        return PLUGIN_FILTER_REJECT;
    if (state == RPKI_INVALID && conf->has_local_pref) {
        lp = ebpf_htonl(conf->invalid_local_pref);
        add_attr(LOCAL_PREF_ATTR_ID, ATTR_TRANSITIVE, sizeof(lp), (uint8_t *)&lp);
    }
    if (state <= RPKI_INVALID && conf->has_tag[state])
        add_community(conf->tag[state]);
    return PLUGIN_FILTER_UNKNOWN; /* the native import policy still runs */
}

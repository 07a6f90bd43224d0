/*
 * community_tagger: an outbound filter (bgp_pre_outbound_filter, replace anchor).
 *
 * Adds one RFC 1997 community, read from the extra configuration, to every route sent to the peers
 * the plugin is attached to, keeping the communities the route already has (and not adding it
 * twice). The native export policy and propagation rules still decide what is sent
 * (PLUGIN_FILTER_UNKNOWN); the change applies only to the copy sent to these peers.
 *
 * Extra configuration (config file, `conf:` of the plugin's entry):
 *     community: { type_arg: str, arg: "65000:777" }
 *
 * The verdict and the change depend on the attributes only ("depends-on": "attributes").
 */
#include "xbgp_plugin_api.h"

/* A COMMUNITY attribute holds at most 65535 octets: room for the tag below this many. */
#define MAX_COMMUNITIES 16382
#define WARNED_KEY 1 /* shared memory: set once the bad configuration has been logged */

uint64_t community_tagger(args_t *args UNUSED);

/*
 * Parse "ASN:VALUE" (two decimal numbers of at most 65535) into the community's 32-bit value.
 * 0 on success, -1 otherwise.
 */
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

uint64_t community_tagger(args_t *args UNUSED)
{
    struct global_info info;
    char text[16];
    uint32_t tag, wire_tag;
    struct path_attribute *old;
    uint8_t *value;
    unsigned int n = 0, i;

    if (get_extra_info("community", &info) != 0 || get_extra_info_value(&info, text, sizeof(text)) != 0 ||
        parse_community(text, &tag) != 0) {
        /* Say it once (shared memory outlives the run), then send routes untagged. */
        if (!ctx_shmget(WARNED_KEY) && ctx_shmnew(WARNED_KEY, 1))
            log_msg(L_WARN "community_tagger: conf needs community: {type_arg: str, arg: \"ASN:VALUE\"}");
        return PLUGIN_FILTER_UNKNOWN;
    }
    wire_tag = ebpf_htonl(tag); /* communities are 4 octets each, network order */

    /* The communities the route has now (4 octets each), if any. The heap (extra_mem) holds the
     * largest attribute twice, so NULL means that the route has none. */
    old = get_attr_from_code(COMMUNITY_ATTR_ID);
    if (old) {
        n = old->length / 4;
        if (n > MAX_COMMUNITIES)
            return PLUGIN_FILTER_UNKNOWN;
        for (i = 0; i < n; i++) {
            uint32_t c;
            memcpy(&c, &old->data[4 * i], sizeof(c));
            if (c == wire_tag)
                return PLUGIN_FILTER_UNKNOWN; /* already tagged */
        }
    }

    /* The new value: the old communities, then the tag. */
    value = ctx_malloc(4 * (n + 1));
    if (!value)
        return PLUGIN_FILTER_UNKNOWN;
    if (n > 0)
        ebpf_memcpy(value, old->data, 4 * n);
    ebpf_memcpy(&value[4 * n], &wire_tag, 4);
    add_attr(COMMUNITY_ATTR_ID, ATTR_OPTIONAL | ATTR_TRANSITIVE, 4 * (n + 1), value);
    return PLUGIN_FILTER_UNKNOWN; /* the native export policy still runs */
}

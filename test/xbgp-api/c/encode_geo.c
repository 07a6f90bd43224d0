/*
 * Encoder (bgp_encode_attr, replace anchor) of the attribute decode_geo.c stores: writes flags,
 * code, length and value with write_to_buffer and returns the bytes written. Other attributes go
 * to the next pluglet. Includes the API as the published plugins two folders deep do.
 */
#include "../../xbgp_compliant_api/xbgp_plugin_api.h"

#define GEO_ATTR_ID 42
#define GEO_ATTR_LEN 8
#define MAX_PEERS 32

uint64_t encode_geo(args_t *args UNUSED);

uint64_t encode_geo(args_t *args UNUSED)
{
    struct path_attribute *attr;
    struct ubpf_peer_info *peers;
    int nb_peers = 0, i, ebgp = 0;
    uint8_t buf[3 + GEO_ATTR_LEN];

    attr = get_attr();
    if (!attr || attr->code != GEO_ATTR_ID || attr->length != GEO_ATTR_LEN) {
        next();
        return 0;
    }

    peers = get_peer_info(&nb_peers);
    for (i = 0; peers && i < nb_peers && i < MAX_PEERS; i++)
        ebgp += peers[i].peer_type == EBGP_SESSION;

    buf[0] = ATTR_OPTIONAL | ATTR_TRANSITIVE;
    buf[1] = attr->code;
    buf[2] = GEO_ATTR_LEN;
    memcpy(&buf[3], attr->data, GEO_ATTR_LEN);
    if (write_to_buffer(buf, sizeof(buf)) != 0) {
        next();
        return 0;
    }
    if (ebgp > 0)
        ebpf_print("geo attribute sent to %d eBGP peer(s)\n", LOG_INT(ebgp));
    return sizeof(buf);
}

/*
 * bgp_encode_attr (replace): the path tags attribute (code 42, see decode_tags.c) with one more tag
 * on the way out, our own AS number (from the destination peer's local_bgp_session). Writes the whole
 * attribute with write_to_buffer and returns its length. Other attributes go to the next pluglet.
 */
#include "xbgp_plugin_api.h"

#define TAGS_ATTR_ID 42
#define MAX_TAGS 16

uint64_t encode_tags(args_t *args UNUSED);

uint64_t encode_tags(args_t *args UNUSED)
{
    struct path_attribute *attr;
    struct ubpf_peer_info *peer;
    int nb_peers = 0;
    uint8_t buf[3 + 4 * (MAX_TAGS + 1)];
    uint32_t asn, len;

    attr = get_attr();
    if (!attr || attr->code != TAGS_ATTR_ID || attr->length == 0 || attr->length > 4 * MAX_TAGS) {
        next();
        return 0;
    }
    peer = get_peer_info(&nb_peers);
    if (!peer || nb_peers != 1 || !peer->local_bgp_session) {
        next();
        return 0;
    }
    len = attr->length;
    asn = ebpf_htonl(peer->local_bgp_session->as);
    buf[0] = attr->flags & (ATTR_OPTIONAL | ATTR_TRANSITIVE);
    buf[1] = TAGS_ATTR_ID;
    buf[2] = (uint8_t)(len + 4);
    ebpf_memcpy(&buf[3], attr->data, len);
    ebpf_memcpy(&buf[3 + len], &asn, sizeof(asn));
    if (write_to_buffer(buf, 3 + len + 4) != 0) {
        next();
        return 0;
    }
    return 3 + len + 4;
}

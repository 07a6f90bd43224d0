/* A job pluglet: sends a type 8 message with the body "zombie" to the peer at 127.0.0.1 (speaker tests). */
#include "xbgp_plugin_api.h"

uint64_t msg_send_loopback(args_t *args UNUSED);

uint64_t msg_send_loopback(args_t *args UNUSED)
{
    uint8_t body[6] = {'z', 'o', 'm', 'b', 'i', 'e'};
    char peer[] = "127.0.0.1";
    struct bgp_message message = {.type = 8, .buf_len = sizeof(body), .buf = body};
    return schedule_bgp_message(8, &message, peer) == 0 ? 0 : 1;
}

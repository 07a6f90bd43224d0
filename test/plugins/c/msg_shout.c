/*
 * bgp_encode_message (replace): rewrites a scheduled message of type 8 with its body in upper case and a
 * '!' appended; other messages are left to xbgpd (EXIT_FAILURE).
 */
#include "xbgp_plugin_api.h"

#define HEADER 19
#define MAX_OUT 64

uint64_t msg_shout(args_t *args UNUSED);

uint64_t msg_shout(args_t *args UNUSED)
{
    uint8_t *type = get_arg(ARG_TYPE);
    uint8_t *message = get_arg(ARG_BGP_MESSAGE);
    uint16_t *length = get_arg(ARG_LENGTH);
    uint8_t out[MAX_OUT];
    unsigned int n, i;
    if (!type || !message || !length || *type != 8)
        return EXIT_FAILURE;
    n = *length;
    if (n < HEADER || n + 1 > MAX_OUT)
        return EXIT_FAILURE;
    for (i = 0; i < MAX_OUT && i < n; i++) {
        uint8_t c = message[i];
        out[i] = (i >= HEADER && c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : c;
    }
    out[n] = '!';
    out[16] = (uint8_t)((n + 1) >> 8);
    out[17] = (uint8_t)((n + 1) & 0xff);
    if (write_to_buffer(out, n + 1) != 0)
        return EXIT_FAILURE;
    return EXIT_SUCCESS;
}

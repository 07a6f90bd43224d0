/*
 * Pluglets exercising the value helpers: inet_pton / inet_ntop round trips and refusals, byte
 * order, the clocks and ebpf_sqrt. Each returns 0 (or the value asked for) or the number of the
 * first check that failed.
 */
#include <xbgp_compliant_api/xbgp_plugin_api.h>

uint64_t addresses(exec_info_t *info);
uint64_t numbers(exec_info_t *info);

uint64_t addresses(exec_info_t *info)
{
    uint8_t v4[4];
    uint8_t v6[16];
    char text[48];

    (void)info;
    if (ebpf_inet_pton(AF_INET, "192.0.2.33", v4, sizeof(v4)) != 0)
        return 1;
    if (ebpf_ntohl(*(uint32_t *)v4) != 0xc0000221)
        return 2;
    if (ebpf_inet_ntop(v4, AF_INET, text, sizeof(text)) != 0)
        return 3;
    log_msg(L_INFO "v4 %s", LOG_STR(text));
    if (ebpf_inet_pton(AF_INET6, "2001:db8:0:0:1::7", v6, sizeof(v6)) != 0)
        return 4;
    if (ebpf_inet_ntop(v6, AF_INET6, text, sizeof(text)) != 0)
        return 5;
    log_msg(L_INFO "v6 %s", LOG_STR(text));
    if (ebpf_inet_pton(AF_INET, "300.1.1.1", v4, sizeof(v4)) != -1)
        return 6;
    if (ebpf_inet_ntop(v6, AF_INET6, text, 4) != -1)
        return 7;
    return 0;
}

uint64_t numbers(exec_info_t *info)
{
    struct timespec mono, real;
    uint64_t root;

    (void)info;
    if (get_time(&mono) != 0 || get_realtime(&real) != 0)
        return 1;
    if (ebpf_htons(0x1234) != 0x3412 || ebpf_ntohll(0x0102030405060708ULL) != 0x0807060504030201ULL)
        return 2;
    root = ebpf_sqrt(2, 3);
    log_msg(L_INFO "mono %ld.%09ld real %ld sqrt %lu", LOG_SLONG(mono.tv_sec), LOG_SLONG(mono.tv_nsec),
            LOG_SLONG(real.tv_sec), LOG_U64(root));
    return root;
}

/*
 * Pluglets exercising the helpers that answer from the call or the plugin: the extra
 * configuration (a list walked to its end, a dict, a missing key), get_arg and whereami at
 * bgp_decode_attr, next() in a replace chain and from a pre pluglet (refused), and a job plugin
 * rescheduling itself.
 */
#include <xbgp_compliant_api/xbgp_plugin_api.h>

uint64_t read_conf(exec_info_t *info);
uint64_t args_and_point(exec_info_t *info);
uint64_t handle_42(exec_info_t *info);
uint64_t handle_all(exec_info_t *info);
uint64_t pre_next(exec_info_t *info);
uint64_t job_tick(exec_info_t *info);

uint64_t read_conf(exec_info_t *info)
{
    struct global_info asn, peers, item, names, name;
    uint64_t asn_value;
    uint64_t sum = 0;
    uint32_t addr;
    char str[16];
    int i;

    (void)info;
    if (get_extra_info("asn", &asn) != 0 || get_extra_info_value(&asn, &asn_value, sizeof(asn_value)) != 0)
        return 1;
    if (get_extra_info("peers", &peers) != 0)
        return 2;
    for (i = 0; i < 16 && get_extra_info_lst_idx(&peers, i, &item) == 0; i++) {
        if (get_extra_info_value(&item, &addr, sizeof(addr)) != 0)
            return 3;
        sum += ebpf_ntohl(addr) & 0xff;
    }
    if (get_extra_info("names", &names) != 0 || get_extra_info_dict(&names, "65002", &name) != 0)
        return 4;
    if (get_extra_info_value(&name, str, sizeof(str)) != 0)
        return 5;
    if (get_extra_info("missing", &item) != -1 || get_extra_info_value(&peers, str, sizeof(str)) != -1)
        return 6;
    log_msg(L_INFO "asn %lu, %d peers (sum %lu), 65002 is %s", LOG_U64(asn_value), LOG_INT(i), LOG_U64(sum),
            LOG_STR(str));
    return asn_value + sum;
}

uint64_t args_and_point(exec_info_t *info)
{
    uint8_t *code = get_arg(ARG_CODE);
    uint16_t *len = get_arg(ARG_LENGTH);
    uint8_t *data = get_arg(ARG_DATA);

    if (!code || !len || !data || *len == 0)
        return 1;
    if (get_arg(ARG_BGP_ROUTE) != NULL)
        return 2;
    if (whereami() != info->insertion_point_id)
        return 3;
    return (uint64_t)*code << 32 | (uint64_t)*len << 16 | data[*len - 1];
}

/* Replace chain: the first handles attribute 42 only, the second everything. */
uint64_t handle_42(exec_info_t *info)
{
    uint8_t *code = get_arg(ARG_CODE);

    (void)info;
    if (!code || *code != 42) {
        next();
        return EXIT_FAILURE; /* never reached: next() ends the run */
    }
    return EXIT_SUCCESS;
}

uint64_t handle_all(exec_info_t *info)
{
    (void)info;
    return 77;
}

uint64_t pre_next(exec_info_t *info)
{
    (void)info;
    next();
    return 7;
}

uint64_t job_tick(exec_info_t *info)
{
    time_t period = 30;

    (void)info;
    log_msg(L_DEBUG "job at %d", LOG_INT(whereami()));
    return reschedule_plugin(&period) == 0 ? 1 : 2;
}

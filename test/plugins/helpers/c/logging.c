/*
 * Pluglets exercising the logging helpers: log_msg with several levels and LOG_* kinds (and two
 * calls xbgpd refuses to log), ebpf_print, and ubpf_sprintf into stack buffers (a fit and a cut).
 *
 * log_constants passes only constants, string literals among them: clang then emits the argument
 * array as initialised .rodata holding pointers to the literals, which the VM fills in at load.
 */
#include <xbgp_compliant_api/xbgp_plugin_api.h>

uint64_t log_levels(exec_info_t *info);
uint64_t sprintf_route(exec_info_t *info);
uint64_t log_constants(exec_info_t *info);

uint64_t log_constants(exec_info_t *info)
{
    (void)info;
    return log_msg(L_INFO "%s meets %s, %s and %s %d times in %s", LOG_STR("alpha"), LOG_STR("beta"),
                   LOG_STR("gamma"), LOG_STR("delta"), LOG_INT(3), LOG_STR("epsilon"));
}

uint64_t log_levels(exec_info_t *info)
{
    char peer[8] = "peer-a";
    int logged = 0;

    logged += log_msg(L_INFO "point %d: %s sent %u routes, %lu bytes", LOG_INT(info->insertion_point_id),
                      LOG_STR(peer), LOG_U32(42), LOG_U64(1ULL << 40));
    logged += log_msg(L_WARN "signed %hhd %hd %lld, hex %#x, char %c", LOG_S8(-3), LOG_S16(-300),
                      LOG_SLLONG(-5000000000LL), LOG_UINT(0xbeef), LOG_UCHAR('Z'));
    logged += log_msg(L_DEBUG "ratio %.3f of %s", LOG_DOUBLE(0.125), LOG_STR(peer));
    /* not logged: no level byte, then too few values */
    logged += log_msg("no level byte %d", LOG_INT(1));
    logged += log_msg(L_ERR "%d and %d", LOG_INT(1));
    return logged;
}

uint64_t sprintf_route(exec_info_t *info)
{
    char net[16] = "10.0.0.0";
    char text[16] = "too long a text";
    char buf[48];
    char small[8];
    int len, cut;

    (void)info;
    len = ubpf_sprintf(buf, sizeof(buf), "%s/%d via %#x", (uintptr_t)net, 8, 0xa00);
    cut = ubpf_sprintf(small, sizeof(small), "%s", (uintptr_t)text);
    ebpf_print("sprintf: %s (%d), cut %d: %s\n", LOG_STR(buf), LOG_INT(len), LOG_INT(cut), LOG_STR(small));
    return len;
}

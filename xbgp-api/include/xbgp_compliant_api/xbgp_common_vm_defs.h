/*
 * xBGP plugin API for xbgpd: types and macros seen inside the VM that do not depend on BGP.
 *
 * - struct vtype / struct vargs: the typed argument list that log_msg and ebpf_print hand to the
 *   host (one struct vtype per argument, built by the LOG_* macros; the host formats them).
 * - L_*: the log level, the first byte of a log_msg format ("L_INFO \"...\"").
 * - struct global_info: a handle on a value of the plugin's extra configuration.
 * - exec_info_t: what r1 points to when a pluglet starts (see below).
 * - the BPF_* return codes of the first xBGP versions (no longer interpreted by any point).
 *
 * Layouts are those of clang -target bpf (LP64, little-endian); xbgp-api/layouts.ts gives the
 * same offsets to the host and a test compares the two.
 */
#ifndef XBGP_COMPLIANT_API_XBGP_COMMON_VM_DEFS_H
#define XBGP_COMPLIANT_API_XBGP_COMMON_VM_DEFS_H

#include <stdint.h>

/* One argument of log_msg / ebpf_print: a VT_* tag and the value (16 bytes on the BPF target). */
struct vtype {
    int type;
    union {
        int8_t s8;
        uint8_t u8;
        int16_t s16;
        uint16_t u16;
        int32_t s32;
        uint32_t u32;
        int64_t s64;
        uint64_t u64;
        float fvalue;
        double dvalue;
        /* On the BPF target long double is a 64-bit double; xbgpd reads VT_LONGDOUBLE as one. */
        long double ldvalue;
        void *pvalue;
        unsigned char uchar;
        char schar;
        unsigned short ushort;
        short sshort;
        unsigned int uint;
        int sint;
        unsigned long ulong;
        long slong;
        unsigned long long ullong;
        long long sllong;
    } val;
};

struct vargs {
    int nb_args;
    struct vtype *args;
};

/* struct vtype tags; the host reads the value member the tag names. */
enum {
    VT_S8,
    VT_U8,
    VT_S16,
    VT_U16,
    VT_S32,
    VT_U32,
    VT_S64,
    VT_U64,
    VT_FLOAT,
    VT_DOUBLE,
    VT_LONGDOUBLE,
    VT_POINTER,
    VT_UCHAR,
    VT_SCHAR,
    VT_USHORT,
    VT_SSHORT,
    VT_UINT,
    VT_SINT,
    VT_SLONG,
    VT_ULONG,
    VT_ULLONG,
    VT_SLLONG
};

/* Wrap one log_msg / ebpf_print argument. LOG_STR and LOG_PTR pass an address: for "%s" the
 * host reads a NUL-terminated string at that address in the plugin's memory. */
#define LOG_S8(v) ((struct vtype){.type = VT_S8, .val = {.s8 = (v)}})
#define LOG_U8(v) ((struct vtype){.type = VT_U8, .val = {.u8 = (v)}})
#define LOG_S16(v) ((struct vtype){.type = VT_S16, .val = {.s16 = (v)}})
#define LOG_U16(v) ((struct vtype){.type = VT_U16, .val = {.u16 = (v)}})
#define LOG_S32(v) ((struct vtype){.type = VT_S32, .val = {.s32 = (v)}})
#define LOG_U32(v) ((struct vtype){.type = VT_U32, .val = {.u32 = (v)}})
#define LOG_S64(v) ((struct vtype){.type = VT_S64, .val = {.s64 = (v)}})
#define LOG_U64(v) ((struct vtype){.type = VT_U64, .val = {.u64 = (v)}})
#define LOG_FLOAT(v) ((struct vtype){.type = VT_FLOAT, .val = {.fvalue = (v)}})
#define LOG_DOUBLE(v) ((struct vtype){.type = VT_DOUBLE, .val = {.dvalue = (v)}})
#define LOG_LDOUBLE(v) ((struct vtype){.type = VT_LONGDOUBLE, .val = {.ldvalue = (v)}})
#define LOG_PTR(v) ((struct vtype){.type = VT_POINTER, .val = {.pvalue = (void *)(v)}})
#define LOG_STR(v) LOG_PTR(v)
#define LOG_SCHAR(v) ((struct vtype){.type = VT_SCHAR, .val = {.schar = (v)}})
#define LOG_UCHAR(v) ((struct vtype){.type = VT_UCHAR, .val = {.uchar = (v)}})
#define LOG_SSHORT(v) ((struct vtype){.type = VT_SSHORT, .val = {.sshort = (v)}})
#define LOG_USHORT(v) ((struct vtype){.type = VT_USHORT, .val = {.ushort = (v)}})
#define LOG_INT(v) ((struct vtype){.type = VT_SINT, .val = {.sint = (v)}})
#define LOG_UINT(v) ((struct vtype){.type = VT_UINT, .val = {.uint = (v)}})
#define LOG_SLONG(v) ((struct vtype){.type = VT_SLONG, .val = {.slong = (v)}})
#define LOG_ULONG(v) ((struct vtype){.type = VT_ULONG, .val = {.ulong = (v)}})
#define LOG_SLLONG(v) ((struct vtype){.type = VT_SLLONG, .val = {.sllong = (v)}})
#define LOG_ULLONG(v) ((struct vtype){.type = VT_ULLONG, .val = {.ullong = (v)}})

/*
 * Log levels: the first byte of every log_msg format, written by string concatenation:
 *     log_msg(L_WARN "prefix %u rejected", LOG_U32(n));
 * xbgpd maps them to its own levels (DEBUG and TRACE to debug, INFO to info, REMOTE and WARN to
 * warn, ERR, AUTH, FATAL and BUG to error). A format without a level byte is not logged
 * (super_log returns 0).
 */
#define L_DEBUG "\001"
#define L_TRACE "\002"
#define L_INFO "\003"
#define L_REMOTE "\004"
#define L_WARN "\005"
#define L_ERR "\006"
#define L_AUTH "\007"
#define L_FATAL "\010"
#define L_BUG "\011"

/* Transport of sock_open. The socket helpers are refused by xbgpd at load (see xbgp_common_vm.h). */
enum SOCKET_INTERFACE {
    PLUGIN_SOCKET_MIN,
    PLUGIN_SOCKET_QUIC,
    PLUGIN_SOCKET_TCP,
    PLUGIN_SOCKET_UDP,
    PLUGIN_SOCKET_MAX
};
typedef enum SOCKET_INTERFACE sk_type_t;

/*
 * Handle on one value of the plugin's extra configuration (get_extra_info*). hidden_ptr is the
 * host's reference and means nothing to the plugin; type tells what the value is: 1 int,
 * 2 float, 3 ipv4, 4 ipv6, 5 ipv4_prefix, 6 ipv6_prefix, 7 list, 8 dict, 9 str (0: none).
 */
struct global_info {
    void *hidden_ptr;
    int type;
};

/* The host's argument list of an insertion point; plugins read arguments with get_arg only. */
typedef struct entry_arg entry_arg_t;

typedef struct {
    entry_arg_t *args;
    int nargs;
} args_t;

/*
 * What r1 points to when a pluglet starts (r2 holds its size): a copy in the plugin's heap. A
 * pluglet may declare its entry function with args_t * (the historical signature, not to be
 * dereferenced), exec_info_t * or no parameter at all.
 *
 * return_val_set is 1 only for post pluglets that run after a result was decided (by a replace
 * pluglet or by the native code); replace_return_value is then that result, in the point's own
 * codes (BGP_ROUTE_TYPE_NEW/OLD for the decision steps, PLUGIN_FILTER_* for the filters...).
 * insertion_point_id is the enum ubpf_plugins value of the point (2000000000 for job plugins).
 */
typedef struct {
    int return_val_set;
    uint64_t replace_return_value;
    int insertion_point_id;
} exec_info_t;

/* Return codes of the first xBGP API; no insertion point gives them a meaning any more. */
enum RESERVED_RETURN_VAL {
    BPF_UNDEF = 0,
    BPF_CONTINUE,
    BPF_FAILURE,
    BPF_SUCCESS,
    BPF_MAX_RESERVED_RETURN_VAL
};

#endif /* XBGP_COMPLIANT_API_XBGP_COMMON_VM_DEFS_H */

/*
 * Read back, from C, structures the host writes with the accessors of xbgp-api/layouts.ts
 * (test/xbgp-api/layouts.test.ts runs these in the VM with r1 pointing at the bytes).
 */
#include "xbgp_plugin_api.h"

uint64_t read_prefix(struct ubpf_prefix *p)
{
    return (uint64_t)p->afi | (uint64_t)p->safi << 8 | (uint64_t)p->prefixlen << 16 |
           (uint64_t)p->u[0] << 32 | (uint64_t)p->u[3] << 40 | (uint64_t)p->u[15] << 48 |
           (uint64_t)p->u[19] << 56;
}

uint64_t read_attr(struct path_attribute *a)
{
    return (uint64_t)a->code | (uint64_t)a->flags << 8 | (uint64_t)a->length << 16 |
           (uint64_t)a->data[a->length - 1] << 48;
}

uint64_t read_exec(exec_info_t *info)
{
    return (uint64_t)info->return_val_set | (uint64_t)info->insertion_point_id << 8 |
           info->replace_return_value << 16;
}

/*
 * Pluglets exercising the memory helpers: a run counter in shared memory (it must persist across
 * runs), the heap helpers with memcpy / memcmp, a heap filled up (reset after every run), and a
 * double free (a misuse: the run faults).
 */
#include <xbgp_compliant_api/xbgp_plugin_api.h>

#define COUNTER_KEY 42

uint64_t count_runs(exec_info_t *info);
uint64_t heap_ops(exec_info_t *info);
uint64_t fill_heap(exec_info_t *info);
uint64_t double_free(exec_info_t *info);

uint64_t count_runs(exec_info_t *info)
{
    uint64_t *counter;

    (void)info;
    counter = ctx_shmget(COUNTER_KEY);
    if (!counter) {
        counter = ctx_shmnew(COUNTER_KEY, sizeof(*counter));
        if (!counter)
            return 0;
    }
    *counter += 1;
    return *counter;
}

uint64_t heap_ops(exec_info_t *info)
{
    uint8_t *a;
    uint64_t *z;
    int i;

    (void)info;
    a = ctx_malloc(16);
    z = ctx_calloc(4, sizeof(uint64_t));
    if (!a || !z)
        return 1;
    for (i = 0; i < 16; i++)
        a[i] = i;
    if (z[0] | z[1] | z[2] | z[3])
        return 2;
    a = ctx_realloc(a, 64);
    if (!a)
        return 3;
    if (a[15] != 15)
        return 4;
    /* overlapping copy: memmove semantics */
    ebpf_memcpy(a + 1, a, 15);
    if (a[1] != 0 || a[15] != 14)
        return 5;
    if (ebpf_memcmp(a + 1, z, 1) != 0 || ebpf_memcmp(a + 2, z, 1) <= 0)
        return 6;
    ctx_free(z);
    if (ctx_calloc((size_t)1 << 40, (size_t)1 << 40))
        return 7;
    a[63] = 0x5a;
    return 0xc0ffee;
}

uint64_t fill_heap(exec_info_t *info)
{
    uint64_t blocks = 0;
    int i;

    (void)info;
    for (i = 0; i < 64; i++) {
        if (!ctx_malloc(1000))
            break;
        blocks++;
    }
    return blocks;
}

uint64_t double_free(exec_info_t *info)
{
    void *p;

    (void)info;
    p = ctx_malloc(8);
    ctx_free(p);
    ctx_free(p);
    return 1;
}

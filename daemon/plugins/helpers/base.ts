// The implementations of xBGP's base helpers (libxbgp's protocol-independent ones: the rows of
// BASE_HELPERS in xbgp-api/helpers-base.ts that xbgpd provides, and `next`), by helper name, for
// buildHelperRegistry (registry.ts). Grouped by what they work on:
//   base-values.ts   byte order, clocks, ebpf_sqrt, ebpf_inet_ntop / ebpf_inet_pton
//   base-memory.ts   the plugin heap, the keyed shared memory, ebpf_memcpy / ebpf_memcmp
//   base-log.ts      super_log (log_msg), ebpf_print_intern (ebpf_print), ebpf_bvsnprintf (ubpf_sprintf),
//                    over the printf engine of base-format.ts
//   base-context.ts  get_arg, whereami, next, reschedule_plugin, the get_extra_info* getters
// Every pointer a plugin passes is read and written through the checked HelperContext.mem: a bad
// one returns its VmFault (the run faults, the call takes the native path). A helper used where it
// means nothing returns helperMisuse's fault. Nothing here throws.
import type { HelperImpls } from './registry.js';
import { contextHelpers } from './base-context.js';
import { logHelpers } from './base-log.js';
import { memoryHelpers } from './base-memory.js';
import { valueHelpers } from './base-values.js';

export const baseHelpers: HelperImpls = {
  ...valueHelpers,
  ...memoryHelpers,
  ...logHelpers,
  ...contextHelpers,
};

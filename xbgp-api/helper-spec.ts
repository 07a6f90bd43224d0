// Types of the helper table (helpers.ts) and the small builders its rows are written with: how a
// helper's arguments and result are described (scalar, pointer in/out with its extent, heap copy of
// a layout...), its scope, what it needs from the running point and why xbgpd may refuse it.
import type { Anchor, PointContext } from './points.js';
import type { LayoutName } from './layouts.js';

/** xBGP permission names a helper may require (`HELPER_ATTR_READ`, `_WRITE`, `_USR_PTR`). */
export type Permission = 'read' | 'write' | 'usr_ptr';

/** Integer kinds in BPF registers: C int is s32, size_t u64, key_t s32, enums s32. */
export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 's32' | 's64';

/** How many bytes a pointer argument covers. */
export type Extent =
  /** As many bytes as argument `arg` (0-based) says. */
  | { readonly kind: 'length-arg'; readonly arg: number }
  | { readonly kind: 'fixed'; readonly bytes: number }
  /** One structure of that layout. */
  | { readonly kind: 'layout'; readonly layout: LayoutName }
  /** 4 or 16 bytes, by the AF_INET / AF_INET6 in argument `familyArg`. */
  | { readonly kind: 'address'; readonly familyArg: number }
  /** A NUL-terminated string. */
  | { readonly kind: 'cstring' }
  /** A path_attribute header and its `length` bytes of value. */
  | { readonly kind: 'path-attribute' }
  /** uintptr_t values, the first one the count of those after it (ubpf_sprintf). */
  | { readonly kind: 'counted-uintptr' }
  /** A struct vargs and the nb_args struct vtype at its args (log_msg, ebpf_print). */
  | { readonly kind: 'vargs' }
  /** A struct vrf_info and str_len bytes of name after it. */
  | { readonly kind: 'vrf-info' }
  /** A struct bgp_message and the buf_len bytes at its buf. */
  | { readonly kind: 'bgp-message' };

export type HelperArg = {
  readonly name: string;
  /** C type as the header writes it. */ readonly c: string;
} & (
  | { readonly kind: 'scalar'; readonly type: ScalarType }
  /** The helper reads through the pointer; `nullable`: NULL has a meaning. */
  | { readonly kind: 'in'; readonly extent: Extent; readonly nullable?: boolean }
  /** The helper writes through the pointer. */
  | { readonly kind: 'out'; readonly extent: Extent; readonly nullable?: boolean }
  /** The helper reads then writes. */
  | { readonly kind: 'inout'; readonly extent: Extent }
  /** A block that ctx_malloc / ctx_calloc / ctx_realloc returned (or NULL). */
  | { readonly kind: 'heap-block' }
);

export type HelperReturn = { /** C type as the header writes it. */ readonly c: string } & (
  | { readonly kind: 'void' }
  | { readonly kind: 'scalar'; readonly type: ScalarType }
  /** int: 0 on success, -1 on failure. */
  | { readonly kind: 'status' }
  /** A pointer to a copy in the plugin's heap (a deep copy: nested pointers point into the heap
   *  too), or NULL. `array`: several, their count written through an argument. */
  | { readonly kind: 'heap-copy'; readonly of: LayoutName | 'bytes'; readonly array?: boolean }
  /** A fresh heap block, or NULL. */
  | { readonly kind: 'heap-block' }
  /** A shared-memory block (persists across runs), or NULL. */
  | { readonly kind: 'shared-block' }
  /** Returns argument `index` unchanged. */
  | { readonly kind: 'arg'; readonly index: number }
  /** Does not return to the pluglet: the chain continues with the next replace pluglet. */
  | { readonly kind: 'tail-call' }
);

/**
 * What the helper needs to keep state with:
 * - none: works on its arguments (and the program's memory) only;
 * - plugin: the plugin's own state (heap, shared memory, extra configuration, logger, iterators);
 * - point: the running point's state (its arguments, route, peers, output).
 */
export type HelperScope = 'none' | 'plugin' | 'point';

export type RefusalReason =
  /** Reaches outside the router (remote files, sockets). */
  | 'outside-router'
  /** Declared by the published headers, provided by no xBGP host. */
  | 'not-provided'
  /** xBGP's internal helper, not meant for plugins (not in the headers). */
  | 'internal';

export interface HelperSpec {
  readonly id: number;
  readonly name: string;
  /** base: libxbgp's protocol-independent helpers; bgp: the BGP API. */
  readonly group: 'base' | 'bgp';
  readonly permissions: readonly Permission[];
  readonly args: readonly HelperArg[];
  readonly ret: HelperReturn;
  readonly scope: HelperScope;
  /** What the running point must offer for the helper to mean something (points.ts). */
  readonly needs: readonly PointContext[];
  /** The anchors where it may be called, when not all. */
  readonly anchors?: readonly Anchor[];
  /** Set when xbgpd refuses, at load, a pluglet that calls it. */
  readonly refused?: RefusalReason;
  readonly note: string;
}

// ===== Builders (keep the table readable) =====

export const scalar = (name: string, c: string, type: ScalarType): HelperArg => ({
  name,
  c,
  kind: 'scalar',
  type,
});
export const inArg = (name: string, c: string, extent: Extent, nullable = false): HelperArg => ({
  name,
  c,
  kind: 'in',
  extent,
  ...(nullable ? { nullable } : {}),
});
export const outArg = (name: string, c: string, extent: Extent, nullable = false): HelperArg => ({
  name,
  c,
  kind: 'out',
  extent,
  ...(nullable ? { nullable } : {}),
});
export const lengthArg = (arg: number): Extent => ({ kind: 'length-arg', arg });
export const layout = (l: LayoutName): Extent => ({ kind: 'layout', layout: l });
export const cstring: Extent = { kind: 'cstring' };

export const retScalar = (c: string, type: ScalarType): HelperReturn => ({ c, kind: 'scalar', type });
export const STATUS: HelperReturn = { c: 'int', kind: 'status' };
export const VOID: HelperReturn = { c: 'void', kind: 'void' };
export const copyOf = (c: string, of: LayoutName | 'bytes', array = false): HelperReturn => ({
  c,
  kind: 'heap-copy',
  of,
  ...(array ? { array } : {}),
});

export type Row = Omit<HelperSpec, 'group'>;

export const byteOrder = (id: number, name: string, bits: 16 | 32 | 64, note: string): Row => {
  const c = `uint${bits}_t`;
  const type: ScalarType = bits === 16 ? 'u16' : bits === 32 ? 'u32' : 'u64';
  return {
    id,
    name,
    permissions: [],
    args: [scalar('value', c, type)],
    ret: retScalar(c, type),
    scope: 'none',
    needs: [],
    note,
  };
};

export const sockaddrIn = (name: string): HelperArg =>
  inArg(name, 'const struct sockaddr *', { kind: 'fixed', bytes: 16 });

// The helper table of the xBGP plugin API: every function the published headers declare, with a
// stable numeric id, its required permissions, its C prototype, a description of each argument and
// of the result, what it needs from the running point, whether xbgpd refuses it at load, and one
// line of semantics. One table (HELPERS), no implementations: the host binds these ids to its code,
// the ELF loader resolves call relocations by name, and tests check the table against the C
// headers. The rows are written in helpers-base.ts, helpers-bgp.ts and helpers-rpki.ts (xbgpd's
// extensions); their types in helper-spec.ts.
//
// Id scheme (README.md): 0..58 are xBGP's ids when a pluglet has every permission (libxbgp's base
// helpers in registration order, then the BGP API of xbgp_api_vars.h in file order); 63 (0x3F,
// membound_fail) and 127 (0x7F, next) are xBGP's reserved ids; 59 and up are the functions the
// published headers declare that no xBGP host registered, then helpers xbgpd adds, each taking the
// next free id. In xbgpd an id never depends on permissions, is never reused and never renumbered.
import { PERMISSION_BITS } from './constants.js';
import type { HelperSpec, Row } from './helper-spec.js';
import { BASE_HELPERS, FIXED_ID_AND_UNPROVIDED_BASE_HELPERS } from './helpers-base.js';
import { BGP_HELPERS, UNPROVIDED_BGP_HELPERS } from './helpers-bgp.js';
import { RPKI_HELPERS } from './helpers-rpki.js';

export type * from './helper-spec.js';

function rows(group: HelperSpec['group'], list: readonly Row[]): HelperSpec[] {
  return list.map((r) => ({ group, ...r }));
}

/** Every helper, by id. */
export const HELPERS: readonly HelperSpec[] = [
  ...rows('base', BASE_HELPERS),
  ...rows('bgp', BGP_HELPERS),
  ...rows('bgp', UNPROVIDED_BGP_HELPERS),
  ...rows('base', FIXED_ID_AND_UNPROVIDED_BASE_HELPERS),
  ...rows('bgp', RPKI_HELPERS),
].sort((a, b) => a.id - b.id);

/** The reserved ids of xBGP, kept. */
export const MEMBOUND_FAIL_ID = 0x3f;
export const NEXT_ID = 0x7f;

const helpersByName = new Map(HELPERS.map((h) => [h.name, h]));
const helpersById = new Map(HELPERS.map((h) => [h.id, h]));

export function helperByName(name: string): HelperSpec | undefined {
  return helpersByName.get(name);
}

export function helperById(id: number): HelperSpec | undefined {
  return helpersById.get(id);
}

/** The permission bits a helper requires (`HELPER_ATTR_*` OR-ed). */
export function requiredBits(h: HelperSpec): number {
  return h.permissions.reduce((bits, p) => bits | PERMISSION_BITS[p], 0);
}

/** The C prototype of a helper as the headers declare it, e.g. `int add_attr(uint8_t code, ...)`. */
export function cPrototype(h: HelperSpec): string {
  const params = h.args.length === 0 ? 'void' : h.args.map((a) => cParam(a.c, a.name)).join(', ');
  return `${cParam(h.ret.c, h.name)}(${params})`;
}

/** The C function pointer type of a helper, e.g. `int (*)(uint8_t, uint8_t, uint16_t, uint8_t *)`. */
export function cPointerType(h: HelperSpec): string {
  const params = h.args.length === 0 ? 'void' : h.args.map((a) => a.c).join(', ');
  return `${h.ret.c} (*)(${params})`;
}

const cParam = (type: string, name: string): string =>
  type.endsWith('*') ? `${type}${name}` : `${type} ${name}`;

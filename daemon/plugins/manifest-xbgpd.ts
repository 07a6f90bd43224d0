// The xbgpd extension of a .plugin file: the top-level key `xbgpd` (libxbgp ignores it, so the file stays
// valid for xBGP) declares per pluglet what lets the host skip or cache calls: `codes` (the attribute
// codes a bgp_decode_attr / bgp_encode_attr pluglet handles), `depends-on` (what a pre-inbound or
// pre-outbound filter's verdict depends on: attributes | prefix | anything), and `budget`
// (instructions per run; also plugin-wide as `xbgpd.budget`).
import {
  CODE_POINTS,
  DEPENDS_ON,
  FILTER_POINTS,
  MAX_BUDGET,
  manifestErrorCodes as E,
  type DependsOn,
} from './manifest-types.js';
import {
  field,
  integerIn,
  objectAt,
  isPluglet,
  oneOf,
  type Obj,
  type PointScope,
  type Reporter,
} from './manifest-fields.js';
import { isPlainObject, type PathSegment } from './strict-json.js';

const EXT_KEYS = ['budget', 'pluglets'];
const EXT_PLUGLET_KEYS = ['codes', 'depends-on', 'budget'];

export interface ExtPluglet {
  codes?: number[];
  dependsOn?: DependsOn;
  budget?: number;
}

export interface Extension {
  budget?: number;
  pluglets: Map<string, ExtPluglet>;
}

function checkCodes(r: Reporter, v: unknown, path: PathSegment[]): number[] | undefined {
  if (!Array.isArray(v)) {
    r.wrongType(path, 'an array of attribute codes', v);
    return undefined;
  }
  if (v.length === 0) r.error(E.ERR_PLUGIN_MANIFEST_EMPTY, path, 'is empty (the pluglet would never run)');
  const codes: number[] = [];
  v.forEach((c, i) => {
    const code = integerIn(r, c, [...path, i], 0, 255);
    if (code === undefined) return;
    if (codes.includes(code))
      r.error(E.ERR_PLUGIN_MANIFEST_EXTENSION, [...path, i], `code ${code} is listed twice`);
    else codes.push(code);
  });
  return codes.sort((a, b) => a - b);
}

/** Whether `pluglet` is attached at one of `points` (else reported: the key at `path` means nothing). */
function attachedAt(
  r: Reporter,
  s: PointScope,
  pluglet: string,
  path: PathSegment[],
  points: readonly string[],
): boolean {
  const at = s.attached.get(pluglet)?.point;
  if (at !== undefined && points.includes(at)) return true;
  const where = at === undefined ? 'is not attached at an insertion point' : `is attached at ${at}`;
  r.error(
    E.ERR_PLUGIN_MANIFEST_EXTENSION,
    path,
    `only means something at ${points.join(' or ')}, and ${pluglet} ${where}`,
  );
  return false;
}

function checkExtPluglet(r: Reporter, s: PointScope, name: string, v: Obj): ExtPluglet {
  const path = ['xbgpd', 'pluglets', name];
  r.unknownKeys(v, path, EXT_PLUGLET_KEYS);
  const out: ExtPluglet = {};
  if (field(v, 'codes') !== undefined && attachedAt(r, s, name, [...path, 'codes'], CODE_POINTS))
    out.codes = checkCodes(r, v.codes, [...path, 'codes']);
  if (field(v, 'depends-on') !== undefined && attachedAt(r, s, name, [...path, 'depends-on'], FILTER_POINTS))
    out.dependsOn = oneOf(r, v['depends-on'], [...path, 'depends-on'], DEPENDS_ON);
  if (field(v, 'budget') !== undefined)
    out.budget = integerIn(r, v.budget, [...path, 'budget'], 1, MAX_BUDGET, ' instructions');
  return out;
}

export function checkExtension(r: Reporter, top: Obj, s: PointScope): Extension {
  const out: Extension = { pluglets: new Map() };
  const ext = objectAt(r, top, [], 'xbgpd');
  if (ext === undefined) return out;
  r.unknownKeys(ext, ['xbgpd'], EXT_KEYS);
  if (field(ext, 'budget') !== undefined)
    out.budget = integerIn(r, ext.budget, ['xbgpd', 'budget'], 1, MAX_BUDGET, ' instructions');
  const pluglets = objectAt(r, ext, ['xbgpd'], 'pluglets') ?? {};
  for (const name of Object.keys(pluglets)) {
    const path = ['xbgpd', 'pluglets', name];
    const v = pluglets[name];
    if (!isPluglet(r, s, path, name)) continue;
    if (!isPlainObject(v)) r.wrongType(path, 'an object', v);
    else out.pluglets.set(name, checkExtPluglet(r, s, name, v));
  }
  return out;
}

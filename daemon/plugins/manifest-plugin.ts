// Validation of one .plugin file (already parsed as strict JSON) into a PluginManifest, as libxbgp's
// static_injection.c reads it, but strictly: every unknown key, wrong type, out-of-range value, unknown
// point, anchor or pluglet is an error naming its key path, and every error is reported, not just the
// first. The xbgpd extension lives under the top-level key `xbgpd`, which libxbgp ignores.
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import {
  ANCHORS,
  DEFAULT_EXTRA_MEM,
  MAX_MEM_PARSE,
  MAX_PLUGIN_BLOCK,
  MAX_SCHEDULE,
  MAX_SEQ,
  MEMORY_MANAGERS,
  PERMISSIONS,
  PERMISSION_BITS,
  manifestErrorCodes as E,
  pluginBlockBytes,
  type Anchor,
  type AnchorEntry,
  type Permission,
  type PlugletManifest,
  type PluginManifest,
  type PointAttachment,
} from './manifest-types.js';
import {
  Reporter,
  bool,
  checkName,
  field,
  integerIn,
  isPluglet,
  objectAt,
  oneOf,
  type Obj,
  type PluginCheckContext,
  type PointScope,
} from './manifest-fields.js';
import { checkExtension } from './manifest-xbgpd.js';
import { isPlainObject, keyPath, type JsonValue, type PathSegment } from './strict-json.js';

export type { PluginCheckContext } from './manifest-fields.js';

const TOP_KEYS = [
  'name',
  'jit_all',
  'extra_mem',
  'shared_mem',
  'memory_mgmt',
  'obj_dir',
  'obj_code_list',
  'insertion_points',
  'job_plugin',
  'xbgpd',
];
const PLUGLET_KEYS = ['obj', 'jit', 'permissions', 'add_memcheck', 'use_libffi'];
const SEQ = /^(0|[1-9][0-9]*)$/;

// ===== Global options =====

function checkMemory(r: Reporter, top: Obj): { extraMem: number; sharedMem: number } {
  const mem = (key: string, fallback: number): number => {
    const v = field(top, key);
    if (v === undefined) return fallback;
    return integerIn(r, v, [key], 0, MAX_MEM_PARSE, ' bytes') ?? fallback;
  };
  const extraMem = mem('extra_mem', DEFAULT_EXTRA_MEM);
  const sharedMem = mem('shared_mem', 0);
  const block = pluginBlockBytes(extraMem, sharedMem);
  if (block > MAX_PLUGIN_BLOCK) {
    r.error(
      E.ERR_PLUGIN_MANIFEST_MEMORY,
      [field(top, 'extra_mem') !== undefined ? 'extra_mem' : 'shared_mem'],
      `the plugin's memory block would be ${block} bytes (512 of arguments, then extra_mem ${extraMem} ` +
        `and shared_mem ${sharedMem} each rounded up to 4096), above the ${MAX_PLUGIN_BLOCK} (1 MiB) libxbgp allows`,
    );
  }
  return { extraMem, sharedMem };
}

type ObjDir = Pick<PluginManifest, 'objDir' | 'objDirFrom'>;

/** The object directory, or undefined when `obj_dir` is wrong (reported; objects are then not looked up). */
function checkObjDir(r: Reporter, top: Obj): ObjDir | undefined {
  const v = field(top, 'obj_dir');
  const here = dirname(r.ctx.file);
  if (v !== undefined) {
    if (typeof v === 'string' && v !== '') return { objDir: resolve(here, v), objDirFrom: 'obj_dir' };
    r.wrongType(['obj_dir'], 'a non-empty string', v);
    return undefined;
  }
  if (r.ctx.objDir !== undefined) return { objDir: resolve(r.ctx.objDir), objDirFrom: 'option' };
  return { objDir: here, objDirFrom: 'manifest-folder' };
}

// ===== obj_code_list =====

function checkPermissions(r: Reporter, v: unknown, path: PathSegment[]): Permission[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    r.wrongType(path, 'an array of strings', v);
    return [];
  }
  const set = new Set<Permission>();
  v.forEach((p, i) => {
    const perm = oneOf(r, p, [...path, i], PERMISSIONS, true);
    if (perm !== undefined) set.add(perm);
  });
  if (set.has('none') && set.size > 1)
    r.error(E.ERR_PLUGIN_MANIFEST_ENUM, path, `'none' cannot be combined with other permissions`);
  return PERMISSIONS.filter((p) => set.has(p)).sort();
}

function checkObjFile(
  r: Reporter,
  v: unknown,
  path: PathSegment[],
  objDir: string | undefined,
): string | undefined {
  if (typeof v !== 'string' || v === '') {
    r.wrongType(path, 'a non-empty string', v);
    return undefined;
  }
  if (isAbsolute(v)) {
    r.error(E.ERR_PLUGIN_MANIFEST_OBJ, path, `'${v}' must be relative to the object directory`);
    return undefined;
  }
  if (objDir === undefined) return undefined;
  const abs = join(objDir, v);
  const shown = relative(r.ctx.displayBase, abs) || '.';
  let isFile: boolean;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    r.error(E.ERR_PLUGIN_MANIFEST_OBJ, path, `object file '${shown}' does not exist`);
    return undefined;
  }
  if (!isFile) r.error(E.ERR_PLUGIN_MANIFEST_OBJ, path, `object file '${shown}' is not a file`);
  return isFile ? abs : undefined;
}

function checkPluglet(
  r: Reporter,
  name: string,
  v: unknown,
  objDir: string | undefined,
  jitAll: boolean,
): PlugletManifest | undefined {
  const path = ['obj_code_list', name];
  if (!isPlainObject(v)) {
    r.wrongType(path, 'an object', v);
    return undefined;
  }
  r.unknownKeys(v, path, PLUGLET_KEYS);
  let obj: string | undefined;
  if (field(v, 'obj') === undefined)
    r.error(E.ERR_PLUGIN_MANIFEST_MISSING_KEY, [...path, 'obj'], 'missing (the object file of the pluglet)');
  else obj = checkObjFile(r, v.obj, [...path, 'obj'], objDir);
  const permissions = checkPermissions(r, field(v, 'permissions'), [...path, 'permissions']);
  const pluglet = {
    name,
    obj: obj ?? '',
    jit: bool(r, v, path, 'jit', jitAll),
    permissions,
    permissionBits: permissions.reduce((bits, p) => bits | PERMISSION_BITS[p], 0),
    addMemcheck: bool(r, v, path, 'add_memcheck', false),
    useLibffi: bool(r, v, path, 'use_libffi', false),
  };
  return obj === undefined ? undefined : pluglet;
}

function checkPluglets(
  r: Reporter,
  top: Obj,
  objDir: string | undefined,
  jitAll: boolean,
): Map<string, PlugletManifest> {
  const out = new Map<string, PlugletManifest>();
  const list = objectAt(r, top, [], 'obj_code_list');
  if (list === undefined) {
    if (field(top, 'obj_code_list') === undefined)
      r.error(E.ERR_PLUGIN_MANIFEST_MISSING_KEY, ['obj_code_list'], 'missing (the pluglets of the plugin)');
    return out;
  }
  if (Object.keys(list).length === 0)
    r.error(E.ERR_PLUGIN_MANIFEST_EMPTY, ['obj_code_list'], 'is empty (a plugin needs at least one pluglet)');
  for (const name of Object.keys(list)) {
    if (checkName(r, name, ['obj_code_list', name], 'pluglet') === undefined) continue;
    const p = checkPluglet(r, name, list[name], objDir, jitAll);
    if (p !== undefined) out.set(name, p);
  }
  return out;
}

// ===== insertion_points / job_plugin =====

function checkSeqEntry(
  r: Reporter,
  s: PointScope,
  point: string,
  path: PathSegment[],
  v: unknown,
): AnchorEntry | undefined {
  const key = path[path.length - 1] as string;
  const seqOk = SEQ.test(key) && Number(key) <= MAX_SEQ;
  if (!seqOk)
    r.error(
      E.ERR_PLUGIN_MANIFEST_SEQ,
      path,
      `seq must be a decimal integer 0 to ${MAX_SEQ} (no sign, no leading zero)`,
    );
  if (typeof v !== 'string') {
    r.wrongType(path, 'a pluglet name (string)', v);
    return undefined;
  }
  if (!isPluglet(r, s, path, v)) return undefined;
  const before = s.attached.get(v);
  if (before !== undefined) {
    r.error(
      E.ERR_PLUGIN_MANIFEST_PLUGLET_TWICE,
      path,
      `pluglet '${v}' is already attached at ${before.path} (libxbgp runs one VM per pluglet name; ` +
        'to attach an object twice, list it under a second pluglet name)',
    );
    return undefined;
  }
  s.attached.set(v, { point, path: keyPath(path) });
  return seqOk ? { seq: Number(key), pluglet: v } : undefined;
}

function checkAnchors(r: Reporter, s: PointScope, point: string, v: Obj): PointAttachment {
  const out: PointAttachment = {};
  for (const anchor of Object.keys(v)) {
    const path = ['insertion_points', point, anchor];
    if (!(ANCHORS as readonly string[]).includes(anchor)) {
      r.error(E.ERR_PLUGIN_MANIFEST_ANCHOR, path, `unknown anchor (anchors: ${ANCHORS.join(', ')})`);
      continue;
    }
    const seqs = v[anchor];
    if (!isPlainObject(seqs)) {
      r.wrongType(path, 'an object of "seq": "pluglet"', seqs);
      continue;
    }
    if (Object.keys(seqs).length === 0) r.error(E.ERR_PLUGIN_MANIFEST_EMPTY, path, 'is empty');
    const entries: AnchorEntry[] = [];
    for (const seq of Object.keys(seqs)) {
      const e = checkSeqEntry(r, s, point, [...path, seq], seqs[seq]);
      if (e !== undefined) entries.push(e);
    }
    out[anchor as Anchor] = entries.sort((a, b) => a.seq - b.seq);
  }
  return out;
}

function checkPoints(r: Reporter, s: PointScope, v: Obj): Map<string, PointAttachment> {
  const out = new Map<string, PointAttachment>();
  if (Object.keys(v).length === 0)
    r.error(E.ERR_PLUGIN_MANIFEST_EMPTY, ['insertion_points'], 'is empty (nothing to attach)');
  for (const point of Object.keys(v)) {
    const path = ['insertion_points', point];
    if (!r.ctx.knownPoints.has(point)) {
      const known = [...r.ctx.knownPoints].sort().join(', ');
      r.error(E.ERR_PLUGIN_MANIFEST_UNKNOWN_POINT, path, `unknown insertion point (points: ${known})`);
      continue;
    }
    const anchors = v[point];
    if (!isPlainObject(anchors)) {
      r.wrongType(path, 'an object of anchors', anchors);
      continue;
    }
    if (Object.keys(anchors).length === 0) r.error(E.ERR_PLUGIN_MANIFEST_EMPTY, path, 'is empty (no anchor)');
    out.set(point, checkAnchors(r, s, point, anchors));
  }
  return out;
}

function checkJob(r: Reporter, v: Obj): { schedule: number } | undefined {
  r.unknownKeys(v, ['job_plugin'], ['schedule']);
  if (field(v, 'schedule') === undefined) {
    r.error(E.ERR_PLUGIN_MANIFEST_MISSING_KEY, ['job_plugin', 'schedule'], 'missing (seconds between runs)');
    return undefined;
  }
  const schedule = integerIn(r, v.schedule, ['job_plugin', 'schedule'], 1, MAX_SCHEDULE, ' seconds');
  return schedule === undefined ? undefined : { schedule };
}

type Attachment =
  | { insertionPoints: Map<string, PointAttachment>; jobPlugin?: undefined }
  | { jobPlugin: { schedule: number }; insertionPoints?: undefined };

function checkAttachment(r: Reporter, top: Obj, s: PointScope): Attachment | undefined {
  const hasPoints = field(top, 'insertion_points') !== undefined;
  const hasJob = field(top, 'job_plugin') !== undefined;
  if (hasPoints === hasJob) {
    const msg = hasPoints
      ? 'has both insertion_points and job_plugin (a plugin is one or the other)'
      : 'has neither insertion_points nor job_plugin (one is required)';
    r.error(E.ERR_PLUGIN_MANIFEST_ATTACHMENT, [], msg);
    return undefined;
  }
  if (hasJob) {
    const job = objectAt(r, top, [], 'job_plugin');
    const jobPlugin = job && checkJob(r, job);
    return jobPlugin && { jobPlugin };
  }
  const points = objectAt(r, top, [], 'insertion_points');
  return points && { insertionPoints: checkPoints(r, s, points) };
}

// ===== The plugin =====

/** Validate one parsed .plugin file. Returns the manifest, or undefined when errors were appended. */
export function checkPlugin(json: JsonValue, ctx: PluginCheckContext): PluginManifest | undefined {
  const r = new Reporter(ctx);
  if (!isPlainObject(json)) {
    r.wrongType([], 'a JSON object', json);
    return undefined;
  }
  const top: Obj = json;
  r.unknownKeys(top, [], TOP_KEYS);
  let name: string | undefined;
  if (field(top, 'name') === undefined)
    r.error(E.ERR_PLUGIN_MANIFEST_MISSING_KEY, ['name'], 'missing (every plugin has a name)');
  else name = checkName(r, top.name, ['name'], 'plugin');
  const jitAll = bool(r, top, [], 'jit_all', false);
  const memory = checkMemory(r, top);
  const memoryMgmt =
    field(top, 'memory_mgmt') === undefined
      ? 'bump'
      : oneOf(r, top.memory_mgmt, ['memory_mgmt'], MEMORY_MANAGERS);
  const dir = checkObjDir(r, top);
  const pluglets = checkPluglets(r, top, dir?.objDir, jitAll);
  const list = field(top, 'obj_code_list');
  const scope: PointScope = {
    plugin: name ?? 'this plugin',
    names: isPlainObject(list) ? Object.keys(list) : undefined,
    attached: new Map(),
  };
  const attachment = checkAttachment(r, top, scope);
  const ext = checkExtension(r, top, scope);
  if (r.failed || !name || !attachment || !memoryMgmt || !dir) return undefined;
  for (const [p, decl] of ext.pluglets) pluglets.set(p, { ...pluglets.get(p)!, ...decl });
  const budget = ext.budget === undefined ? {} : { budget: ext.budget };
  return { name, file: ctx.file, jitAll, ...memory, memoryMgmt, ...dir, pluglets, ...budget, ...attachment };
}

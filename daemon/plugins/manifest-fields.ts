// The shared pieces of the .plugin checks (./manifest-plugin.ts, ./manifest-xbgpd.ts): the check context,
// the Reporter that appends coded errors with their key path, and typed access to JSON fields that
// reports a wrong type or an out-of-range value instead of throwing.
import {
  MAX_NAME_BYTES,
  manifestErrorCodes as E,
  type ManifestError,
  type ManifestErrorCode,
} from './manifest-types.js';
import { describeValue, integerValue, isPlainObject, keyPath, type PathSegment } from './strict-json.js';

export interface PluginCheckContext {
  /** Absolute path of the .plugin file. */
  file: string;
  /** The file as errors print it. */
  display: string;
  /** Folder that printed paths (object files) are relative to. */
  displayBase: string;
  knownPoints: ReadonlySet<string>;
  /** Absolute object directory given by the caller (the config), used when there is no `obj_dir`. */
  objDir?: string;
  /** Errors are appended here. */
  errors: ManifestError[];
}

export type Obj = Record<string, unknown>;

/** What the point checks learn and the xbgpd extension checks use. */
export interface PointScope {
  plugin: string;
  /** Every key of obj_code_list (also those with errors, so they are not reported twice); undefined
   *  when obj_code_list is absent or not an object (already reported: names are not checked). */
  names: readonly string[] | undefined;
  /** Pluglet -> key path of its attachment. */
  attached: Map<string, { point: string; path: string }>;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

export class Reporter {
  readonly start: number;
  constructor(readonly ctx: PluginCheckContext) {
    this.start = ctx.errors.length;
  }

  error(code: ManifestErrorCode, path: readonly PathSegment[], message: string): void {
    this.ctx.errors.push({ code, file: this.ctx.display, path: keyPath(path), message });
  }
  get failed(): boolean {
    return this.ctx.errors.length > this.start;
  }
  wrongType(path: readonly PathSegment[], want: string, got: unknown): void {
    this.error(E.ERR_PLUGIN_MANIFEST_TYPE, path, `must be ${want}, not ${describeValue(got)}`);
  }
  /** Report every key of `obj` not in `allowed`. */
  unknownKeys(obj: Obj, path: readonly PathSegment[], allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k))
        this.error(
          E.ERR_PLUGIN_MANIFEST_UNKNOWN_KEY,
          [...path, k],
          `unknown key (allowed here: ${allowed.join(', ')})`,
        );
    }
  }
}

export const field = (obj: Obj, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

export function bool(r: Reporter, obj: Obj, path: PathSegment[], key: string, fallback: boolean): boolean {
  const v = field(obj, key);
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  r.wrongType([...path, key], 'true or false', v);
  return fallback;
}

/** An integer in [min, max] at `path`, else undefined (reported). */
export function integerIn(
  r: Reporter,
  v: unknown,
  path: PathSegment[],
  min: number,
  max: number,
  unit = '',
): number | undefined {
  const n = integerValue(v);
  if (n === undefined) {
    r.wrongType(path, 'an integer', v);
    return undefined;
  }
  if (n < BigInt(min) || n > BigInt(max)) {
    r.error(E.ERR_PLUGIN_MANIFEST_RANGE, path, `${n} is out of range (${min} to ${max}${unit})`);
    return undefined;
  }
  return Number(n);
}

/** A string among `allowed` (case-sensitive unless `fold`), else undefined (reported). */
export function oneOf<T extends string>(
  r: Reporter,
  v: unknown,
  path: PathSegment[],
  allowed: readonly T[],
  fold = false,
): T | undefined {
  if (typeof v !== 'string') {
    r.wrongType(path, 'a string', v);
    return undefined;
  }
  const s = fold ? v.toLowerCase() : v;
  const hit = allowed.find((a) => a === s);
  if (hit === undefined)
    r.error(E.ERR_PLUGIN_MANIFEST_ENUM, path, `'${v}' is not one of ${allowed.join(', ')}`);
  return hit;
}

export function checkName(r: Reporter, v: unknown, path: PathSegment[], what: string): string | undefined {
  if (typeof v !== 'string') {
    r.wrongType(path, 'a string', v);
    return undefined;
  }
  if (!NAME.test(v) || v.length > MAX_NAME_BYTES) {
    r.error(
      E.ERR_PLUGIN_MANIFEST_NAME,
      path,
      `${JSON.stringify(v)} is not a valid ${what} name (1 to ${MAX_NAME_BYTES} of A-Z a-z 0-9 _ . -)`,
    );
    return undefined;
  }
  return v;
}

/** The object at obj[key], or undefined (absent, or reported when not an object). */
export function objectAt(r: Reporter, obj: Obj, path: PathSegment[], key: string): Obj | undefined {
  const v = field(obj, key);
  if (v === undefined) return undefined;
  if (isPlainObject(v)) return v;
  r.wrongType([...path, key], 'an object', v);
  return undefined;
}

/** Whether `name` is a pluglet of the plugin; if not, report it at `path`, listing the pluglets. */
export function isPluglet(r: Reporter, s: PointScope, path: PathSegment[], name: string): boolean {
  if (s.names === undefined || s.names.includes(name)) return true;
  const names = s.names.join(', ') || 'none';
  r.error(
    E.ERR_PLUGIN_MANIFEST_UNKNOWN_PLUGLET,
    path,
    `'${name}' is not a pluglet of ${s.plugin} (pluglets: ${names})`,
  );
  return false;
}

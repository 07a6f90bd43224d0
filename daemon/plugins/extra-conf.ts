// The typed extra configuration of a plugin, as libxbgp's plugin_extra_configuration.c reads it:
// `{"<key>": {"type_arg": "int|float|ipv4|ipv6|ipv4_prefix|ipv6_prefix|str|list|dict", "arg": ...}}`,
// nestable through list and dict. Parsed strictly into a tree of typed values (every error names its
// key path), plus the pure queries behind the plugin helpers get_extra_info, get_extra_info_dict,
// get_extra_info_lst_idx and get_extra_info_value, which return nodes and the bytes xBGP copies out.
// Nothing here throws for bad input.
import { AF_INET, AF_INET6, ExtraInfoType } from '../../xbgp-api/index.js';
import { readFileSync } from 'node:fs';
import {
  describeFsError,
  describeValue,
  integerValue,
  isPlainObject,
  keyPath,
  parseStrictJson,
  type PathSegment,
} from './strict-json.js';

// ===== Types =====

export const EXTRA_CONF_TYPES = [
  'int',
  'float',
  'ipv4',
  'ipv6',
  'ipv4_prefix',
  'ipv6_prefix',
  'str',
  'list',
  'dict',
] as const;
export type ExtraConfType = (typeof EXTRA_CONF_TYPES)[number];

/** libxbgp's `enum type_val`: the `type` field of `struct global_info` a plugin sees (xbgp-api owns the values). */
export const CONF_TYPE_IDS: Readonly<Record<ExtraConfType, number>> = ExtraInfoType;

/** The address families in `struct prefix_ip4/6` (Linux values, as libxbgp's host stores them). */
export { AF_INET, AF_INET6 } from '../../xbgp-api/index.js';

/** Longest key, in UTF-8 bytes (libxbgp refuses top-level keys of 256 bytes and more). */
export const MAX_CONF_KEY_BYTES = 255;
/** Deepest nesting of list/dict values. */
export const MAX_CONF_DEPTH = 32;

/** A scalar value as parsed; `address` in network order. */
export type ConfScalar =
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'ipv4' | 'ipv6'; value: string; address: Uint8Array }
  | { type: 'ipv4_prefix' | 'ipv6_prefix'; value: string; address: Uint8Array; length: number }
  | { type: 'str'; value: string };

type ConfData =
  | ConfScalar
  | { type: 'list'; items: ConfValue[] }
  | { type: 'dict'; entries: ReadonlyMap<string, ConfValue> };

/** A node of the tree. `id` is 1-based and unique in its ExtraConf: what the host gives the plugin
 *  as `global_info.hidden_ptr` (see confNode). */
export type ConfValue = ConfData & { id: number };

export interface ExtraConf {
  /** The top-level keys (get_extra_info). */
  keys: ReadonlyMap<string, ConfValue>;
  /** Every node, `nodes[id - 1]`. */
  nodes: readonly ConfValue[];
}

// ===== Errors =====

export const extraConfErrorCodes = {
  /** The extra-configuration file cannot be read. */
  ERR_PLUGIN_EXTRA_CONF_READ: 'ERR_PLUGIN_EXTRA_CONF_READ',
  /** The file is not strict JSON (syntax, duplicate key). */
  ERR_PLUGIN_EXTRA_CONF_JSON: 'ERR_PLUGIN_EXTRA_CONF_JSON',
  /** Not the shape `{key: {type_arg, arg}}`: wrong JSON type, missing or unknown key, no wrapper key. */
  ERR_PLUGIN_EXTRA_CONF_SHAPE: 'ERR_PLUGIN_EXTRA_CONF_SHAPE',
  /** A `type_arg` that is not one of the nine types. */
  ERR_PLUGIN_EXTRA_CONF_TYPE_ARG: 'ERR_PLUGIN_EXTRA_CONF_TYPE_ARG',
  /** An `arg` that is not a value of its type (bad address, integer out of range, ...). */
  ERR_PLUGIN_EXTRA_CONF_VALUE: 'ERR_PLUGIN_EXTRA_CONF_VALUE',
  /** A key longer than 255 bytes or containing NUL. */
  ERR_PLUGIN_EXTRA_CONF_KEY: 'ERR_PLUGIN_EXTRA_CONF_KEY',
  /** list/dict nesting deeper than MAX_CONF_DEPTH. */
  ERR_PLUGIN_EXTRA_CONF_DEPTH: 'ERR_PLUGIN_EXTRA_CONF_DEPTH',
} as const;
const E = extraConfErrorCodes;

export type ExtraConfErrorCode = (typeof extraConfErrorCodes)[keyof typeof extraConfErrorCodes];

export interface ExtraConfError {
  code: ExtraConfErrorCode;
  /** Where the configuration is: the file, or what the caller passed (`xbgpd.yaml: plugins[0].conf`). */
  where: string;
  /** 1-based line, for JSON syntax errors. */
  line?: number;
  /** Key path inside it (`rr_clients.arg[1].arg`); '' for the whole value. */
  path: string;
  message: string;
}

export type ExtraConfResult = { ok: true; conf: ExtraConf } | { ok: false; errors: ExtraConfError[] };

/** `WHERE[:LINE]: PATH: MESSAGE` (no PATH part for errors about the whole value). */
export function formatExtraConfError(e: ExtraConfError): string {
  const where = e.line === undefined ? e.where : `${e.where}:${e.line}`;
  return e.path === '' ? `${where}: ${e.message}` : `${where}: ${e.path}: ${e.message}`;
}

// ===== Addresses (inet_pton's forms, strictly) =====

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Dotted quad, no leading zeros (glibc inet_pton) -> 4 bytes in network order. */
export function parseIpv4(s: string): Uint8Array | undefined {
  const m = IPV4.exec(s);
  return m === null ? undefined : Uint8Array.from(m.slice(1, 5).map(Number));
}

/** RFC 4291 text (with `::` and a trailing dotted quad; no zone) -> 16 bytes. */
export function parseIpv6(s: string): Uint8Array | undefined {
  let text = s;
  const v4 = /(?:^|:)([0-9.]+\.[0-9]+)$/.exec(s);
  if (v4 !== null) {
    const b = parseIpv4(v4[1]!);
    if (b === undefined) return undefined;
    const hex = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16);
    text = s.slice(0, s.length - v4[1]!.length) + `${hex(b[0]!, b[1]!)}:${hex(b[2]!, b[3]!)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...tail].every((g) => HEX_GROUP.test(g))) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const words = [...head, ...Array<string>(8 - count).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

// ===== Parsing =====

interface ParseState {
  where: string;
  errors: ExtraConfError[];
  nodes: ConfValue[];
}

/** A scalar `arg` of `type`, or the reason it is not one. */
type ScalarParse = ConfScalar | string;

const INT_MIN = -(2n ** 63n);
const UINT_MAX = 2n ** 64n - 1n;

function parseInt64(arg: unknown): ScalarParse {
  const n = integerValue(arg);
  if (n === undefined) {
    if (typeof arg === 'number' && Number.isInteger(arg))
      return `${arg} is beyond 2^53 and was not read exactly (write it in a JSON extra-configuration file)`;
    return `must be an integer, not ${describeValue(arg)}`;
  }
  if (n < INT_MIN || n > UINT_MAX) return `${n} does not fit in 64 bits (-2^63 to 2^64-1)`;
  return { type: 'int', value: n };
}

function parseFloat64(arg: unknown): ScalarParse {
  const v = typeof arg === 'bigint' ? Number(arg) : arg;
  if (typeof v !== 'number') return `must be a number, not ${describeValue(arg)}`;
  if (!Number.isFinite(v)) return `must be a finite number, not ${v}`;
  return { type: 'float', value: v };
}

function parseAddress(type: 'ipv4' | 'ipv6', arg: unknown): ScalarParse {
  if (typeof arg !== 'string') return `must be a string, not ${describeValue(arg)}`;
  const address = type === 'ipv4' ? parseIpv4(arg) : parseIpv6(arg);
  if (address === undefined) return `'${arg}' is not an ${type === 'ipv4' ? 'IPv4' : 'IPv6'} address`;
  return { type, value: arg, address };
}

function parsePrefix(type: 'ipv4_prefix' | 'ipv6_prefix', arg: unknown): ScalarParse {
  if (typeof arg !== 'string') return `must be a string, not ${describeValue(arg)}`;
  const v6 = type === 'ipv6_prefix';
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(arg);
  const address = m === null ? undefined : v6 ? parseIpv6(m[1]!) : parseIpv4(m[1]!);
  const length = m === null ? NaN : Number(m[2]);
  if (address === undefined || length > (v6 ? 128 : 32))
    return `'${arg}' is not an ${v6 ? 'IPv6' : 'IPv4'} prefix (address/length, length 0 to ${v6 ? 128 : 32})`;
  return { type, value: arg, address, length };
}

function parseStr(arg: unknown): ScalarParse {
  if (typeof arg !== 'string') return `must be a string, not ${describeValue(arg)}`;
  if (arg.includes('\0')) return 'must not contain NUL (plugins read it as a C string)';
  return { type: 'str', value: arg };
}

function parseScalar(type: Exclude<ExtraConfType, 'list' | 'dict'>, arg: unknown): ScalarParse {
  switch (type) {
    case 'int':
      return parseInt64(arg);
    case 'float':
      return parseFloat64(arg);
    case 'ipv4':
    case 'ipv6':
      return parseAddress(type, arg);
    case 'ipv4_prefix':
    case 'ipv6_prefix':
      return parsePrefix(type, arg);
    case 'str':
      return parseStr(arg);
  }
}

function fail(st: ParseState, code: ExtraConfErrorCode, path: PathSegment[], message: string): undefined {
  st.errors.push({ code, where: st.where, path: keyPath(path), message });
  return undefined;
}

/** Give `node` the next id and record it. */
function record(st: ParseState, node: ConfData): ConfValue {
  const withId: ConfValue = { id: st.nodes.length + 1, ...node };
  st.nodes.push(withId);
  return withId;
}

/** One `{type_arg, arg}` object. */
function parseEntry(st: ParseState, v: unknown, path: PathSegment[], depth: number): ConfValue | undefined {
  if (!isPlainObject(v))
    return fail(
      st,
      E.ERR_PLUGIN_EXTRA_CONF_SHAPE,
      path,
      `must be {"type_arg": ..., "arg": ...}, not ${describeValue(v)}`,
    );
  let bad = false;
  for (const k of Object.keys(v)) {
    if (k === 'type_arg' || k === 'arg') continue;
    bad = true;
    fail(st, E.ERR_PLUGIN_EXTRA_CONF_SHAPE, [...path, k], 'unknown key (allowed here: type_arg, arg)');
  }
  for (const k of ['type_arg', 'arg'].filter((key) => !Object.hasOwn(v, key))) {
    bad = true;
    fail(st, E.ERR_PLUGIN_EXTRA_CONF_SHAPE, [...path, k], 'missing');
  }
  if (bad) return undefined;
  const type = v.type_arg;
  if (typeof type !== 'string' || !(EXTRA_CONF_TYPES as readonly string[]).includes(type)) {
    const shown = typeof type === 'string' ? `'${type}'` : describeValue(type);
    return fail(
      st,
      E.ERR_PLUGIN_EXTRA_CONF_TYPE_ARG,
      [...path, 'type_arg'],
      `${shown} is not one of ${EXTRA_CONF_TYPES.join(', ')}`,
    );
  }
  return parseTyped(st, type as ExtraConfType, v.arg, [...path, 'arg'], depth);
}

function parseTyped(
  st: ParseState,
  type: ExtraConfType,
  arg: unknown,
  path: PathSegment[],
  depth: number,
): ConfValue | undefined {
  if (type === 'list' || type === 'dict') {
    if (depth >= MAX_CONF_DEPTH)
      return fail(
        st,
        E.ERR_PLUGIN_EXTRA_CONF_DEPTH,
        path,
        `nesting deeper than ${MAX_CONF_DEPTH} lists and dicts`,
      );
    return type === 'list' ? parseList(st, arg, path, depth + 1) : parseDict(st, arg, path, depth + 1);
  }
  const scalar = parseScalar(type, arg);
  if (typeof scalar === 'string') return fail(st, E.ERR_PLUGIN_EXTRA_CONF_VALUE, path, scalar);
  return record(st, scalar);
}

function parseList(st: ParseState, arg: unknown, path: PathSegment[], depth: number): ConfValue | undefined {
  if (!Array.isArray(arg))
    return fail(
      st,
      E.ERR_PLUGIN_EXTRA_CONF_SHAPE,
      path,
      `must be an array of {"type_arg", "arg"}, not ${describeValue(arg)}`,
    );
  const items: ConfValue[] = [];
  const node = record(st, { type: 'list', items });
  const before = st.errors.length;
  arg.forEach((item, i) => {
    const v = parseEntry(st, item, [...path, i], depth);
    if (v !== undefined) items.push(v);
  });
  return st.errors.length === before ? node : undefined;
}

function parseDict(st: ParseState, arg: unknown, path: PathSegment[], depth: number): ConfValue | undefined {
  if (!isPlainObject(arg))
    return fail(
      st,
      E.ERR_PLUGIN_EXTRA_CONF_SHAPE,
      path,
      `must be an object of key: {"type_arg", "arg"}, not ${describeValue(arg)}`,
    );
  const entries = new Map<string, ConfValue>();
  const node = record(st, { type: 'dict', entries });
  const before = st.errors.length;
  parseKeyed(st, arg, path, depth, entries);
  return st.errors.length === before ? node : undefined;
}

/** The entries of a dict or of the top level, into `out`. */
function parseKeyed(
  st: ParseState,
  obj: Record<string, unknown>,
  path: PathSegment[],
  depth: number,
  out: Map<string, ConfValue>,
): void {
  for (const key of Object.keys(obj)) {
    const at = [...path, key];
    if (key.includes('\0') || Buffer.byteLength(key, 'utf8') > MAX_CONF_KEY_BYTES) {
      fail(st, E.ERR_PLUGIN_EXTRA_CONF_KEY, at, `keys are at most ${MAX_CONF_KEY_BYTES} bytes, without NUL`);
      continue;
    }
    const v = parseEntry(st, obj[key], at, depth);
    if (v !== undefined) out.set(key, v);
  }
}

function parseTop(st: ParseState, value: unknown, path: PathSegment[]): ExtraConfResult {
  if (!isPlainObject(value)) {
    fail(
      st,
      E.ERR_PLUGIN_EXTRA_CONF_SHAPE,
      path,
      `must be an object of key: {"type_arg", "arg"}, not ${describeValue(value)}`,
    );
    return { ok: false, errors: st.errors };
  }
  const keys = new Map<string, ConfValue>();
  parseKeyed(st, value, path, 0, keys);
  return st.errors.length > 0
    ? { ok: false, errors: st.errors }
    : { ok: true, conf: { keys, nodes: st.nodes } };
}

/**
 * Parse an already-parsed JSON or YAML value: the object of keys itself (`{"rr_clients": {"type_arg":
 * "list", "arg": [...]}}`), as the xbgpd config gives it inline. `where` prefixes every error.
 */
export function parseExtraConf(value: unknown, where: string): ExtraConfResult {
  return parseTop({ where, errors: [], nodes: [] }, value, []);
}

export interface ReadExtraConfOptions {
  /** The top-level key holding the configuration; `null`: the whole file is it. Default `"conf"`
   *  (the published files are `{"conf": {...}}`, read by xBGP hosts with that key). */
  key?: string | null;
}

/** Read an extra-configuration file (strict JSON). Never throws. */
export function readExtraConfFile(path: string, options: ReadExtraConfOptions = {}): ExtraConfResult {
  const key = options.key === undefined ? 'conf' : options.key;
  const st: ParseState = { where: path, errors: [], nodes: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(st, E.ERR_PLUGIN_EXTRA_CONF_READ, [], `cannot read: ${describeFsError(err)}`);
    return { ok: false, errors: st.errors };
  }
  const json = parseStrictJson(text);
  if (!json.ok) {
    const message = `invalid JSON (column ${json.column}): ${json.message}`;
    return {
      ok: false,
      errors: [{ code: E.ERR_PLUGIN_EXTRA_CONF_JSON, where: path, line: json.line, path: '', message }],
    };
  }
  if (key === null) return parseTop(st, json.value, []);
  const top = json.value;
  const keys = isPlainObject(top) ? Object.keys(top) : [];
  if (keys.length !== 1 || keys[0] !== key) {
    fail(st, E.ERR_PLUGIN_EXTRA_CONF_SHAPE, [], `must be {"${key}": {...}} (one top-level key, "${key}")`);
    return { ok: false, errors: st.errors };
  }
  return parseTop(st, (top as Record<string, unknown>)[key], [key]);
}

// ===== Queries behind the helpers =====

/** get_extra_info(key): the top-level value, or undefined (the helper returns -1). */
export function getExtraInfo(conf: ExtraConf, key: string): ConfValue | undefined {
  return conf.keys.get(key);
}

/** get_extra_info_dict(node, key): the entry of a dict, or undefined (not a dict, no such key). */
export function getExtraInfoDict(node: ConfValue, key: string): ConfValue | undefined {
  return node.type === 'dict' ? node.entries.get(key) : undefined;
}

/** get_extra_info_lst_idx(node, i): the item of a list, or undefined (not a list, i out of range). */
export function getExtraInfoListIndex(node: ConfValue, index: number): ConfValue | undefined {
  if (node.type !== 'list' || !Number.isInteger(index) || index < 0) return undefined;
  return node.items[index];
}

/** The node a plugin's `global_info.hidden_ptr` names (its id), or undefined for any other number. */
export function confNode(conf: ExtraConf, id: number | bigint): ConfValue | undefined {
  const n = Number(id);
  return Number.isSafeInteger(n) && n >= 1 ? conf.nodes[n - 1] : undefined;
}

/**
 * get_extra_info_value(node, buf, len): the bytes xBGP copies into the plugin's buffer, or undefined
 * for a list or dict (the helper returns -1). The helper copies them only when `len` >= their length,
 * else returns -1, as libxbgp does. Layouts (little-endian like the VM, addresses in network order):
 * int: u64 (two's complement for negatives); float: IEEE-754 double; ipv4: `struct in_addr` (4);
 * ipv6: `struct in6_addr` (16); ipv4_prefix: `struct prefix_ip4 {int family = AF_INET; int prefix_len;
 * struct in_addr p;}` (12); ipv6_prefix: `struct prefix_ip6` with AF_INET6 (24); str: UTF-8 and a NUL.
 */
export function getExtraInfoValue(node: ConfValue): Uint8Array | undefined {
  switch (node.type) {
    case 'int': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, node.value), true);
      return out;
    }
    case 'float': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, node.value, true);
      return out;
    }
    case 'ipv4':
    case 'ipv6':
      return node.address.slice();
    case 'ipv4_prefix':
    case 'ipv6_prefix':
      return prefixBytes(node.type === 'ipv6_prefix' ? AF_INET6 : AF_INET, node.length, node.address);
    case 'str':
      return new TextEncoder().encode(`${node.value}\0`);
    case 'list':
    case 'dict':
      return undefined;
  }
}

function prefixBytes(family: number, length: number, address: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + address.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, family, true);
  view.setInt32(4, length, true);
  out.set(address, 8);
  return out;
}

// The data a plugin manifest reads into (PluginManifest), its error codes (ERR_PLUGIN_MANIFEST_*), and
// the limits of the published libxbgp format (static_injection.c, bpf_plugin.c). Plain data only: the
// reader is ./manifest.ts, one .plugin file's validation is ./manifest-plugin.ts.

// ===== Limits (libxbgp) =====

/** Largest `extra_mem` or `shared_mem` (libxbgp MAX_MEM_PARSE, 256 MiB). */
export const MAX_MEM_PARSE = 268_435_456;
/** Largest memory block of one plugin: arguments + heap + shared (libxbgp MAX_HEAP_PLUGIN, 1 MiB). */
export const MAX_PLUGIN_BLOCK = 1_048_576;
/** The arguments area at the start of the block (libxbgp MAX_SIZE_ARGS_PLUGIN). */
export const PLUGIN_ARGS_AREA = 512;
/** Heap and shared area are each rounded up to this, and are at least this (libxbgp MEM_ALIGN). */
export const PLUGIN_MEM_PAGE = 4096;
/** `extra_mem` when the manifest has none. */
export const DEFAULT_EXTRA_MEM = 4096;
/** Largest `seq`: libxbgp refuses seq >= INT32_MAX. */
export const MAX_SEQ = 2_147_483_646;
/** Largest `job_plugin.schedule` in seconds (libxbgp passes it as an int). */
export const MAX_SCHEDULE = 2_147_483_647;
/** Longest plugin or pluglet name, in bytes (libxbgp keeps names in NAME_MAX buffers). */
export const MAX_NAME_BYTES = 254;
/** Largest instruction budget per run a manifest may ask for (xbgpd extension). */
export const MAX_BUDGET = 100_000_000;

/** Bytes of the memory block libxbgp allocates for a plugin (bpf_plugin.c:init_plugin). */
export function pluginBlockBytes(extraMem: number, sharedMem: number): number {
  const align = (n: number): number => Math.ceil(Math.max(n, 1) / PLUGIN_MEM_PAGE) * PLUGIN_MEM_PAGE;
  return PLUGIN_ARGS_AREA + align(extraMem) + align(sharedMem);
}

// ===== Vocabulary =====

export const ANCHORS = ['pre', 'replace', 'post'] as const;
export type Anchor = (typeof ANCHORS)[number];

export const PERMISSIONS = ['read', 'write', 'usr_ptr', 'none'] as const;
export type Permission = (typeof PERMISSIONS)[number];
/** libxbgp's permission bits (HELPER_ATTR_*): a helper links when all of its bits are granted. */
export const PERMISSION_BITS: Readonly<Record<Permission, number>> = {
  usr_ptr: 1,
  write: 2,
  read: 4,
  none: 0,
};

export const MEMORY_MANAGERS = ['bump', 'michelfra'] as const;
export type MemoryManager = (typeof MEMORY_MANAGERS)[number];

/**
 * What an inbound or outbound filter pluglet's verdict depends on (xbgpd extension). 'peers': the
 * attribute set, the peer the route came from and the peer it goes to (a route reflector's rules).
 */
export const DEPENDS_ON = ['attributes', 'prefix', 'peers', 'anything'] as const;
export type DependsOn = (typeof DEPENDS_ON)[number];

/** Points where a pluglet may declare `codes` (xbgpd extension). */
export const CODE_POINTS: readonly string[] = ['bgp_decode_attr', 'bgp_encode_attr'];
/** Points where a pluglet may declare `depends-on` (xbgpd extension). */
export const FILTER_POINTS: readonly string[] = ['bgp_pre_inbound_filter', 'bgp_pre_outbound_filter'];

// ===== The manifest =====

export interface PlugletManifest {
  name: string;
  /** Absolute path of the object file (it existed when the manifest was read). */
  obj: string;
  /** `jit`, else the plugin's `jit_all`. Recorded; xbgpd interprets. */
  jit: boolean;
  /** Sorted, each once. Empty when the manifest gives none (libxbgp: no permission). */
  permissions: Permission[];
  /** OR of PERMISSION_BITS over `permissions`. */
  permissionBits: number;
  addMemcheck: boolean;
  useLibffi: boolean;
  /** xbgpd extension: the attribute codes a decode/encode pluglet handles; absent = all. */
  codes?: number[];
  /** xbgpd extension: what a filter pluglet's verdict depends on; absent = not declared (no caching). */
  dependsOn?: DependsOn;
  /** xbgpd extension: instruction budget per run; absent = the plugin's, else the host default. */
  budget?: number;
}

export interface AnchorEntry {
  seq: number;
  pluglet: string;
}

/** One insertion point's anchors, each sorted by ascending seq; only the anchors the manifest names. */
export type PointAttachment = Partial<Record<Anchor, AnchorEntry[]>>;

interface PluginManifestBase {
  name: string;
  /** Absolute path of the .plugin file. */
  file: string;
  jitAll: boolean;
  extraMem: number;
  sharedMem: number;
  memoryMgmt: MemoryManager;
  /** Absolute directory the `obj` paths were resolved against. */
  objDir: string;
  /** Where objDir came from: the manifest's `obj_dir`, the caller's option, or the .plugin's folder. */
  objDirFrom: 'obj_dir' | 'option' | 'manifest-folder';
  /** Every pluglet of `obj_code_list`, in file order (attached or not). */
  pluglets: ReadonlyMap<string, PlugletManifest>;
  /** xbgpd extension: default instruction budget of the plugin's pluglets. */
  budget?: number;
}

export type PluginManifest =
  | (PluginManifestBase & {
      insertionPoints: ReadonlyMap<string, PointAttachment>;
      jobPlugin?: undefined;
    })
  | (PluginManifestBase & {
      /** Every pluglet of the plugin runs every `schedule` seconds. */
      jobPlugin: { schedule: number };
      insertionPoints?: undefined;
    });

// ===== Errors =====

export const manifestErrorCodes = {
  /** A manifest, or a file a .meta includes, cannot be read. */
  ERR_PLUGIN_MANIFEST_READ: 'ERR_PLUGIN_MANIFEST_READ',
  /** A .plugin file is not strict JSON (syntax, duplicate key). */
  ERR_PLUGIN_MANIFEST_JSON: 'ERR_PLUGIN_MANIFEST_JSON',
  /** A .meta line is not `include <path>`, a `#` comment or blank; or the .meta includes nothing. */
  ERR_PLUGIN_MANIFEST_META: 'ERR_PLUGIN_MANIFEST_META',
  /** A .meta includes itself. */
  ERR_PLUGIN_MANIFEST_INCLUDE_CYCLE: 'ERR_PLUGIN_MANIFEST_INCLUDE_CYCLE',
  /** A .meta includes another .meta (the published loader reads every included file as a .plugin). */
  ERR_PLUGIN_MANIFEST_NESTED_META: 'ERR_PLUGIN_MANIFEST_NESTED_META',
  /** The 2020 single `manifest.json` format (top-level `plugins`). */
  ERR_PLUGIN_MANIFEST_LEGACY: 'ERR_PLUGIN_MANIFEST_LEGACY',
  /** A key the format does not have. */
  ERR_PLUGIN_MANIFEST_UNKNOWN_KEY: 'ERR_PLUGIN_MANIFEST_UNKNOWN_KEY',
  /** A required key is absent. */
  ERR_PLUGIN_MANIFEST_MISSING_KEY: 'ERR_PLUGIN_MANIFEST_MISSING_KEY',
  /** A value of the wrong JSON type. */
  ERR_PLUGIN_MANIFEST_TYPE: 'ERR_PLUGIN_MANIFEST_TYPE',
  /** A number out of its range (memory, schedule, budget, attribute code). */
  ERR_PLUGIN_MANIFEST_RANGE: 'ERR_PLUGIN_MANIFEST_RANGE',
  /** extra_mem and shared_mem together exceed the 1 MiB plugin block. */
  ERR_PLUGIN_MANIFEST_MEMORY: 'ERR_PLUGIN_MANIFEST_MEMORY',
  /** A string that is not one of its allowed values (memory_mgmt, permissions, depends-on). */
  ERR_PLUGIN_MANIFEST_ENUM: 'ERR_PLUGIN_MANIFEST_ENUM',
  /** A plugin or pluglet name that is empty, too long or uses other characters than A-Z a-z 0-9 _ . - */
  ERR_PLUGIN_MANIFEST_NAME: 'ERR_PLUGIN_MANIFEST_NAME',
  /** An empty obj_code_list, insertion_points, point or anchor. */
  ERR_PLUGIN_MANIFEST_EMPTY: 'ERR_PLUGIN_MANIFEST_EMPTY',
  /** An insertion point name the host does not have. */
  ERR_PLUGIN_MANIFEST_UNKNOWN_POINT: 'ERR_PLUGIN_MANIFEST_UNKNOWN_POINT',
  /** An anchor other than pre, replace, post. */
  ERR_PLUGIN_MANIFEST_ANCHOR: 'ERR_PLUGIN_MANIFEST_ANCHOR',
  /** A seq that is not a decimal integer 0..2147483646 without sign or leading zero. */
  ERR_PLUGIN_MANIFEST_SEQ: 'ERR_PLUGIN_MANIFEST_SEQ',
  /** A point or the xbgpd extension names something that is not a pluglet of the plugin. */
  ERR_PLUGIN_MANIFEST_UNKNOWN_PLUGLET: 'ERR_PLUGIN_MANIFEST_UNKNOWN_PLUGLET',
  /** A pluglet attached twice (libxbgp keeps one VM per pluglet name). */
  ERR_PLUGIN_MANIFEST_PLUGLET_TWICE: 'ERR_PLUGIN_MANIFEST_PLUGLET_TWICE',
  /** Both or neither of insertion_points and job_plugin. */
  ERR_PLUGIN_MANIFEST_ATTACHMENT: 'ERR_PLUGIN_MANIFEST_ATTACHMENT',
  /** An object file that does not exist (or is not a file), or an absolute `obj`. */
  ERR_PLUGIN_MANIFEST_OBJ: 'ERR_PLUGIN_MANIFEST_OBJ',
  /** The same file included twice, or a plugin or pluglet name used twice across one .meta. */
  ERR_PLUGIN_MANIFEST_DUPLICATE: 'ERR_PLUGIN_MANIFEST_DUPLICATE',
  /** An xbgpd extension key on a pluglet where it has no meaning, or a repeated code. */
  ERR_PLUGIN_MANIFEST_EXTENSION: 'ERR_PLUGIN_MANIFEST_EXTENSION',
} as const;

export type ManifestErrorCode = (typeof manifestErrorCodes)[keyof typeof manifestErrorCodes];

export interface ManifestError {
  code: ManifestErrorCode;
  /** The file, relative to the folder of the manifest given to readManifest (`rr.plugin`). */
  file: string;
  /** 1-based line: .meta lines and JSON syntax errors. */
  line?: number;
  /** Key path in the file (`insertion_points.bgp_decode_attr.replace."0"`); '' for the whole file. */
  path: string;
  message: string;
}

/** `FILE[:LINE]: PATH: MESSAGE` (no PATH part for whole-file errors). */
export function formatManifestError(e: ManifestError): string {
  const where = e.line === undefined ? e.file : `${e.file}:${e.line}`;
  return e.path === '' ? `${where}: ${e.message}` : `${where}: ${e.path}: ${e.message}`;
}

// Reads plugin manifests in the published libxbgp format: a `.meta` file of `include <file>` lines
// (libxbgp static_injection.c:load_extension_code), each included file one plugin in JSON (`.plugin`),
// or a single `.plugin`/`.json` file. Strict: every deviation from the format is an error that names the
// file, the line or key path, and what is wrong; nothing is guessed and nothing is skipped silently.
// readManifest never throws for bad input. The data model and error codes are in ./manifest-types.ts,
// the checks of one .plugin file in ./manifest-plugin.ts.
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { checkPlugin } from './manifest-plugin.js';
import {
  manifestErrorCodes as E,
  type ManifestError,
  type ManifestErrorCode,
  type PluginManifest,
} from './manifest-types.js';
import { describeFsError, isPlainObject, keyPath, parseStrictJson } from './strict-json.js';

export * from './manifest-types.js';

export interface ReadManifestOptions {
  /** The insertion point names the host has (`bgp_decode_attr`, ...); any other name is an error. */
  knownPoints: ReadonlySet<string>;
  /** The object directory the config gives for this manifest: used for plugins without `obj_dir`
   *  (resolved against the current directory when relative). Default: each .plugin file's folder. */
  objDir?: string;
}

export type ManifestResult = { ok: true; plugins: PluginManifest[] } | { ok: false; errors: ManifestError[] };

interface ReadState {
  /** Folder of the manifest readManifest was given; printed paths are relative to it. */
  base: string;
  options: ReadManifestOptions;
  errors: ManifestError[];
  plugins: PluginManifest[];
}

/** Where an include line sits, for errors about the file it names. */
interface IncludeSite {
  file: string;
  line: number;
}

/** A path of the published include syntax: letters, digits, _ - /, ./ and ../, then one extension. */
const INCLUDE_PATH = /^(?:\.{1,2}\/|[A-Za-z0-9_/-])*\.[A-Za-z0-9]+$/;

// ===== Entry point =====

/**
 * Read a manifest: a `.plugin` or `.json` file is one plugin; any other file is a meta file of
 * `include` lines. Every error found is returned, in file order.
 */
export function readManifest(path: string, options: ReadManifestOptions): ManifestResult {
  const abs = resolve(path);
  const st: ReadState = { base: dirname(abs), options, errors: [], plugins: [] };
  if (isPluginFile(abs)) readPluginFile(abs, st);
  else readMeta(abs, st);
  if (st.errors.length === 0) checkAcrossPlugins(st);
  return st.errors.length === 0 ? { ok: true, plugins: st.plugins } : { ok: false, errors: st.errors };
}

const isPluginFile = (path: string): boolean => path.endsWith('.plugin') || path.endsWith('.json');

function display(st: ReadState, abs: string): string {
  return relative(st.base, abs) || basename(abs);
}

function report(st: ReadState, code: ManifestErrorCode, file: string, message: string, line?: number): void {
  st.errors.push({ code, file, path: '', message, ...(line === undefined ? {} : { line }) });
}

/** The file's text, or undefined after reporting (on the include line when there is one). */
function readText(abs: string, st: ReadState, site?: IncludeSite): string | undefined {
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    const shown = display(st, abs);
    if (site === undefined)
      report(st, E.ERR_PLUGIN_MANIFEST_READ, shown, `cannot read: ${describeFsError(err)}`);
    else
      report(
        st,
        E.ERR_PLUGIN_MANIFEST_READ,
        site.file,
        `cannot read '${shown}': ${describeFsError(err)}`,
        site.line,
      );
    return undefined;
  }
}

// ===== One .plugin file =====

const LEGACY_MESSAGE =
  'is the 2020 single manifest.json format (top-level "plugins"), which xbgpd does not read; the current ' +
  'format is one .plugin file per plugin ({"name", "obj_code_list", and "insertion_points" or ' +
  '"job_plugin"}) and a .meta file of "include <file>.plugin" lines';

function readPluginFile(abs: string, st: ReadState, site?: IncludeSite): void {
  const text = readText(abs, st, site);
  if (text === undefined) return;
  const shown = display(st, abs);
  const json = parseStrictJson(text);
  if (!json.ok) {
    report(
      st,
      E.ERR_PLUGIN_MANIFEST_JSON,
      shown,
      `invalid JSON (column ${json.column}): ${json.message}`,
      json.line,
    );
    return;
  }
  if (isPlainObject(json.value) && Object.hasOwn(json.value, 'plugins')) {
    report(st, E.ERR_PLUGIN_MANIFEST_LEGACY, shown, LEGACY_MESSAGE);
    return;
  }
  const plugin = checkPlugin(json.value, {
    file: abs,
    display: shown,
    displayBase: st.base,
    knownPoints: st.options.knownPoints,
    ...(st.options.objDir === undefined ? {} : { objDir: resolve(st.options.objDir) }),
    errors: st.errors,
  });
  if (plugin !== undefined) st.plugins.push(plugin);
}

// ===== The .meta file =====

/** Read one meta line; returns the absolute path it includes, if any. */
function metaLine(st: ReadState, meta: string, shown: string, raw: string, line: number): string | undefined {
  const text = raw.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const m = /^include\s+(\S+)$/.exec(text);
  if (m === null) {
    report(
      st,
      E.ERR_PLUGIN_MANIFEST_META,
      shown,
      `expected 'include <file>', a # comment or a blank line`,
      line,
    );
    return undefined;
  }
  const target = m[1]!;
  if (!INCLUDE_PATH.test(target)) {
    const rule = 'letters, digits, _ - / and ./ ../, ending in one .extension';
    report(st, E.ERR_PLUGIN_MANIFEST_META, shown, `'${target}' is not an include path (${rule})`, line);
    return undefined;
  }
  return resolve(dirname(meta), target);
}

function readMeta(abs: string, st: ReadState): void {
  const text = readText(abs, st);
  if (text === undefined) return;
  const shown = display(st, abs);
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const target = metaLine(st, abs, shown, raw, line);
    if (target === undefined) return;
    const first = seen.get(target);
    if (target === abs) {
      report(st, E.ERR_PLUGIN_MANIFEST_INCLUDE_CYCLE, shown, `includes itself (${shown} -> ${shown})`, line);
    } else if (target.endsWith('.meta')) {
      const why =
        'a .meta cannot include a .meta: the published loader reads every included file as a .plugin';
      report(st, E.ERR_PLUGIN_MANIFEST_NESTED_META, shown, `includes '${display(st, target)}': ${why}`, line);
    } else if (first !== undefined) {
      report(
        st,
        E.ERR_PLUGIN_MANIFEST_DUPLICATE,
        shown,
        `includes '${display(st, target)}' again (first at line ${first})`,
        line,
      );
    } else {
      readPluginFile(target, st, { file: shown, line });
    }
    if (first === undefined) seen.set(target, line);
  });
  if (seen.size === 0 && st.errors.length === 0)
    report(st, E.ERR_PLUGIN_MANIFEST_META, shown, 'includes no plugin');
}

// ===== Checks across the plugins of one .meta =====

/** Plugin names and pluglet names are unique across a .meta (libxbgp keys plugins and VMs by name). */
function checkAcrossPlugins(st: ReadState): void {
  const plugins = new Map<string, PluginManifest>();
  const pluglets = new Map<string, PluginManifest>();
  for (const p of st.plugins) {
    const shown = display(st, p.file);
    const twin = plugins.get(p.name);
    if (twin !== undefined) {
      const message = `plugin '${p.name}' is also defined in ${display(st, twin.file)}`;
      st.errors.push({ code: E.ERR_PLUGIN_MANIFEST_DUPLICATE, file: shown, path: 'name', message });
    }
    plugins.set(p.name, p);
    for (const name of p.pluglets.keys()) {
      const owner = pluglets.get(name);
      if (owner !== undefined) {
        const message =
          `pluglet '${name}' is also a pluglet of ${owner.name} (${display(st, owner.file)}); ` +
          'libxbgp keeps one VM per pluglet name';
        st.errors.push({
          code: E.ERR_PLUGIN_MANIFEST_DUPLICATE,
          file: shown,
          path: keyPath(['obj_code_list', name]),
          message,
        });
      }
      pluglets.set(name, p);
    }
  }
}

// Loading the plugins of a manifest: each pluglet's ELF object linked through the helper table (a call
// to a refused or unknown helper is an error naming it), verified by the VM with the plugin's
// permissions (a helper the pluglet may not call is an error naming it and its required permissions),
// its memory mapped (the plugin's heap and shared memory, the same arrays for every pluglet), and
// compiled by the JIT unless the plugin asks for the interpreter. Nothing here runs code. Errors carry
// the file, the pluglet, the VM or ELF code and the pc.
import { readFileSync } from 'node:fs';
import { loadElf } from '../../vm/elf/index.js';
import {
  loadProgram,
  VerifyError,
  VerifyCodes,
  type HelperRegistry,
  type LoadedProgram,
} from '../../vm/index.js';
import { helperByName, requiredBits, type HelperSpec } from '../../xbgp-api/index.js';
import type { ExtraConf } from './extra-conf.js';
import type { PluginManifest, PlugletManifest } from './manifest.js';
import { HEAP_REGION, PluginMemory, SHARED_REGION } from './memory.js';
import { refusedHelperIn, permissionPredicate } from './helpers/registry.js';
import { Plugin, Pluglet, type Anchor, type FaultLimit } from './runtime.js';

/** Instructions per run when neither the config nor the manifest says (xbgpd's default). */
export const DEFAULT_PLUGLET_BUDGET = 1_000_000;

/** A load error: where (manifest file, pluglet) and what (a stable code, the VM's pc when there is one). */
export interface PluginLoadError {
  readonly code: string;
  readonly file: string;
  readonly pluglet?: string;
  readonly pc?: number;
  readonly message: string;
}

export function formatLoadError(e: PluginLoadError): string {
  const where = e.pluglet === undefined ? e.file : `${e.file}: pluglet ${e.pluglet}`;
  const pc = e.pc === undefined || e.pc < 0 ? '' : ` at pc ${e.pc}`;
  return `${where}: ${e.code}${pc}: ${e.message}`;
}

/** What the host gives every plugin of one config entry. */
export interface LoadSettings {
  readonly helpers: HelperRegistry;
  readonly extraConf: ExtraConf | undefined;
  /** Instructions per run, overriding the manifest's. */
  readonly budget: number | undefined;
  readonly faultLimit: FaultLimit;
  /** Compile with the JIT (default true; false = the interpreter for every pluglet). */
  readonly jit: boolean;
}

/** A loaded plugin and its pluglets by point (job pluglets under the pseudo point `job_plugins`). */
export interface LoadedPlugin {
  readonly plugin: Plugin;
  readonly manifest: PluginManifest;
  readonly extraConf: ExtraConf | undefined;
  readonly pluglets: readonly Pluglet[];
}

type Result<T> = { ok: true; value: T } | { ok: false; errors: PluginLoadError[] };

/** Load one plugin of a manifest, or every error found. */
export function loadPlugin(manifest: PluginManifest, settings: LoadSettings): Result<LoadedPlugin> {
  const memory = new PluginMemory(manifest.extraMem, manifest.sharedMem);
  const plugin = new Plugin(manifest.name, memory, settings.faultLimit);
  const errors: PluginLoadError[] = [];
  const programs = new Map<string, LoadedProgram>();
  for (const p of manifest.pluglets.values()) {
    const loaded = loadPluglet(manifest, p, memory, settings);
    if ('errors' in loaded) errors.push(...loaded.errors);
    else programs.set(p.name, loaded.program);
  }
  if (errors.length > 0) return { ok: false, errors };
  const pluglets: Pluglet[] = [];
  const budgetOf = (p: PlugletManifest): number =>
    settings.budget ?? p.budget ?? manifest.budget ?? DEFAULT_PLUGLET_BUDGET;
  if (manifest.jobPlugin !== undefined) {
    for (const p of manifest.pluglets.values())
      pluglets.push(
        new Pluglet(p.name, plugin, programs.get(p.name)!, 'job_plugins', 'replace', 0, budgetOf(p)),
      );
  } else {
    for (const [point, anchors] of manifest.insertionPoints) {
      for (const anchor of ['pre', 'replace', 'post'] as Anchor[]) {
        for (const { seq, pluglet } of anchors[anchor] ?? []) {
          const p = manifest.pluglets.get(pluglet)!;
          pluglets.push(
            new Pluglet(p.name, plugin, programs.get(p.name)!, point, anchor, seq, budgetOf(p), p.dependsOn),
          );
        }
      }
    }
  }
  return { ok: true, value: { plugin, manifest, extraConf: settings.extraConf, pluglets } };
}

function loadPluglet(
  manifest: PluginManifest,
  p: PlugletManifest,
  memory: PluginMemory,
  settings: LoadSettings,
): { program: LoadedProgram } | { errors: PluginLoadError[] } {
  const fail = (code: string, message: string, pc?: number): { errors: PluginLoadError[] } => ({
    errors: [{ code, file: manifest.file, pluglet: p.name, message, ...(pc === undefined ? {} : { pc }) }],
  });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(p.obj));
  } catch (err) {
    return fail('ERR_PLUGIN_OBJECT_READ', `cannot read ${p.obj}: ${(err as Error).message}`);
  }
  const refused: string[] = [];
  const registry = settings.helpers;
  const linked = loadElf(bytes, {
    resolveHelper: (name) => {
      const id = registry.getByName(name)?.id;
      if (id === undefined) refused.push(name);
      return id;
    },
  });
  if (refused.length > 0) {
    const reasons = [...new Set(refused)].map((n) => refusedHelperIn(n) ?? `${n} is not linked`);
    return fail('ERR_PLUGIN_HELPER_REFUSED', `${p.obj}: ${reasons.join('; ')}`);
  }
  if (!linked.ok) return fail(linked.error.code, `${p.obj}: ${linked.error.message}`);
  if (linked.value.length !== 1) {
    const n = linked.value.length;
    return fail(
      'ERR_PLUGIN_OBJECT_PROGRAMS',
      `${p.obj} holds ${n} programs; a pluglet is one entry function`,
    );
  }
  const loaded = loadProgram(linked.value[0]!, {
    helpers: registry,
    permissions: permissionPredicate(p.permissionBits),
    budget: settings.budget ?? p.budget ?? manifest.budget ?? DEFAULT_PLUGLET_BUDGET,
    regions: [
      // Both live in the running program's memory (a compiled pluglet's in its wasm memory): runtime.ts
      // points the plugin's heap and shared memory at the running program's regions before each run.
      { name: HEAP_REGION, bytes: memory.heap, writable: true, programOwned: true },
      { name: SHARED_REGION, bytes: memory.shared, writable: true, programOwned: true },
    ],
    jit: settings.jit,
    onJitFallback: () => undefined,
  });
  if (loaded instanceof VerifyError)
    return fail(loaded.code, explainVerifyError(loaded, registry, p), loaded.pc);
  return { program: loaded };
}

/** A verifier error, with the helper's name and permissions when a call is not permitted. */
function explainVerifyError(e: VerifyError, registry: HelperRegistry, p: PlugletManifest): string {
  if (e.code !== VerifyCodes.HELPER_NOT_PERMITTED) return e.message;
  const id = /helper (\d+)/.exec(e.message)?.[1];
  const helper = id === undefined ? undefined : registry.get(Number(id));
  const spec: HelperSpec | undefined = helper === undefined ? undefined : helperByName(helper.name);
  if (spec === undefined) return e.message;
  const needs = spec.permissions.join(', ');
  const has = p.permissions.length === 0 ? 'none' : p.permissions.join(', ');
  return `${spec.name} needs the permissions [${needs}] (bits ${requiredBits(spec)}); the pluglet has [${has}]`;
}

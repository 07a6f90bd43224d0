// xbgpctl plugin: building and checking xBGP plugins without a daemon.
//   plugin build SRC.c... [-o DIR] [-- CLANG_ARGS...]
//        compile each source with clang for the BPF target against the plugin API headers
//        (xbgp-api/build.ts pluginCompileArgs) into DIR/NAME.o (default: beside the source); print each
//        object's path. Exit 0, or 2 with clang's messages when a source does not compile.
//   plugin check MANIFEST [--extra-conf FILE] [--obj-dir DIR]
//        load a manifest as the daemon does (read, linked through the helper table, verified with each
//        pluglet's permissions; daemon/plugins/host.ts) and print its plugins, pluglets, points,
//        anchors, seq, budgets, permissions and the helpers each pluglet calls. Exit 0, or 2 with the
//        errors (file, pluglet, code, pc), one per line.
// Exit status 1: usage, or clang cannot be run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HelperRegistry, LoadedProgram } from '../../vm/index.js';
import { EBPF_OP_CALL } from '../../vm/opcodes.js';
import { pluginCompileArgs } from '../../xbgp-api/build.js';
import { PluginHost, type PluginEntry } from '../plugins/host.js';
import { pluginHelperRegistry } from '../plugins/helpers/index.js';
import { quietReporter } from '../plugins/configured.js';
import type { LoadedPlugin } from '../plugins/loader.js';
import type { Pluglet } from '../plugins/runtime.js';

const USAGE = `usage: xbgpctl plugin build SRC.c... [-o DIR] [-- CLANG_ARGS...]
       xbgpctl plugin check MANIFEST [--extra-conf FILE] [--obj-dir DIR]`;

/** The C compiler `plugin build` runs (XBGPD_CLANG overrides, e.g. clang-16). */
const clang = (): string => process.env.XBGPD_CLANG ?? 'clang';

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'build':
      return Promise.resolve(cmdBuild(rest));
    case 'check':
      return Promise.resolve(cmdCheck(rest));
    case '-h':
    case '--help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      process.stderr.write(
        `${cmd === undefined ? '' : `xbgpctl plugin: unknown command '${cmd}'\n`}${USAGE}\n`,
      );
      return 1;
  }
}

function usageError(message: string): number {
  process.stderr.write(`xbgpctl plugin: ${message}\n${USAGE}\n`);
  return 1;
}

// ===== plugin build =====

/** The `xbgp-api/` folder of this installation: above this file, beside package.json. */
export function pluginApiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const api = join(dir, 'xbgp-api');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(api, 'include'))) return api;
    const up = dirname(dir);
    if (up === dir) throw new Error(`xbgp-api/include not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export type CompileOutcome = { ok: true; object: string } | { ok: false; output: string; ran: boolean };

/** Compile one plugin source into `outDir` (default: the source's folder) as NAME.o. */
export function compilePlugin(
  source: string,
  outDir?: string,
  extra: readonly string[] = [],
): CompileOutcome {
  const object = join(outDir ?? dirname(resolve(source)), `${basename(source, extname(source))}.o`);
  const r = spawnSync(clang(), pluginCompileArgs(pluginApiDir(), source, object, extra), {
    encoding: 'utf8',
  });
  if (r.error !== undefined)
    return { ok: false, output: `cannot run ${clang()}: ${r.error.message}`, ran: false };
  if (r.status !== 0) return { ok: false, output: `${r.stdout}${r.stderr}`, ran: true };
  return { ok: true, object };
}

function cmdBuild(args: string[]): number {
  const sources: string[] = [];
  let outDir: string | undefined;
  let extra: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      extra = args.slice(i + 1);
      break;
    }
    if (a === '-o') {
      outDir = args[++i];
      if (outDir === undefined) return usageError('-o needs a DIR');
    } else if (a.startsWith('-')) return usageError(`unknown option '${a}'`);
    else sources.push(a);
  }
  if (sources.length === 0) return usageError('build needs at least one SRC.c');
  if (outDir !== undefined) mkdirSync(outDir, { recursive: true });
  let status = 0;
  for (const source of sources) {
    const r = compilePlugin(source, outDir, extra);
    if (r.ok) {
      process.stdout.write(`${r.object}\n`);
      continue;
    }
    process.stderr.write(
      r.ran ? `xbgpctl plugin build: ${source}:\n${r.output}` : `xbgpctl plugin build: ${r.output}\n`,
    );
    if (!r.ran) return 1;
    status = 2;
  }
  return status;
}

// ===== plugin check =====

function cmdCheck(args: string[]): number {
  let manifest: string | undefined;
  let extraConf: string | undefined;
  let objDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--extra-conf') {
      extraConf = args[++i];
      if (extraConf === undefined) return usageError('--extra-conf needs a FILE');
    } else if (a === '--obj-dir') {
      objDir = args[++i];
      if (objDir === undefined) return usageError('--obj-dir needs a DIR');
    } else if (a.startsWith('-')) return usageError(`unknown option '${a}'`);
    else if (manifest === undefined) manifest = a;
    else return usageError(`unexpected argument '${a}'`);
  }
  if (manifest === undefined) return usageError('check needs a MANIFEST');
  const entry: PluginEntry = {
    manifest: resolve(manifest),
    ...(objDir === undefined ? {} : { objDir: resolve(objDir) }),
    ...(extraConf === undefined ? {} : { extraConf: { file: resolve(extraConf) } }),
  };
  const registry = pluginHelperRegistry();
  const loaded = PluginHost.load([entry], registry, quietReporter);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${e}\n`);
    return 2;
  }
  for (const p of loaded.host.plugins) process.stdout.write(describePlugin(p, registry));
  return 0;
}

const OBJ_DIR_FROM: Record<LoadedPlugin['manifest']['objDirFrom'], string> = {
  obj_dir: "the manifest's obj_dir",
  option: 'the object directory given',
  'manifest-folder': "the manifest's folder",
};

/** A loaded plugin in text: the plugin, then each pluglet with its attachments and helpers. */
export function describePlugin(p: LoadedPlugin, registry: HelperRegistry): string {
  const m = p.manifest;
  const lines = [`plugin ${m.name} (${m.file})`];
  lines.push(`  memory: extra_mem ${m.extraMem}, shared_mem ${m.sharedMem}, ${m.memoryMgmt}`);
  lines.push(`  objects: ${m.objDir} (${OBJ_DIR_FROM[m.objDirFrom]})`);
  if (m.jobPlugin !== undefined) lines.push(`  job plugin: every ${m.jobPlugin.schedule} s`);
  if (p.extraConf !== undefined)
    lines.push(`  extra configuration: ${[...p.extraConf.keys.keys()].join(', ')}`);
  const byName = new Map<string, Pluglet[]>();
  for (const pl of p.pluglets) byName.set(pl.name, [...(byName.get(pl.name) ?? []), pl]);
  for (const pm of m.pluglets.values()) {
    const permissions = pm.permissions.length === 0 ? 'none' : pm.permissions.join(', ');
    lines.push(`  pluglet ${pm.name} (${basename(pm.obj)}): permissions ${permissions}`);
    const attached = byName.get(pm.name) ?? [];
    if (attached.length === 0) {
      lines.push('    not attached');
      continue;
    }
    for (const a of attached) {
      const at = a.point === 'job_plugins' ? 'job' : `${a.point} ${a.anchor} seq ${a.seq}`;
      const jit = a.program.jit === undefined ? 'interpreter' : 'jit';
      lines.push(`    at ${at}, budget ${a.budget}, ${jit}`);
    }
    if (pm.codes !== undefined) lines.push(`    codes ${pm.codes.join(', ')}`);
    if (pm.dependsOn !== undefined) lines.push(`    depends-on ${pm.dependsOn}`);
    const helpers = helpersCalled(attached[0]!.program, registry);
    lines.push(`    helpers: ${helpers.length === 0 ? 'none' : helpers.join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The helpers a linked program calls (call instructions with src 0), by name, sorted, each once. */
export function helpersCalled(program: LoadedProgram, registry: HelperRegistry): string[] {
  const code = program.code;
  const names = new Set<string>();
  for (let i = 0; i < program.length; i++) {
    if (program.insnStart[i] !== 1 || code.opcode[i] !== EBPF_OP_CALL || code.src[i] !== 0) continue;
    const id = code.imm[i]!;
    names.add(registry.get(id)?.name ?? `helper ${id}`);
  }
  return [...names].sort();
}

// Test support for test/xbgp-api: compiles C against the plugin API headers with the command line
// of xbgp-api/build.ts (clang -O2 -target bpf and the API include path), in a per-process temp
// directory, and reads what the tests need back (the object, clang's errors, the AST, macros).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginCompileArgs, pluginIncludeArgs, PLUGIN_CFLAGS } from '../../xbgp-api/build.js';
import { repoRoot } from '../helpers/env.js';

export const apiDir = join(repoRoot, 'xbgp-api');
export const sourceDir = join(repoRoot, 'test', 'xbgp-api', 'c');

let workDir: string | undefined;
let counter = 0;

function work(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'xbgpd-api-'));
  return workDir;
}

/** Write `text` as a C file of the temp directory; returns its path. */
export function writeSource(name: string, text: string): string {
  const path = join(work(), `${name}-${counter++}.c`);
  writeFileSync(path, text);
  return path;
}

export type CompileResult =
  { readonly ok: true; readonly object: Uint8Array } | { readonly ok: false; readonly errors: string };

/** Compile the C file at `source` into a BPF object; clang's messages when it fails. */
export function compileFile(source: string, extra: readonly string[] = []): CompileResult {
  const out = join(work(), `obj-${counter++}.o`);
  try {
    execFileSync('clang', pluginCompileArgs(apiDir, source, out, extra), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    return { ok: false, errors: err.stderr?.toString() ?? String(e) };
  }
  return { ok: true, object: new Uint8Array(readFileSync(out)) };
}

/** Compile generated C text. */
export function compileText(name: string, text: string, extra: readonly string[] = []): CompileResult {
  return compileFile(writeSource(name, text), extra);
}

/** The object of a C text that must compile (throws with clang's messages otherwise). */
export function mustCompile(name: string, text: string, extra: readonly string[] = []): Uint8Array {
  const r = compileText(name, text, extra);
  if (!r.ok) throw new Error(`clang failed on ${name}:\n${r.errors}`);
  return r.object;
}

/** clang's JSON AST of a C text (syntax only, BPF target, API include path). */
export function astOf(name: string, text: string): unknown {
  const source = writeSource(name, text);
  const json = execFileSync(
    'clang',
    [...PLUGIN_CFLAGS, ...pluginIncludeArgs(apiDir), '-fsyntax-only', '-Xclang', '-ast-dump=json', source],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(json.toString());
}

/** The macros defined after preprocessing a C text (`clang -E -dM`), name -> replacement text. */
export function macrosOf(name: string, text: string): Map<string, string> {
  const source = writeSource(name, text);
  const out = execFileSync('clang', [...PLUGIN_CFLAGS, ...pluginIncludeArgs(apiDir), '-E', '-dM', source]);
  const macros = new Map<string, string>();
  for (const line of out.toString().split('\n')) {
    const m = /^#define (\w+) (.*)$/.exec(line);
    if (m) macros.set(m[1]!, m[2]!);
  }
  return macros;
}

/** Remove the temp directory (from a root `after` hook). */
export function removeWork(): void {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

// Where the repository and ../shared are, and how a test that needs an outside thing (the shared
// reference data, an apt-installed tool, root for network namespaces) skips when it is absent.
// Under XBGPD_REQUIRE_ALL=1 (set by test/run-all.sh, the CI command) absence is a failure, not a skip.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { repoRoot as findRepoRoot } from '../../bench/lib/repo.js';

export const repoRoot = findRepoRoot();
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const requireAll = process.env.XBGPD_REQUIRE_ALL === '1';

/** Path inside ../shared, or undefined (after skipping `ctx`) when ../shared is absent. */
export function sharedPath(ctx: Mocha.Context, ...parts: string[]): string {
  const p = join(sharedDir, ...parts);
  if (!existsSync(p)) {
    if (requireAll) throw new Error(`reference data missing: ${p}`);
    console.log(`    [skip] reference data not found: ${p}`);
    ctx.skip();
  }
  return p;
}

/** Whether an executable is on PATH. */
export function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Skip `ctx` (or fail under XBGPD_REQUIRE_ALL) when one of `tools` is missing. */
export function requireTools(ctx: Mocha.Context, ...tools: string[]): void {
  const missing = tools.filter((t) => !haveTool(t));
  if (missing.length === 0) return;
  if (requireAll) throw new Error(`required tools missing: ${missing.join(', ')}`);
  console.log(`    [skip] tools not installed: ${missing.join(', ')}`);
  ctx.skip();
}

/** Skip `ctx` (or fail under XBGPD_REQUIRE_ALL) unless running as root (network namespaces). */
export function requireRoot(ctx: Mocha.Context): void {
  if (process.getuid?.() === 0) return;
  if (requireAll) throw new Error('this test needs root');
  console.log('    [skip] needs root');
  ctx.skip();
}

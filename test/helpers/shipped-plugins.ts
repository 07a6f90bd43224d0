// The plugins shipped in plugins/, built for the tests that load them: each plugin's C sources are
// compiled (as `xbgpctl plugin build` does, daemon/cli/plugin.ts compilePlugin) into objects beside
// them when an object is missing or older than its source or a plugin API header, so `npm test` works
// without `npm run build:plugins` first. An object is written to a scratch folder and renamed into
// place, so a concurrent reader never sees half of one.
import { mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compilePlugin } from '../../daemon/cli/plugin.js';
import { repoRoot } from './env.js';

export const pluginsDir = join(repoRoot, 'plugins');

/** The folders of plugins/ (one per shipped plugin). */
export function shippedPlugins(): string[] {
  return readdirSync(pluginsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** The newest modification time among the plugin API headers (a changed header rebuilds). */
function headersTime(): number {
  let newest = 0;
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) visit(path);
      else if (e.name.endsWith('.h')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(join(repoRoot, 'xbgp-api', 'include'));
  return newest;
}

const mtime = (path: string): number | undefined => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Build plugin `name`'s objects when stale; returns its manifest, plugins/NAME/NAME.plugin. */
export function shippedPlugin(name: string): string {
  const dir = join(pluginsDir, name);
  const headers = headersTime();
  for (const source of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
    const src = join(dir, source);
    const obj = src.replace(/\.c$/, '.o');
    const built = mtime(obj);
    if (built !== undefined && built >= mtime(src)! && built >= headers) continue;
    const scratch = mkdtempSync(join(dir, '.build-'));
    try {
      const r = compilePlugin(src, scratch);
      if (!r.ok) throw new Error(`plugins/${name}/${source} does not compile:\n${r.output}`);
      renameSync(r.object, join(dir, basename(r.object)));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return join(dir, `${name}.plugin`);
}

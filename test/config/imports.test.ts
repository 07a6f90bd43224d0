// The configuration's import graph, read from the import lines of the sources: no cycle among the files
// of daemon/config (load.ts and policy.ts once imported each other), and outside daemon/config only the
// CLI imports the loader (yaml, ajv); everything else reads daemon/config/types.ts alone.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers/env.js';

const daemonDir = join(repoRoot, 'daemon');
const configDir = join(daemonDir, 'config');

/** Every .ts file under `dir`, absolute. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The relative modules `file` imports (static, type-only, re-exports and dynamic), as absolute .ts paths. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** One cycle of the graph as a path that ends where it starts, or undefined when there is none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = onPath.indexOf(node);
    if (at >= 0) return [...onPath.slice(at), node];
    if (done.has(node)) return undefined;
    onPath.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    onPath.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('config: import graph', function () {
  it('reads every kind of import line, and finds cycles (checked on made-up input)', function () {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      'import {\n  d,\n  e,\n} from "./d.js";',
      "const f = await import('./f.js');",
      "import { readFile } from 'node:fs';",
    ].join('\n');
    expect(importsOf('/x/y/file.ts', text)).to.deep.equal([
      '/x/y/a.ts',
      '/x/b.ts',
      '/x/y/c.ts',
      '/x/y/d.ts',
      '/x/y/f.ts',
    ]);
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', []],
      ['d', ['b']],
    ]);
    expect(findCycle(graph)).to.deep.equal(['b', 'd', 'b']);
    graph.set('d', ['c']);
    expect(findCycle(graph)).to.equal(undefined);
  });

  it('no import cycle among the files of daemon/config', function () {
    const files = sources(configDir);
    expect(files.map((f) => relative(configDir, f))).to.include.members(['load.ts', 'policy.ts', 'types.ts']);
    const inConfig = new Set(files);
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => inConfig.has(i))]));
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(configDir, f)).join(' -> '), 'import cycle').to.equal(undefined);
  });

  it('outside daemon/config only the CLI imports more than daemon/config/types.ts', function () {
    const typesFile = join(configDir, 'types.ts');
    const offenders: string[] = [];
    for (const file of sources(daemonDir)) {
      if (file.startsWith(configDir + '/') || file.startsWith(join(daemonDir, 'cli') + '/')) continue;
      for (const i of importsOf(file)) {
        if (i.startsWith(configDir + '/') && i !== typesFile) {
          offenders.push(`${relative(repoRoot, file)} imports ${relative(repoRoot, i)}`);
        }
      }
    }
    expect(offenders).to.deep.equal([]);
  });
});

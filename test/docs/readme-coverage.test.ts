// Every folder's README.md keeps up with its files, so the READMEs cannot drift from the code.
//
// Rules (the data is in RULES):
// - Source files are the files with an extension in RULES.sourceExtensions, anywhere in the repository
//   except the folders in RULES.skipDirs (installed, built or run-time output) and dot-folders.
// - Each source file is named, by its file name, in the README.md of its own folder; a folder holding
//   source files must have a README.md. Exception: the files of an input folder (RULES.inputDirs: test
//   fixtures, C sources compiled by the code beside them) are named in the README of the folder above
//   it, as `fixtures/name.ts` or `name.ts`, unless the input folder has a README of its own.
// - Every file name a README gives as a whole code span (`name.ts`, `dir/name.ts`; no spaces, so
//   commands are not checked) with an extension in RULES.checkedExtensions must exist: a bare name in
//   the README's folder, one of its input folders or the repository root (`package.json`); a path
//   relative to the README's folder or to the repository root. A `dist/` path stands for its source,
//   and a `.js` name may be its `.ts` twin (ESM imports say `.js`).
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { repoRoot } from '../helpers/env.js';

const RULES = {
  sourceExtensions: ['.ts', '.c', '.cjs', '.js', '.h', '.sh'],
  checkedExtensions: ['.ts', '.c', '.cjs', '.js', '.h', '.sh', '.md', '.yaml', '.json'],
  skipDirs: ['node_modules', 'dist', 'build', 'tmp'],
  inputDirs: ['fixtures', 'c'],
};

/** Folder (repository-relative, '' for the root) -> the names of its files. */
type Tree = Map<string, string[]>;

function walk(root: string): Tree {
  const tree: Tree = new Map();
  const visit = (rel: string): void => {
    const files: string[] = [];
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (e.isFile()) files.push(e.name);
      else if (e.isDirectory() && !e.name.startsWith('.') && !RULES.skipDirs.includes(e.name))
        visit(posix.join(rel, e.name));
    }
    tree.set(rel, files);
  };
  visit('');
  return tree;
}

const parentOf = (folder: string): string => (posix.dirname(folder) === '.' ? '' : posix.dirname(folder));
const isSource = (name: string): boolean => RULES.sourceExtensions.some((x) => name.endsWith(x));
const hasReadme = (tree: Tree, folder: string): boolean => tree.get(folder)?.includes('README.md') ?? false;

/** Whether `path` (repository-relative) is a file of the tree. */
function exists(tree: Tree, path: string): boolean {
  const clean = posix.normalize(path);
  return tree.get(parentOf(clean))?.includes(posix.basename(clean)) ?? false;
}

/** Whether `text` names `file` as a whole file name (`name.ts`, also inside `dir/name.ts`). */
function names(text: string, file: string): boolean {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`).test(text);
}

/** Per documenting folder, the source files its README must name (as it must name them). */
function sourcesByReadme(tree: Tree): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [folder, files] of tree) {
    const input = RULES.inputDirs.includes(posix.basename(folder)) && !hasReadme(tree, folder);
    const doc = input ? parentOf(folder) : folder;
    for (const f of files.filter(isSource)) {
      const list = out.get(doc) ?? [];
      list.push(input ? `${posix.basename(folder)}/${f}` : f);
      out.set(doc, list);
    }
  }
  return out;
}

/** The file names `readme` (of `folder`) gives as code spans that exist nowhere they could mean. */
function danglingNames(tree: Tree, folder: string, readme: string): string[] {
  const out = new Set<string>();
  for (const m of readme.matchAll(/`([\w./-]+)`/g)) {
    const given = m[1]!;
    if (!RULES.checkedExtensions.some((x) => given.endsWith(x))) continue;
    const name = given.startsWith('dist/') ? given.slice('dist/'.length) : given;
    const candidates = name.endsWith('.js') ? [name, name.replace(/\.js$/, '.ts')] : [name];
    const places = candidates.flatMap((c) => [
      posix.join(folder, c),
      c,
      ...(c.includes('/') ? [] : RULES.inputDirs.map((sub) => posix.join(folder, sub, c))),
    ]);
    if (!places.some((p) => exists(tree, p))) out.add(given);
  }
  return [...out];
}

/** Every problem, one line each, folders in order; empty when the READMEs match the tree. */
function readmeProblems(root: string): string[] {
  const tree = walk(root);
  const sources = sourcesByReadme(tree);
  const problems: string[] = [];
  for (const folder of [...tree.keys()].sort()) {
    const where = folder === '' ? '.' : folder;
    const mustName = (sources.get(folder) ?? []).sort();
    if (!hasReadme(tree, folder)) {
      if (mustName.length > 0)
        problems.push(`${where}/ has source files but no README.md: ${mustName.join(', ')}`);
      continue;
    }
    const text = readFileSync(join(root, folder, 'README.md'), 'utf8');
    const unnamed = mustName.filter((s) => !names(text, posix.basename(s)));
    if (unnamed.length > 0) problems.push(`${where}/README.md does not name: ${unnamed.join(', ')}`);
    const dangling = danglingNames(tree, folder, text);
    if (dangling.length > 0)
      problems.push(`${where}/README.md names files that do not exist: ${dangling.join(', ')}`);
  }
  return problems;
}

describe('READMEs name every source file of their folder, and only files that exist', function () {
  it('the repository', function () {
    const problems = readmeProblems(repoRoot);
    expect(problems, `\n${problems.join('\n')}\n`).to.deep.equal([]);
  });

  describe('the check itself, on a small tree', function () {
    let root: string;
    const write = (path: string, text = ''): void => {
      mkdirSync(join(root, posix.dirname(path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    beforeEach(function () {
      root = mkdtempSync(join(tmpdir(), 'xbgpd-readme-'));
      write('lib/README.md', '`a.ts` and `fixtures/f.ts`; see `../README.md` and `dist/lib/a.js`.');
      write('lib/a.ts');
      write('lib/fixtures/f.ts');
      write('lib/data.json');
      write('README.md', '# root');
      write('node_modules/x/index.js');
    });
    afterEach(function () {
      rmSync(root, { recursive: true, force: true });
    });

    it('passes a tree whose READMEs match', function () {
      expect(readmeProblems(root)).to.deep.equal([]);
    });

    it('lists the files a README does not name, per folder', function () {
      write('lib/b.ts');
      write('lib/fixtures/g.ts');
      write('src/c.sh');
      expect(readmeProblems(root)).to.deep.equal([
        'lib/README.md does not name: b.ts, fixtures/g.ts',
        'src/ has source files but no README.md: c.sh',
      ]);
    });

    it('lists the files a README names that do not exist', function () {
      write('lib/README.md', '`a.ts`, `fixtures/f.ts`, `gone.ts`, `fixtures/old.ts`, `run it.sh`');
      expect(readmeProblems(root)).to.deep.equal([
        'lib/README.md names files that do not exist: gone.ts, fixtures/old.ts',
      ]);
    });
  });
});

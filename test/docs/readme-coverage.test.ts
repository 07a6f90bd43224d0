// Every folder's README.md keeps up with its files, so the READMEs cannot drift from the code.
//
// Rules (all data below, in RULES):
// - Source files are the files with an extension in RULES.sourceExtensions, anywhere in the repository
//   except the folders in RULES.skipDirs (installed, built or run-time output) and dot-folders.
// - Each source file is named, by its file name, in the README.md of its own folder; a folder holding
//   source files must have a README.md. Exception: the files of an input folder (RULES.inputDirs: test
//   fixtures, C sources compiled by the code beside them) are named in the README of the folder above
//   it, as `fixtures/name.ts` or `name.ts`; such a folder may have its own README instead.
// - Every file name a README gives in backticks (a whole code span like `name.ts` or `dir/name.ts`, with
//   an extension in RULES.checkedExtensions) must exist: a bare name in the README's folder, one of its
//   input folders or the repository root (`package.json`), a path relative to the README's folder or to
//   the repository root. A `dist/` path
//   stands for its TypeScript source, and a `.js` name for its `.ts` twin (ESM imports say `.js`).
//   Spans with spaces (commands) are not checked, nor names in RULES.foreignNames (files of other
//   projects that READMEs cite).
import { expect } from 'chai';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { repoRoot } from '../helpers/env.js';

const RULES = {
  sourceExtensions: ['.ts', '.c', '.cjs', '.js', '.h', '.sh'],
  checkedExtensions: ['.ts', '.c', '.cjs', '.js', '.h', '.sh', '.md', '.yaml', '.json'],
  skipDirs: ['node_modules', 'dist', 'build', 'tmp'],
  inputDirs: ['fixtures', 'c'],
  foreignNames: [] as string[],
};

interface Tree {
  /** Folder (repository-relative, '' for the root) -> the names of its files. */
  files: Map<string, string[]>;
}

function walk(root: string): Tree {
  const files = new Map<string, string[]>();
  const visit = (rel: string): void => {
    const names: string[] = [];
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !RULES.skipDirs.includes(e.name)) visit(posix.join(rel, e.name));
      } else if (e.isFile()) names.push(e.name);
    }
    files.set(rel, names);
  };
  visit('');
  return { files };
}

const isSource = (name: string): boolean => RULES.sourceExtensions.some((x) => name.endsWith(x));
const isInputDir = (folder: string): boolean => RULES.inputDirs.includes(basename(folder));

/** The folder whose README must name the files of `folder`. */
function documentingFolder(tree: Tree, folder: string): string {
  if (isInputDir(folder) && !tree.files.get(folder)!.includes('README.md')) return dirname(folder);
  return folder;
}

/** Whether `text` names `file` as a whole file name (`name.ts`, or `dir/name.ts`). */
function names(text: string, file: string): boolean {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`).test(text);
}

/** Whether `path` (repository-relative) is a file of the tree. */
function exists(tree: Tree, path: string): boolean {
  const clean = posix.normalize(path);
  return (
    tree.files
      .get(posix.dirname(clean) === '.' ? '' : posix.dirname(clean))
      ?.includes(posix.basename(clean)) ?? false
  );
}

/** The file names `readme` (in `folder`) gives in backticks that exist nowhere they could mean. */
function danglingNames(tree: Tree, folder: string, readme: string): string[] {
  const out: string[] = [];
  for (const m of readme.matchAll(/`([^`\s]+)`/g)) {
    let name = m[1]!;
    if (!RULES.checkedExtensions.some((x) => name.endsWith(x)) || RULES.foreignNames.includes(name)) continue;
    if (!/^[\w./-]+$/.test(name)) continue;
    const original = name;
    if (name.startsWith('dist/')) name = name.slice(5).replace(/\.js$/, '.ts');
    const candidates = [name];
    if (name.endsWith('.js')) candidates.push(name.replace(/\.js$/, '.ts'));
    const places: string[] = [];
    for (const c of candidates) {
      if (c.includes('/')) places.push(posix.join(folder, c), c);
      else {
        places.push(posix.join(folder, c), c);
        for (const sub of RULES.inputDirs) places.push(posix.join(folder, sub, c));
      }
    }
    if (!places.some((p) => exists(tree, p))) out.push(original);
  }
  return [...new Set(out)];
}

/** Every problem, one line per folder, empty when the READMEs match the tree. */
function readmeProblems(root: string): string[] {
  const tree = walk(root);
  const problems: string[] = [];
  const missing = new Map<string, string[]>();
  for (const [folder, files] of tree.files) {
    const doc = documentingFolder(tree, folder);
    for (const f of files.filter(isSource)) {
      const named = doc === folder ? f : `${basename(folder)}/${f}`;
      const list = missing.get(doc) ?? [];
      list.push(named);
      missing.set(doc, list);
    }
  }
  for (const [folder, sources] of [...missing].sort(([a], [b]) => a.localeCompare(b))) {
    const readmePath = join(root, folder, 'README.md');
    const where = folder === '' ? '.' : folder;
    if (!existsSync(readmePath)) {
      problems.push(`${where}/ has source files but no README.md: ${sources.sort().join(', ')}`);
      continue;
    }
    const text = readFileSync(readmePath, 'utf8');
    const unnamed = sources.filter((s) => !names(text, basename(s))).sort();
    if (unnamed.length > 0) problems.push(`${where}/README.md does not name: ${unnamed.join(', ')}`);
  }
  for (const [folder, files] of tree.files) {
    if (!files.includes('README.md')) continue;
    const dangling = danglingNames(tree, folder, readFileSync(join(root, folder, 'README.md'), 'utf8'));
    if (dangling.length > 0)
      problems.push(
        `${folder === '' ? '.' : folder}/README.md names files that do not exist: ${dangling.join(', ')}`,
      );
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
      mkdirSync(dirname(join(root, path)), { recursive: true });
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

// `xbgpctl mrt dump` (the built dist CLI) against Debian's `bgpdump -m` on the same MRT files, output to
// /dev/null: wall time of each (best of N runs, alternated), their ratio, and lines per second. Files: the
// RouteViews full table (TABLE_DUMP_V2, 503,590 RIB entries; bzip2) and a RouteViews BGP4MP update file
// (45k UPDATEs, 2- and 4-octet AS; bzip2). UPDATE decoding alone is measured by bench/wire-decode.ts.
// Data: University of Oregon RouteViews. Run: `npm run build && node dist/bench/mrt-dump.js [runs]`.
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './lib/repo.js';

const ROOT = repoRoot();
const DATA = resolve(ROOT, '..', 'shared', 'data');
const CLI = join(ROOT, 'dist', 'daemon', 'cli', 'xbgpctl.js');
const FILES: { path: string; lines: number }[] = [
  { path: 'caida-libbgpstream/routeviews.route-views.jinx.ribs.1401487200.bz2', lines: 503_590 },
  { path: 'caida-libbgpstream/updates.example.bz2', lines: 0 },
];

/** Run `cmd args` with stdout to /dev/null; resolve with the wall time in ms (exit status must be 0). */
function timeRun(cmd: string, args: string[]): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['ignore', devNull, 'ignore'] });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(devNull);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      else resolvePromise(ms);
    });
  });
}

/** Lines printed by `cmd args` (one extra run, not timed). */
function countLines(cmd: string, args: string[]): Promise<number> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let n = 0;
  child.stdout.on('data', (c: Buffer) => {
    for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) n++;
  });
  return new Promise((r) => child.on('close', () => r(n)));
}

async function main(): Promise<void> {
  const runs = Math.max(1, Number(process.argv[2] ?? 3));
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  console.log(`mrt dump vs bgpdump -m, best of ${runs} runs, output to /dev/null (node ${process.version})`);
  for (const f of FILES) {
    const path = join(DATA, f.path);
    if (!existsSync(path)) {
      console.log(`${f.path}: missing, skipped`);
      continue;
    }
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await timeRun(process.execPath, [CLI, 'mrt', 'dump', path]));
      theirs.push(await timeRun('bgpdump', ['-m', path]));
    }
    const lines = f.lines || (await countLines(process.execPath, [CLI, 'mrt', 'dump', path]));
    const a = Math.min(...ours);
    const b = Math.min(...theirs);
    console.log(`\n${f.path} (${lines.toLocaleString('en-US')} lines)`);
    console.log(
      `  xbgpctl mrt dump  ${(a / 1000).toFixed(2).padStart(7)} s  ${Math.round(lines / (a / 1000))
        .toLocaleString('en-US')
        .padStart(10)} lines/s`,
    );
    console.log(
      `  bgpdump -m        ${(b / 1000).toFixed(2).padStart(7)} s  ${Math.round(lines / (b / 1000))
        .toLocaleString('en-US')
        .padStart(10)} lines/s`,
    );
    console.log(`  ratio xbgpctl/bgpdump: ${(a / b).toFixed(2)} (below 1: faster than bgpdump)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

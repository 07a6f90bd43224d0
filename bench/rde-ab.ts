// In-process A/B of the RDE (issue 15, not a test): the messages of bench/rde-ingest.ts (the RouteViews
// table, or with --ipv6 the IPv6 one) through this checkout's RDE and another checkout's, in alternating
// child processes, printing each pair and the medians of the per-pair ratios (this / other) of the
// announce and withdraw phases' wall and CPU time. On a shared VM whose speed moves by 10-25% within an
// hour, single runs tell little: only ratios of runs side by side do, and in-process the TCP sessions'
// noise is out of the figure.
// Run: `npm run build && node dist/bench/rde-ab.js --other DIR [--pairs N] [--ipv6] [--instructions]`, DIR
// the root of another checkout with its dist/ built (`git worktree add DIR REV && cd DIR && npm ci`). Both
// RDEs must take the constructor options and calls below (peerUp, receive, flush, pull).
// --instructions: instead of timing, count the instructions of each build's child under valgrind's
// cachegrind, node run --single-threaded (no concurrent compilation or collection, so that a run's count
// repeats within about 1% where times move by 10-30%), once through the announcement alone and once
// through both phases (four runs under valgrind, 2-3 minutes). The withdrawal's count is the difference of
// two runs and moves more: 1.08-1.15 G in three runs of one build with the IPv6 table, so a change to it
// shows only past several percent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DAEMON_NODE_FLAGS } from '../daemon/cli/node-flags.js';
import { repoRoot } from './lib/repo.js';
import { ingestMessages, ingestPeersUp, ingestRdeOptions } from './lib/ingest.js';

/** One phase's figures from a child. */
interface PhaseFigures {
  ms: number;
  cpuMs: number;
  updates: number;
}

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The two phases' messages, each a count then length-prefixed messages (little-endian 32-bit). */
function serialize(phases: Uint8Array[][]): Buffer {
  const parts: Buffer[] = [];
  for (const messages of phases) {
    const count = Buffer.alloc(4);
    count.writeUInt32LE(messages.length);
    parts.push(count);
    for (const m of messages) {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(m.length);
      parts.push(length, Buffer.from(m.buffer, m.byteOffset, m.length));
    }
  }
  return Buffer.concat(parts);
}

function deserialize(bytes: Buffer): Uint8Array[][] {
  const phases: Uint8Array[][] = [];
  let at = 0;
  while (at < bytes.length) {
    const count = bytes.readUInt32LE(at);
    at += 4;
    const messages: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const length = bytes.readUInt32LE(at);
      at += 4;
      messages.push(new Uint8Array(bytes.buffer, bytes.byteOffset + at, length));
      at += length;
    }
    phases.push(messages);
  }
  return phases;
}

/** Child: the messages in `file` through the RDE of the checkout at `root`; prints the figures as JSON. */
async function child(root: string, file: string, ipv6: boolean, upTo: number): Promise<void> {
  const phases = deserialize(readFileSync(file)).slice(0, upTo);
  const dist = (path: string): string => pathToFileURL(join(root, 'dist', path)).href;
  const { Rde } = (await import(dist('daemon/rde/rde.js'))) as typeof import('../daemon/rde/rde.js');
  const wire = (await import(dist('daemon/wire/index.js'))) as typeof import('../daemon/wire/index.js');
  const rde = new Rde(ingestRdeOptions());
  ingestPeersUp(rde, ipv6);
  const ctx = { asn4: true };
  const figures: PhaseFigures[] = [];
  for (const messages of phases) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (const m of messages) {
      const r = wire.decodeMessage(m, ctx);
      if (r.ok && r.message.type === 'update')
        rde.receive('feeder', r.message, true, r.action === 'treat-as-withdraw');
    }
    rde.flush();
    let updates = 0;
    for (const u of rde.pull('monitor')) {
      wire.encodeMessage(u);
      updates++;
    }
    const used = process.cpuUsage(cpu);
    figures.push({ ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, updates });
  }
  console.log(JSON.stringify(figures));
}

function runChild(root: string, file: string, ipv6: boolean): PhaseFigures[] {
  const script = join(repoRoot(), 'dist', 'bench', 'rde-ab.js');
  const args = [...DAEMON_NODE_FLAGS, script, '--child', root, file, ...(ipv6 ? ['--ipv6'] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child for ${root} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PhaseFigures[];
}

/**
 * The instructions (cachegrind's I refs, every thread's) of a child through the first `phases` phases
 * (1: loading and the announcement; 2: the withdrawal too), node single-threaded.
 */
function childInstructions(root: string, file: string, ipv6: boolean, phases: number): number {
  const script = join(repoRoot(), 'dist', 'bench', 'rde-ab.js');
  const node = [...DAEMON_NODE_FLAGS, '--single-threaded', script, '--child', root, file];
  const args = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath];
  args.push(...node, '--phases', String(phases), ...(ipv6 ? ['--ipv6'] : []));
  const r = spawnSync('valgrind', args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || refs === null)
    throw new Error(
      `valgrind for ${root} failed (${r.error?.message ?? r.status}): ${r.stderr?.slice(-400)}`,
    );
  return Number(refs[1]!.replaceAll(',', ''));
}

/** --instructions: the phases' instructions of each build, and their ratios. */
function instructions(other: string, file: string, ipv6: boolean): void {
  const counts = [other, repoRoot()].map((root) => {
    const announce = childInstructions(root, file, ipv6, 1);
    const withdraw = childInstructions(root, file, ipv6, 2) - announce;
    return { announce, withdraw };
  });
  const [theirs, ours] = counts as [(typeof counts)[0], (typeof counts)[0]];
  const g = (n: number): string => (n / 1e9).toFixed(3);
  console.log(
    `instructions (G): other ${g(theirs.announce)} / ${g(theirs.withdraw)}, this ${g(ours.announce)} / ${g(ours.withdraw)} (loading and announce / withdraw)`,
  );
  console.log(
    `this/other: loading and announce ${(ours.announce / theirs.announce).toFixed(4)}, withdraw ${(ours.withdraw / theirs.withdraw).toFixed(4)}`,
  );
}

async function main(): Promise<void> {
  const ipv6 = process.argv.includes('--ipv6');
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0)
    return child(process.argv[childAt + 1]!, process.argv[childAt + 2]!, ipv6, Number(arg('--phases') ?? 2));
  const otherArg = arg('--other');
  if (otherArg === undefined) throw new Error('--other DIR: the root of the checkout to compare with');
  const other = resolve(otherArg);
  const pairs = Number(arg('--pairs') ?? 6);
  const table = await ingestMessages(ipv6);
  const dir = mkdtempSync(join(tmpdir(), 'rde-ab-'));
  const file = join(dir, 'messages.bin');
  try {
    writeFileSync(file, serialize([table.announce, table.withdraw]));
    if (process.argv.includes('--instructions')) return instructions(other, file, ipv6);
    const names = ['announce ms', 'announce CPU', 'withdraw ms', 'withdraw CPU'];
    const pick = (f: PhaseFigures[]): number[] => [f[0]!.ms, f[0]!.cpuMs, f[1]!.ms, f[1]!.cpuMs];
    const ratios: number[][] = names.map(() => []);
    console.log(`${table.routes.length} prefixes; this = ${repoRoot()}, other = ${other}; ${pairs} pairs`);
    for (let i = 0; i < pairs; i++) {
      // Which goes first alternates (ABBA): a bias of the first or second run of a pair cancels out.
      let theirs: number[];
      let ours: number[];
      if (i % 2 === 0) {
        theirs = pick(runChild(other, file, ipv6));
        ours = pick(runChild(repoRoot(), file, ipv6));
      } else {
        ours = pick(runChild(repoRoot(), file, ipv6));
        theirs = pick(runChild(other, file, ipv6));
      }
      ours.forEach((v, k) => ratios[k]!.push(v / theirs[k]!));
      console.log(
        `pair ${i + 1}: other ${theirs.map((v) => v.toFixed(0)).join(' / ')}, this ${ours.map((v) => v.toFixed(0)).join(' / ')} (announce ms / CPU / withdraw ms / CPU)`,
      );
    }
    for (let k = 0; k < names.length; k++)
      console.log(
        `${names[k]}: this/other median ${median(ratios[k]!).toFixed(3)} (pairs ${ratios[k]!.map((r) => r.toFixed(2)).join(', ')})`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// UPDATE decode throughput of the wire codec on the real BGP4MP update files of ../shared/data: messages/s and
// prefixes/s for decode alone, decode + a walk over every prefix (the callback API, no allocation per prefix),
// and encode. For scale it also times `bgpdump -m` (Debian) on the same decompressed files: bgpdump also
// formats text, so the ratio is an upper bound on our decoder's share of an MRT dump, not a like-for-like race.
// Data: RIPE NCC RIS and University of Oregon RouteViews. Run: `npx tsx bench/wire-decode.ts [iterations]`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from './lib/repo.js';
import {
  decodeMessage,
  encodeMessage,
  familyKey,
  forEachAnnounced,
  forEachWithdrawn,
  type DecodeContext,
  type Message,
} from '../daemon/wire/index.js';

const DATA = resolve(repoRoot(), '..', 'shared', 'data');
const FILES = [
  'caida-libbgpstream/updates.example.bz2',
  'ripe-bgpdump/test_data/updates.20160811.1600.gz',
  'ripe-bgpdump/test_data/updates.20070211.0141.gz',
];

function decompress(path: string): Uint8Array {
  if (path.endsWith('.bz2'))
    return new Uint8Array(execFileSync('bzip2', ['-dc', path], { maxBuffer: 1 << 30 }));
  return new Uint8Array(gunzipSync(readFileSync(path)));
}

const ADD_PATH_ALL = new Set([familyKey(1, 1), familyKey(2, 1)]);

/** The UPDATEs of BGP4MP(_ET) MESSAGE* records (RFC 6396 4.4), with the context their subtype implies. */
function updates(mrt: Uint8Array): { bytes: Uint8Array; ctx: DecodeContext }[] {
  const out: { bytes: Uint8Array; ctx: DecodeContext }[] = [];
  for (let pos = 0; pos + 12 <= mrt.length;) {
    const type = (mrt[pos + 4]! << 8) | mrt[pos + 5]!;
    const subtype = (mrt[pos + 6]! << 8) | mrt[pos + 7]!;
    const len =
      ((mrt[pos + 8]! << 24) | (mrt[pos + 9]! << 16) | (mrt[pos + 10]! << 8) | mrt[pos + 11]!) >>> 0;
    const start = pos + 12;
    const end = start + len;
    pos = end;
    if (end > mrt.length || (type !== 16 && type !== 17) || ![1, 4, 6, 7, 8, 9, 10, 11].includes(subtype))
      continue;
    const as4 = subtype === 4 || subtype === 7 || subtype === 9 || subtype === 11;
    let p = start + (type === 17 ? 4 : 0) + (as4 ? 8 : 4) + 2;
    const afi = (mrt[p]! << 8) | mrt[p + 1]!;
    p += 2 + (afi === 2 ? 32 : 8);
    if (p + 19 > end || mrt[p + 18] !== 2) continue;
    out.push({
      bytes: mrt.subarray(p, end),
      ctx: subtype >= 8 ? { asn4: as4, addPath: ADD_PATH_ALL } : { asn4: as4 },
    });
  }
  return out;
}

/**
 * Seconds per run of `body`: the process CPU time (user + system), which other load on a shared machine
 * disturbs much less than wall time; the wall time is kept too for the printout.
 */
function timeIt(iterations: number, body: () => void): { cpu: number; wall: number } {
  body(); // warm-up
  body();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) body();
  const c = process.cpuUsage(c0);
  return {
    cpu: (c.user + c.system) / 1e6 / iterations,
    wall: Number(process.hrtime.bigint() - t0) / 1e9 / iterations,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function main(): void {
  const iterations = Number(process.argv[2] ?? 10);
  const present = FILES.map((f) => join(DATA, f)).filter((f) => existsSync(f));
  if (present.length === 0) {
    console.log(`no data under ${DATA}`);
    return;
  }
  const haveBgpdump = spawnSync('sh', ['-c', 'command -v bgpdump'], { stdio: 'ignore' }).status === 0;
  console.log(`wire UPDATE decode, ${iterations} iterations per figure (Node ${process.version})`);
  const tmp = mkdtempSync(join(tmpdir(), 'wire-bench-'));
  try {
    let allMsgs = 0;
    let allPrefixes = 0;
    let allSeconds = 0;
    for (const file of present) {
      const raw = decompress(file);
      const msgs = updates(raw);
      let prefixes = 0;
      let failures = 0;
      const decodeOnly = timeIt(iterations, () => {
        failures = 0;
        for (const m of msgs) if (!decodeMessage(m.bytes, m.ctx).ok) failures++;
      });
      const decoded: Message[] = [];
      for (const m of msgs) {
        const r = decodeMessage(m.bytes, m.ctx);
        if (r.ok) decoded.push(r.message);
      }
      const count = (): void => {
        prefixes++;
      };
      const decodeWalk = timeIt(iterations, () => {
        prefixes = 0;
        for (const m of msgs) {
          const r = decodeMessage(m.bytes, m.ctx);
          if (r.ok && r.message.type === 'update') {
            forEachAnnounced(r.message, count);
            forEachWithdrawn(r.message, count);
          }
        }
      });
      const encode = timeIt(iterations, () => {
        for (const m of decoded) encodeMessage(m, { extendedMessage: true });
      });
      allMsgs += msgs.length;
      allPrefixes += prefixes;
      allSeconds += decodeWalk.cpu;
      const name = file.slice(DATA.length + 1);
      const line = (
        label: string,
        t: { cpu: number; wall: number },
        n: number,
        withPrefixes: boolean,
      ): string =>
        `  ${label.padEnd(22)} ${fmt(n / t.cpu).padStart(10)} msg/s${withPrefixes ? ` ${fmt(prefixes / t.cpu).padStart(11)} prefixes/s` : ''}   (wall: ${fmt(n / t.wall)} msg/s)`;
      console.log(
        `\n${name}: ${fmt(msgs.length)} UPDATEs (${failures} session resets), ${fmt(prefixes)} prefixes (announced + withdrawn)`,
      );
      console.log(line('decode', decodeOnly, msgs.length, true));
      console.log(line('decode + prefix walk', decodeWalk, msgs.length, true));
      console.log(line('encode', encode, decoded.length, false));
      if (haveBgpdump) {
        const plain = join(tmp, 'updates.mrt');
        writeFileSync(plain, raw);
        // CPU time of the child, from the shell's `times` (user + system of children).
        const out =
          spawnSync('sh', ['-c', `bgpdump -m '${plain}' >/dev/null 2>&1; times`], { encoding: 'utf8' })
            .stdout.trim()
            .split('\n')
            .pop() ?? '';
        const secs = [...out.matchAll(/(\d+)m([\d.]+)s/g)].map((x) => Number(x[1]) * 60 + Number(x[2]));
        const bgpdump = (secs[0] ?? 0) + (secs[1] ?? 0);
        if (bgpdump > 0) {
          console.log(
            `  bgpdump -m (C, parse + text) ${fmt(msgs.length / bgpdump).padStart(10)} msg/s (CPU ${bgpdump.toFixed(2)} s); our decode + walk uses ${(decodeWalk.cpu / bgpdump).toFixed(2)}x its CPU time`,
          );
        }
      }
    }
    console.log(
      `\nall files: ${fmt(allMsgs / allSeconds)} msg/s, ${fmt(allPrefixes / allSeconds)} prefixes/s (decode + prefix walk, CPU time)`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();

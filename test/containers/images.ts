// The container images the tests use, built once per machine and reused: every image carries the hash
// of what went into it (its recipe, its input files, the image it starts from) in its tag or in the
// label `xbgpd.inputs`, so unchanged inputs find the image in podman's storage and a changed input
// builds a new one. Build times are printed.
//
// - Base images under the official names the Containerfiles start FROM (no registry is reachable
//   here): docker.io/library/debian:bookworm-slim (`debootstrap --variant=minbase bookworm`) and
//   docker.io/library/node:20-bookworm-slim (that rootfs plus this machine's Node 20, its npm and
//   headers under /usr/local, and the `node` user, uid 1000, as in the official image). An image of
//   those names without our label (a real one, pulled) is used as it is.
// - localhost/xbgpd-peers:HASH from container/peers.Containerfile (BIRD, FRR, GoBGP, ExaBGP).
// - localhost/xbgpd:HASH from the repository's Containerfile.
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { haveTool, repoRoot } from '../helpers/env.js';
import { podman, runWithPodmanEnv } from './podman.js';

export const debianBase = 'docker.io/library/debian:bookworm-slim';
export const nodeBase = 'docker.io/library/node:20-bookworm-slim';
const mirror = process.env.XBGPD_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
/** Bump when the way the base images are made changes. */
const baseRecipe = 'debootstrap minbase bookworm; node, npm, headers in /usr/local; user node 1000; v1';
/** How built images are built (part of their hash): Docker's format keeps HEALTHCHECK (OCI's drops it). */
const buildRecipe = 'podman build --format docker';

/** The files the xbgpd image is built from (what Containerfile copies), relative to the repository. */
export const xbgpdImageInputs = [
  'Containerfile',
  '.dockerignore',
  'package.json',
  'package-lock.json',
  'binding.gyp',
  'tsconfig.json',
  'tsconfig.build.json',
  'daemon',
  'vm',
  'xbgp-api',
  'bench',
  'plugins',
  'config/schema.json',
  'container/healthcheck.mjs',
];
const skipped = (name: string): boolean =>
  ['node_modules', 'dist', 'build'].includes(name) || name.endsWith('.o');

function hashFiles(paths: readonly string[], extra: string): string {
  const h = createHash('sha256').update(extra);
  const visit = (abs: string): void => {
    const st = statSync(abs);
    if (st.isDirectory()) {
      for (const name of readdirSync(abs).sort()) if (!skipped(name)) visit(join(abs, name));
    } else {
      h.update(relative(repoRoot, abs)).update('\0').update(readFileSync(abs)).update('\0');
    }
  };
  for (const p of paths) visit(join(repoRoot, p));
  return h.digest('hex').slice(0, 16);
}

const hashText = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/** The image's ID, or undefined when podman has no image of that name. */
async function imageId(name: string): Promise<string | undefined> {
  try {
    return (await podman(['image', 'inspect', '--format', '{{.Id}}', name])).trim();
  } catch {
    return undefined;
  }
}

async function imageLabel(name: string, label: string): Promise<string> {
  return (await podman(['image', 'inspect', '--format', `{{index .Labels "${label}"}}`, name])).trim();
}

function say(line: string): void {
  console.log(`    [images] ${line}`);
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  say(`building ${what} ...`);
  const out = await work();
  say(`built ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

// ===== base images =====

/** Copy this machine's Node (binary, npm, corepack, headers) into `root`/usr/local and add user node. */
async function addNode(root: string): Promise<void> {
  const local = join(root, 'usr', 'local');
  mkdirSync(join(local, 'bin'), { recursive: true });
  mkdirSync(join(local, 'lib', 'node_modules'), { recursive: true });
  mkdirSync(join(local, 'include'), { recursive: true });
  cpSync(process.execPath, join(local, 'bin', 'node'));
  for (const mod of ['npm', 'corepack'])
    cpSync(join('/usr/lib/node_modules', mod), join(local, 'lib', 'node_modules', mod), { recursive: true });
  cpSync('/usr/include/node', join(local, 'include', 'node'), { recursive: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin', 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin', 'npx'));
  symlinkSync('../lib/node_modules/corepack/dist/corepack.js', join(local, 'bin', 'corepack'));
  await runWithPodmanEnv('chroot', [
    root,
    'sh',
    '-c',
    'groupadd -g 1000 node && useradd -m -u 1000 -g node -s /bin/bash node',
  ]);
}

async function importRootfs(root: string, name: string, inputs: string, cmd: string): Promise<void> {
  const changes = [`LABEL xbgpd.inputs=${inputs}`, `CMD ${JSON.stringify([cmd])}`];
  await runWithPodmanEnv(
    'sh',
    [
      '-c',
      `tar -C "$1" -c . | podman import ${changes.map((c) => `--change '${c}'`).join(' ')} - "$2" >/dev/null`,
      'sh',
      root,
      name,
    ],
    300_000,
  );
}

/** The two base images (see the top of this file); built together from one debootstrap run. */
async function ensureBaseImages(): Promise<void> {
  const inputs = hashText(baseRecipe, mirror, process.version);
  const current = async (name: string): Promise<boolean> =>
    (await imageId(name)) !== undefined && [inputs, ''].includes(await imageLabel(name, 'xbgpd.inputs'));
  if ((await current(debianBase)) && (await current(nodeBase))) {
    say(`reusing ${debianBase} and ${nodeBase}`);
    return;
  }
  if (!haveTool('debootstrap')) throw new Error('debootstrap is not installed (test/run-all.sh installs it)');
  await timed(`${debianBase} and ${nodeBase} (debootstrap ${mirror})`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'xbgpd-rootfs-'));
    try {
      await runWithPodmanEnv('debootstrap', ['--variant=minbase', 'bookworm', root, mirror], 900_000);
      for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists'])
        for (const f of readdirSync(join(root, dir)))
          if (f !== 'partial' && f !== 'lock') rmSync(join(root, dir, f), { recursive: true, force: true });
      await importRootfs(root, debianBase, inputs, 'bash');
      await addNode(root);
      await importRootfs(root, nodeBase, inputs, 'node');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

// ===== built images =====

async function ensureBuilt(
  repository: string,
  inputs: string,
  what: string,
  buildArgs: readonly string[],
): Promise<string> {
  const tag = `${repository}:${inputs}`;
  if ((await imageId(tag)) !== undefined) {
    say(`reusing ${tag}`);
    return tag;
  }
  await timed(`${tag} (${what})`, () =>
    podman(
      [
        'build',
        '--format',
        'docker',
        '--force-rm',
        '--quiet',
        '--label',
        `xbgpd.inputs=${inputs}`,
        '-t',
        tag,
        ...buildArgs,
      ],
      1_800_000,
    ),
  );
  return tag;
}

/** localhost/xbgpd-peers:HASH (container/peers.Containerfile), built if missing. */
export async function ensurePeersImage(): Promise<string> {
  await ensureBaseImages();
  const file = join(repoRoot, 'container', 'peers.Containerfile');
  const inputs = hashText(buildRecipe, readFileSync(file, 'utf8'), (await imageId(debianBase)) ?? '');
  return ensureBuilt('localhost/xbgpd-peers', inputs, 'container/peers.Containerfile', [
    '-f',
    file,
    join(repoRoot, 'container'),
  ]);
}

/** localhost/xbgpd:HASH (the repository's Containerfile), built if missing. */
export async function ensureXbgpdImage(): Promise<string> {
  await ensureBaseImages();
  const inputs = hashFiles(xbgpdImageInputs, buildRecipe + ((await imageId(nodeBase)) ?? ''));
  // Where TLS is intercepted (this machine's Node trusts an extra CA), npm in the build needs it too.
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  const caArgs = ca
    ? ['-v', `${ca}:/run/xbgpd-build-ca.crt:ro`, '--build-arg', 'NODE_EXTRA_CA_CERTS=/run/xbgpd-build-ca.crt']
    : [];
  return ensureBuilt('localhost/xbgpd', inputs, 'Containerfile', [
    ...caArgs,
    '-f',
    join(repoRoot, 'Containerfile'),
    repoRoot,
  ]);
}

const pending = new Map<'peers' | 'xbgpd', Promise<string>>();

/** The tag of one of the images the lab and the topology run (found or built once per process). */
export function ensureImage(kind: 'peers' | 'xbgpd'): Promise<string> {
  let p = pending.get(kind);
  if (!p) {
    p = kind === 'peers' ? ensurePeersImage() : ensureXbgpdImage();
    pending.set(kind, p);
  }
  return p;
}

/** Both images. */
export async function ensureImages(): Promise<{ peers: string; xbgpd: string }> {
  return { peers: await ensureImage('peers'), xbgpd: await ensureImage('xbgpd') };
}

// A small Compose runner on podman for the tests: brings up a compose.yaml (topology/compose.yaml)
// and takes it down. Debian 12's podman-compose (1.0.3) ignores `ipam` subnets and `ipv4_address`,
// which a BGP topology needs (the peers' configurations name addresses), so the tests drive the same
// file with this instead. It knows the keys the topology uses and refuses any other, so it never
// runs something other than what the file says: services {image, build {context, dockerfile},
// command, volumes (short syntax), environment, sysctls, cap_add, networks {NAME: {ipv4_address}}}
// and networks {NAME: {ipam: {config: [{subnet}]}}}.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  podman,
  podmanQuiet,
  trackContainer,
  trackNetwork,
  untrackContainer,
  untrackNetwork,
} from './podman.js';

interface Service {
  image: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string | number>;
  sysctls?: Record<string, string | number>;
  cap_add?: string[];
  networks?: Record<string, { ipv4_address?: string } | null>;
}

interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } } | null>;
}

const serviceKeys = ['image', 'build', 'command', 'volumes', 'environment', 'sysctls', 'cap_add', 'networks'];

/** Parse `file` and check it uses only what this runner implements. */
export function readCompose(file: string): ComposeFile {
  const doc = parse(readFileSync(file, 'utf8')) as ComposeFile;
  for (const [name, s] of Object.entries(doc.services)) {
    const unknown = Object.keys(s).filter((k) => !serviceKeys.includes(k));
    if (unknown.length > 0)
      throw new Error(`${file}: service ${name}: keys this runner does not implement: ${unknown.join(', ')}`);
    if (typeof s.image !== 'string') throw new Error(`${file}: service ${name} needs an image name`);
  }
  return doc;
}

/** A topology brought up from a compose file: its containers are `${project}-${service}`. */
export class ComposeProject {
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];

  constructor(
    readonly file: string,
    readonly project: string,
    readonly spec: ComposeFile = readCompose(file),
  ) {}

  container(service: string): string {
    return `${this.project}-${service}`;
  }

  /** Create the networks and start every service (detached); images must exist or have a build. */
  async up(): Promise<void> {
    const base = dirname(this.file);
    // Networks of earlier runs that died before their exit hook ran (in use ones are left alone).
    const stale = await podman(['network', 'ls', '--filter', 'label=xbgpd.compose', '--format', '{{.Name}}']);
    for (const n of stale.split('\n').filter(Boolean)) podmanQuiet(['network', 'rm', n]);
    for (const [name, net] of Object.entries(this.spec.networks ?? {})) {
      const args = ['network', 'create', '--label', `xbgpd.compose=${this.project}`];
      for (const c of net?.ipam?.config ?? []) if (c.subnet) args.push('--subnet', c.subnet);
      const netName = `${this.project}_${name}`;
      this.networks.push(netName);
      trackNetwork(netName);
      await podman([...args, netName]);
    }
    for (const [service, s] of Object.entries(this.spec.services)) {
      await this.ensureImage(base, s);
      const name = this.container(service);
      const args = ['run', '-d', '--name', name, '--label', `xbgpd.compose=${this.project}`];
      for (const [net, opts] of Object.entries(s.networks ?? {})) {
        args.push('--network', `${this.project}_${net}`);
        if (opts?.ipv4_address) args.push('--ip', opts.ipv4_address);
      }
      for (const v of s.volumes ?? []) {
        const [source = '', ...rest] = v.split(':');
        args.push('-v', [isAbsolute(source) ? source : resolve(base, source), ...rest].join(':'));
      }
      for (const [k, v] of Object.entries(s.environment ?? {})) args.push('-e', `${k}=${v}`);
      for (const [k, v] of Object.entries(s.sysctls ?? {})) args.push('--sysctl', `${k}=${v}`);
      for (const c of s.cap_add ?? []) args.push('--cap-add', c);
      args.push(s.image, ...(s.command ?? []));
      trackContainer(name);
      this.containers.push(name);
      await podman(args);
    }
  }

  private async ensureImage(base: string, s: Service): Promise<void> {
    const exists = await podman(['image', 'exists', s.image]).then(
      () => true,
      () => false,
    );
    if (exists) return;
    if (!s.build) throw new Error(`image ${s.image} is missing and its service has no build`);
    const context = resolve(base, s.build.context);
    await podman(
      ['build', '-t', s.image, '-f', resolve(context, s.build.dockerfile ?? 'Containerfile'), context],
      1_800_000,
    );
  }

  /** `podman exec` in a service's container. */
  exec(service: string, args: readonly string[], timeoutMs = 20_000): Promise<string> {
    return podman(['exec', this.container(service), ...args], timeoutMs);
  }

  /** A service's output so far (`podman logs`). */
  logs(service: string): Promise<string> {
    return podman(['logs', this.container(service)]).catch((err: Error) => err.message);
  }

  /** Remove the containers and networks this project created (also when up() failed half way). */
  async down(): Promise<void> {
    for (const c of this.containers.reverse()) {
      podmanQuiet(['rm', '-f', '-t', '2', c]);
      untrackContainer(c);
    }
    for (const n of this.networks) {
      podmanQuiet(['network', 'rm', '-f', n]);
      untrackNetwork(n);
    }
  }
}

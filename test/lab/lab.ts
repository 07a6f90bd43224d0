// The lab: network namespaces joined by veth links, each running one real BGP daemon (BIRD, FRR,
// GoBGP, ExaBGP) or xbgpd, with typed configuration and normalized state queries. One Lab per test
// suite; teardown() (and, as a safety net, the process 'exit' hook) stops every process it started
// by PID and deletes every namespace and temp file it created. See README.md for the API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BirdRouter } from './bird.js';
import { ExabgpRouter } from './exabgp.js';
import { FrrRouter, frrBgpd } from './frr.js';
import { GobgpRouter } from './gobgp.js';
import { createLink, createNamespace, deleteNamespace, listNamespaces } from './netns.js';
import type { Link } from './netns.js';
import { livingGroupMembers, trackDir, untrackDir } from './processes.js';
import type { DaemonRouter } from './router.js';
import type { RouterSpec } from './types.js';
import { XbgpdRouter } from './xbgpd.js';
import { requireRoot, requireTools } from '../helpers/env.js';
import { labBackend, requireContainers } from './containers.js';
import type { XbgpdConfig } from './xbgpd.js';

/** Executables the lab needs (for requireTools in test/helpers/env.ts). */
export const labTools = ['ip', 'bird', 'birdc', frrBgpd, 'vtysh', 'gobgpd', 'gobgp', 'exabgp'];

/**
 * A new Lab for a suite's before(): skips `ctx` (or fails under XBGPD_REQUIRE_ALL) unless running as
 * root with every lab tool installed; on the container backend (XBGPD_LAB_BACKEND=container,
 * containers.ts), with podman usable (else it skips with the reason).
 */
export function openLab(ctx: Mocha.Context): Lab {
  if (labBackend() === 'container') requireContainers(ctx);
  else {
    requireRoot(ctx);
    requireTools(ctx, ...labTools);
  }
  return Lab.create();
}

let labCount = 0;

export class Lab {
  /** Prefix of every namespace of this lab: xl<pid>-<n>-. */
  readonly prefix: string;
  /** Temp dir holding configs, sockets and logs (removed by teardown). */
  readonly dir: string;
  private readonly nodes = new Map<string, string>();
  private readonly links: Link[] = [];
  private readonly routers: DaemonRouter[] = [];
  private tornDown = false;

  private constructor() {
    labCount += 1;
    this.prefix = `xl${process.pid}-${labCount}-`;
    this.dir = mkdtempSync(join(tmpdir(), 'xbgpd-lab-'));
    trackDir(this.dir);
  }

  /** A new, empty lab. */
  static create(): Lab {
    return new Lab();
  }

  /** The namespace of node `name`, created on first use. */
  async node(name: string): Promise<string> {
    if (!/^[a-z0-9]{1,8}$/.test(name))
      throw new Error(`node names are 1-8 lower-case letters or digits: ${name}`);
    const existing = this.nodes.get(name);
    if (existing) return existing;
    const ns = this.prefix + name;
    this.nodes.set(name, ns);
    await createNamespace(ns);
    return ns;
  }

  /** Every namespace this lab created. */
  get namespaces(): string[] {
    return [...this.nodes.values()];
  }

  /** Join nodes `a` and `b` (created if needed) with a veth link; link.a is a's end, link.b is b's. */
  async link(a: string, b: string): Promise<Link> {
    const nsA = await this.node(a);
    const nsB = await this.node(b);
    const link = await createLink(this.links.length + 1, nsA, a, nsB, b);
    this.links.push(link);
    return link;
  }

  // ===== routers =====

  private async add<R extends DaemonRouter>(router: R): Promise<R> {
    this.routers.push(router);
    await router.start();
    return router;
  }

  private async place(name: string) {
    return { name, ns: await this.node(name), dir: this.dir };
  }

  /**
   * `spec` with every neighbour's missing localAddress filled in: the address of `name`'s end of the
   * link whose other end is that neighbour (ExaBGP needs it; the others bind to it).
   */
  private withLocalAddresses(name: string, spec: RouterSpec): RouterSpec {
    const ns = this.nodes.get(name);
    const neighbors = spec.neighbors.map((n) => {
      if (n.localAddress) return n;
      for (const link of this.links) {
        for (const [mine, theirs] of [
          [link.a, link.b],
          [link.b, link.a],
        ] as const) {
          if (mine.ns !== ns) continue;
          if (theirs.ipv4 === n.address) return { ...n, localAddress: mine.ipv4 };
          if (theirs.ipv6 === n.address) return { ...n, localAddress: mine.ipv6 };
        }
      }
      return n;
    });
    return { ...spec, neighbors };
  }

  /** Start BIRD 2 on node `name`. */
  async bird(name: string, spec: RouterSpec): Promise<BirdRouter> {
    const place = await this.place(name);
    return this.add(new BirdRouter(place, this.withLocalAddresses(name, spec)));
  }
  /** Start FRR bgpd on node `name`. */
  async frr(name: string, spec: RouterSpec): Promise<FrrRouter> {
    const place = await this.place(name);
    return this.add(new FrrRouter(place, this.withLocalAddresses(name, spec)));
  }
  /** Start GoBGP on node `name`. */
  async gobgp(name: string, spec: RouterSpec): Promise<GobgpRouter> {
    const place = await this.place(name);
    return this.add(new GobgpRouter(place, this.withLocalAddresses(name, spec)));
  }
  /** Start ExaBGP on node `name`. */
  async exabgp(name: string, spec: RouterSpec): Promise<ExabgpRouter> {
    const place = await this.place(name);
    return this.add(new ExabgpRouter(place, this.withLocalAddresses(name, spec)));
  }
  /** Start xbgpd on node `name` with `config` (written as its YAML config file). */
  async xbgpd(name: string, config: XbgpdConfig): Promise<XbgpdRouter> {
    return this.add(new XbgpdRouter(await this.place(name), config));
  }

  /** Every PID any router of this lab ran as. */
  get pids(): number[] {
    return this.routers.flatMap((r) => r.pids);
  }

  // ===== teardown =====

  /** Stop every router (SIGTERM, then SIGKILL), delete the namespaces and the temp dir. Idempotent. */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    const failures: unknown[] = [];
    await Promise.all(this.routers.map((r) => r.stop().catch((err: unknown) => failures.push(err))));
    // Delete every namespace even if one fails; the exit hook retries what is left.
    for (const ns of this.nodes.values())
      await deleteNamespace(ns).catch((err: unknown) => failures.push(err));
    if (process.env.XBGPD_LAB_KEEP === '1') console.log(`    [lab] kept ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
    untrackDir(this.dir);
    if (failures.length > 0) throw failures[0];
  }

  /** What this lab left behind: namespaces still listed and processes still running in its groups. */
  async leftovers(): Promise<{ namespaces: string[]; processes: number[] }> {
    const namespaces = (await listNamespaces()).filter((ns) => ns.startsWith(this.prefix));
    const processes = this.pids.flatMap((pid) => livingGroupMembers(pid));
    return { namespaces, processes };
  }
}

// Network namespaces and the veth links between them. Addresses exist only inside namespaces the lab
// created; the root namespace is never touched. Each link gets an IPv4 /31 (10.<n/256>.<n%256>.0-1)
// and an IPv6 /64 (fd00:<n>::1-2, DAD disabled so it is usable at once).
import { run, runIn } from './exec.js';
import { trackNamespace, untrackNamespace } from './processes.js';

/** One end of a link: the interface inside a namespace and its addresses. */
export interface LinkEnd {
  ns: string;
  ifname: string;
  ipv4: string;
  ipv6: string;
}

/** A point-to-point veth link; `a` and `b` are in the order given to createLink. */
export interface Link {
  index: number;
  a: LinkEnd;
  b: LinkEnd;
}

/** Create namespace `ns` with its loopback up. */
export async function createNamespace(ns: string): Promise<void> {
  trackNamespace(ns);
  await run('ip', ['netns', 'add', ns]);
  // Interfaces created here get no IPv6 link-local address (addr_gen_mode 1) and no duplicate address
  // detection. FRR bgpd runs without zebra, so it knows no interfaces and treats an UPDATE whose
  // MP_REACH next hop carries a link-local address (BIRD adds one on direct sessions) as withdrawn.
  await runIn(ns, 'sysctl', [
    '-qw',
    'net.ipv6.conf.default.addr_gen_mode=1',
    'net.ipv6.conf.default.accept_dad=0',
    'net.ipv6.conf.all.accept_dad=0',
  ]);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** Delete namespace `ns` (its interfaces go with it). */
export async function deleteNamespace(ns: string): Promise<void> {
  try {
    await run('ip', ['netns', 'del', ns]);
  } catch (err) {
    if (!(await listNamespaces()).includes(ns)) return;
    throw err;
  }
  untrackNamespace(ns);
}

/** Names of all namespaces on the host (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

/** Link number `index` (1..65535) between two namespaces, addressed per the plan above. */
export async function createLink(
  index: number,
  nsA: string,
  nameA: string,
  nsB: string,
  nameB: string,
): Promise<Link> {
  if (index < 1 || index > 0xffff) throw new RangeError(`link index out of range: ${index}`);
  const hi = index >> 8;
  const lo = index & 0xff;
  // Interface names are at most 15 bytes and only need to be unique inside their namespace.
  const a: LinkEnd = {
    ns: nsA,
    ifname: `l${index}-${nameB}`.slice(0, 15),
    ipv4: `10.${hi}.${lo}.0`,
    ipv6: `fd00:${index.toString(16)}::1`,
  };
  const b: LinkEnd = {
    ns: nsB,
    ifname: `l${index}-${nameA}`.slice(0, 15),
    ipv4: `10.${hi}.${lo}.1`,
    ipv6: `fd00:${index.toString(16)}::2`,
  };
  await run('ip', [
    'link',
    'add',
    a.ifname,
    'netns',
    a.ns,
    'type',
    'veth',
    'peer',
    'name',
    b.ifname,
    'netns',
    b.ns,
  ]);
  for (const end of [a, b]) {
    await run('ip', ['-n', end.ns, 'addr', 'add', `${end.ipv4}/31`, 'dev', end.ifname]);
    await run('ip', ['-n', end.ns, 'addr', 'add', `${end.ipv6}/64`, 'dev', end.ifname, 'nodad']);
    await run('ip', ['-n', end.ns, 'link', 'set', end.ifname, 'up']);
  }
  return { index, a, b };
}

/** Every IPv4 and IPv6 address configured inside `ns`. */
export async function addressesOf(ns: string): Promise<string[]> {
  const out = await runIn(ns, 'ip', ['-o', 'addr', 'show']);
  const found: string[] = [];
  for (const line of out.split('\n')) {
    const m = /\binet6? ([0-9a-f.:]+)\//.exec(line);
    if (m?.[1]) found.push(m[1]);
  }
  return found;
}

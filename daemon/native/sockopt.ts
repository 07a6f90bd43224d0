// Typed access to the native socket-option addon (daemon/native/sockopt.c, built by node-gyp from
// binding.gyp into build/Release/sockopt.node during `npm ci`): the IP TTL / IPv6 hop limit a socket
// sends with, and the minimum TTL it accepts (GTSM, RFC 5082), which Node.js has no API for.
//
// File descriptors: Node exposes a TCP socket's descriptor only through the undocumented
// `socket._handle.fd` (a libuv TCPWrap; Linux/macOS, -1 before the socket exists). `socketFd` reads it
// defensively; callers treat "no descriptor" like "no addon".
//
// Nothing here throws: when the addon is missing (the build failed or was skipped, or the environment
// has XBGPD_NATIVE=off) `sockoptAvailable`
// is false, `sockoptLoadError` says why, and every call returns -ENOSYS.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants } from 'node:os';
import type { Server, Socket } from 'node:net';

/** Address family of the socket: 4 for AF_INET, 6 for AF_INET6 (IPv4-mapped peers included). */
export type IpFamily = 4 | 6;

interface SockoptAddon {
  setTtl(fd: number, family: number, ttl: number): number;
  setMinTtl(fd: number, family: number, minTtl: number): number;
  getTtl(fd: number, family: number): number;
  getMinTtl(fd: number, family: number): number;
}

/** -ENOSYS: what every call returns without the addon. */
export const ENOSYS = -38;

const ADDON_FILE = join('build', 'Release', 'sockopt.node');

/** The package root: the nearest directory above this file holding binding.gyp (works from
 *  daemon/native under tsx and from dist/daemon/native). */
function findAddon(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp'))) {
      const file = join(dir, ADDON_FILE);
      return existsSync(file) ? file : undefined;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function load(): { addon?: SockoptAddon; error?: string } {
  // Run without TTL control, as after a failed build (tests of that path; a way out if the addon misbehaves).
  if (process.env.XBGPD_NATIVE === 'off') return { error: 'disabled by XBGPD_NATIVE=off' };
  const file = findAddon();
  if (!file) return { error: `native addon not built (${ADDON_FILE} not found; run \`npm ci\`)` };
  try {
    return { addon: createRequire(import.meta.url)(file) as SockoptAddon };
  } catch (err) {
    return {
      error: `native addon ${file} failed to load: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

const loaded = load();
const addon = loaded.addon;

/** Whether TTL control works in this process. */
export const sockoptAvailable: boolean = addon !== undefined;
/** Why the addon is unavailable (undefined when it loaded). */
export const sockoptLoadError: string | undefined = loaded.error;

/** The descriptor of a socket or listening server from Node's internal `_handle.fd` (the libuv TCP
 *  handle), or -1 when unknown (not yet connected, closed, or a Node without that field). */
export function socketFd(socket: Socket | Server): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) ? fd : -1;
}

/** Set the TTL (IPv4 IP_TTL) or hop limit (IPv6 IPV6_UNICAST_HOPS) of packets sent on `fd`, 1..255.
 *  On an IPv6 socket IP_TTL is set as well, for IPv4-mapped peers. Returns 0 or -errno. */
export function setTtl(fd: number, family: IpFamily, ttl: number): number {
  return addon ? addon.setTtl(fd, family, ttl) : ENOSYS;
}

/** Drop received packets whose TTL (IP_MINTTL) or hop limit (IPV6_MINHOPCOUNT) is below `minTtl`,
 *  1..255. On an IPv6 socket IP_MINTTL is set as well. Returns 0 or -errno. */
export function setMinTtl(fd: number, family: IpFamily, minTtl: number): number {
  return addon ? addon.setMinTtl(fd, family, minTtl) : ENOSYS;
}

/** The TTL / hop limit packets on `fd` are sent with, or -errno. */
export function getTtl(fd: number, family: IpFamily): number {
  return addon ? addon.getTtl(fd, family) : ENOSYS;
}

/** The minimum TTL / hop limit accepted on `fd` (0 = no minimum), or -errno. */
export function getMinTtl(fd: number, family: IpFamily): number {
  return addon ? addon.getMinTtl(fd, family) : ENOSYS;
}

/** A negative result as an errno name ("EINVAL"), for log lines. */
export function errnoName(result: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === -result) return name;
  return `errno ${-result}`;
}

// Unit tests of the native socket-option addon through its TS wrapper (daemon/native/sockopt.ts): each
// setter is read back with getsockopt on real TCP sockets (IPv4, IPv6, IPv4-mapped on a dual-stack
// socket), bad arguments give -errno instead of throwing, and without the addon (XBGPD_NATIVE=off in a
// child process) every call returns -ENOSYS and a session still comes up.
import { expect } from 'chai';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { constants } from 'node:os';
import { join } from 'node:path';
import { closeSync, openSync } from 'node:fs';
import {
  ENOSYS,
  errnoName,
  getMinTtl,
  getTtl,
  setMinTtl,
  setTtl,
  socketFd,
  sockoptAvailable,
  sockoptLoadError,
  type IpFamily,
} from '../../daemon/native/sockopt.js';
import { repoRoot, requireAll } from '../helpers/env.js';

const { EINVAL, EBADF, ENOTSOCK } = constants.errno;

/** Skip (or fail under XBGPD_REQUIRE_ALL) when the addon was not built. */
function requireAddon(ctx: Mocha.Context): void {
  if (sockoptAvailable) return;
  if (requireAll) throw new Error(`native addon missing: ${sockoptLoadError}`);
  console.log(`    [skip] ${sockoptLoadError}`);
  ctx.skip();
}

/** A connected client/server socket pair over `address`; closed by `close()`. */
async function connectedPair(
  listenAddress: string,
  connectAddress: string,
): Promise<{ client: net.Socket; server: net.Socket; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen({ host: listenAddress, port: 0 }, resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const client = net.connect({ host: connectAddress, port });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const server = await accepted;
  return {
    client,
    server,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

describe('native: sockopt addon', function () {
  const pairs: { close: () => void }[] = [];
  afterEach(function () {
    for (const p of pairs.splice(0)) p.close();
  });

  async function pair(listenAddress: string, connectAddress: string) {
    const p = await connectedPair(listenAddress, connectAddress);
    pairs.push(p);
    return p;
  }

  const cases: { label: string; listen: string; connect: string; family: IpFamily }[] = [
    { label: 'IPv4', listen: '127.0.0.1', connect: '127.0.0.1', family: 4 },
    { label: 'IPv6', listen: '::1', connect: '::1', family: 6 },
  ];
  for (const c of cases) {
    it(`${c.label}: setTtl and setMinTtl read back through getsockopt on both ends`, async function () {
      requireAddon(this);
      const { client, server } = await pair(c.listen, c.connect);
      for (const socket of [client, server]) {
        const fd = socketFd(socket);
        expect(fd).to.be.greaterThanOrEqual(0);
        expect(getTtl(fd, c.family), 'system default before').to.equal(64);
        expect(getMinTtl(fd, c.family), 'no minimum before').to.equal(0);
        for (const ttl of [1, 2, 254, 255]) {
          expect(setTtl(fd, c.family, ttl)).to.equal(0);
          expect(getTtl(fd, c.family)).to.equal(ttl);
        }
        expect(setMinTtl(fd, c.family, 254)).to.equal(0);
        expect(getMinTtl(fd, c.family)).to.equal(254);
      }
    });
  }

  it('IPv4-mapped peer on a dual-stack socket: family 6 sets the IPv4 options too', async function () {
    requireAddon(this);
    const { server } = await pair('::', '127.0.0.1');
    expect(server.remoteAddress).to.equal('::ffff:127.0.0.1');
    const fd = socketFd(server);
    expect(setTtl(fd, 6, 1)).to.equal(0);
    expect(setMinTtl(fd, 6, 250)).to.equal(0);
    expect(getTtl(fd, 6), 'IPV6_UNICAST_HOPS').to.equal(1);
    expect(getTtl(fd, 4), 'IP_TTL (used for the IPv4 packets)').to.equal(1);
    expect(getMinTtl(fd, 6), 'IPV6_MINHOPCOUNT').to.equal(250);
    expect(getMinTtl(fd, 4), 'IP_MINTTL').to.equal(250);
  });

  it('the descriptor is -1 before the socket exists and after it is destroyed', async function () {
    const socket = new net.Socket();
    expect(socketFd(socket)).to.equal(-1);
    const { client } = await pair('127.0.0.1', '127.0.0.1');
    expect(socketFd(client)).to.be.greaterThanOrEqual(0);
    client.destroy();
    expect(socketFd(client)).to.equal(-1);
  });

  it('bad arguments return -errno and never throw', async function () {
    requireAddon(this);
    const { client } = await pair('127.0.0.1', '127.0.0.1');
    const fd = socketFd(client);
    expect(setTtl(fd, 4, 0), 'TTL 0').to.equal(-EINVAL!);
    expect(setTtl(fd, 4, 256), 'TTL 256').to.equal(-EINVAL!);
    expect(setMinTtl(fd, 4, -1), 'min TTL -1').to.equal(-EINVAL!);
    expect(setTtl(fd, 5 as IpFamily, 1), 'family 5').to.equal(-EINVAL!);
    expect(getTtl(-1, 4), 'fd -1').to.equal(-EINVAL!);
    expect(setTtl(1_000_000, 4, 1), 'closed fd').to.equal(-EBADF!);
    expect(errnoName(setTtl(1_000_000, 4, 1))).to.equal('EBADF');
    const notASocket = openSync('/dev/null', 'r');
    try {
      expect(setTtl(notASocket, 4, 1), 'not a socket').to.equal(-ENOTSOCK!);
    } finally {
      closeSync(notASocket);
    }
    expect(
      setTtl('x' as unknown as number, 4, 1),
      'a string descriptor reaches the addon and is refused there',
    ).to.equal(-EINVAL!);
    expect(getTtl(fd, 4), 'the socket is untouched').to.equal(64);
  });

  it('without the addon every call returns -ENOSYS and a direct eBGP session still comes up (one warning)', async function () {
    const script = join(repoRoot, 'test', 'native', 'fixtures', 'no-addon.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      env: { ...process.env, XBGPD_NATIVE: 'off' },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result).to.deep.equal({
      available: false,
      loadError: 'disabled by XBGPD_NATIVE=off',
      calls: [ENOSYS, ENOSYS, ENOSYS, ENOSYS],
      states: ['Established', 'Established'],
      warnings: [{ code: 'ERR_BGP_TTL_UNAVAILABLE', ttl: 1 }],
    });
  });
});

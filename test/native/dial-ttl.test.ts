// `dial` with `DialOptions.ttl` (daemon/session/transport.ts) sets the TTL before the SYN leaves: a
// listener that requires TTL 255 (IP_MINTTL on the listening socket, as a GTSM peer's may) accepts
// such a connection, while the same dial without `ttl` has its SYN dropped by the kernel (the
// TCPMinTTLDrop counter rises and no connection is made). Bind errors of the early path are reported
// through `failed`, asynchronously.
import { expect } from 'chai';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import {
  setMinTtl,
  setTtl,
  socketFd,
  sockoptAvailable,
  sockoptLoadError,
} from '../../daemon/native/sockopt.js';
import { dial, type DialHandle, type DialOptions, type Transport } from '../../daemon/session/transport.js';
import { waitFor } from '../session/helpers.js';
import { requireAll } from '../helpers/env.js';

function requireAddon(ctx: Mocha.Context): void {
  if (sockoptAvailable) return;
  if (requireAll) throw new Error(`native addon missing: ${sockoptLoadError}`);
  console.log(`    [skip] ${sockoptLoadError}`);
  ctx.skip();
}

function minTtlDrops(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('TcpExt:'));
  const i = lines[0]!.split(/\s+/).indexOf('TCPMinTTLDrop');
  return i < 0 ? -1 : Number(lines[1]!.split(/\s+/)[i]);
}

/** A listener on `address` that drops segments with a TTL (hop limit) below 255 and sends with 255. */
async function gtsmListener(
  address: string,
): Promise<{ server: net.Server; port: number; accepted: net.Socket[] }> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server.listen({ host: address, port: 0 }, resolve));
  const family = net.isIPv6(address) ? 6 : 4;
  expect(setMinTtl(socketFd(server), family, 255)).to.equal(0);
  expect(setTtl(socketFd(server), family, 255), 'SYN-ACKs with 255, as a GTSM peer sends').to.equal(0);
  return { server, port: (server.address() as net.AddressInfo).port, accepted };
}

type Outcome = { transport?: Transport; reason?: string };

function dialed(options: DialOptions): { outcome: Outcome; handle: DialHandle } {
  const outcome: Outcome = {};
  const handle = dial(
    options,
    (t) => (outcome.transport = t),
    (reason) => (outcome.reason = reason),
  );
  return { outcome, handle };
}

describe('native: dial sets the TTL before the SYN', function () {
  const cleanup: (() => void)[] = [];
  afterEach(function () {
    for (const f of cleanup.splice(0)) f();
  });

  for (const [label, listenAddress, localAddress] of [
    ['IPv4, bound to 127.0.0.3', '127.0.0.1', '127.0.0.3'],
    ['IPv4, no local address', '127.0.0.1', undefined],
    ['IPv6', '::1', undefined],
  ] as const) {
    it(`${label}: a TTL-255-only listener accepts the connection`, async function () {
      requireAddon(this);
      const { server, port, accepted } = await gtsmListener(listenAddress);
      cleanup.push(() => server.close());
      const options: DialOptions = { host: listenAddress, port, ttl: { ttl: 255, minTtl: 255 } };
      if (localAddress) options.localAddress = localAddress;
      const { outcome, handle } = dialed(options);
      cleanup.push(() => handle.abort());
      await waitFor('connected', () => outcome.transport !== undefined || outcome.reason !== undefined);
      expect(outcome.reason).to.equal(undefined);
      expect(outcome.transport!.readTtl()).to.deep.equal({ ttl: 255, minTtl: 255 });
      if (localAddress) expect(outcome.transport!.localAddress).to.equal(localAddress);
      await waitFor('accepted', () => accepted.length === 1);
      cleanup.push(() => accepted[0]!.destroy());
    });
  }

  it('without `ttl` the SYN (system default TTL) is dropped by that listener', async function () {
    requireAddon(this);
    const dropsBefore = minTtlDrops();
    if (dropsBefore < 0) this.skip(); // kernels before 5.16 have no TCPMinTTLDrop counter
    const { server, port, accepted } = await gtsmListener('127.0.0.1');
    cleanup.push(() => server.close());
    const { outcome, handle } = dialed({ host: '127.0.0.1', port });
    cleanup.push(() => handle.abort());
    await waitFor('the SYN dropped', () => minTtlDrops() > dropsBefore);
    expect(outcome).to.deep.equal({});
    expect(accepted).to.have.length(0);
  });

  it('a local address that cannot be bound fails asynchronously with the errno name', async function () {
    requireAddon(this);
    const { outcome } = dialed({
      host: '127.0.0.1',
      port: 9,
      localAddress: '192.0.2.1',
      ttl: { ttl: 1 },
    });
    expect(outcome, 'not called synchronously').to.deep.equal({});
    await waitFor('failed', () => outcome.reason !== undefined);
    expect(outcome.reason).to.equal('bind 192.0.2.1: EADDRNOTAVAIL');
  });
});

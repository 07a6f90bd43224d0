// In-process sessions between two Speakers on 127.0.0.x / ::1 with the TTL policy applied by the native
// addon: the TTL of each Established connection's socket, read back with getsockopt, is 1 for direct
// eBGP, N with `multihop: N`, 255 for iBGP and with `ttl-security` (plus its minimum);
// and a GTSM speaker drops a peer that sends with TTL 1 (the kernel's TCPMinTTLDrop counter rises and
// the session never reaches Established on the GTSM side).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { sockoptAvailable, sockoptLoadError } from '../../daemon/native/sockopt.js';
import { ttlSettingsFor } from '../../daemon/session/transport.js';
import type { Session } from '../../daemon/session/session.js';
import { startSpeaker, waitFor, type TestSpeaker } from '../session/helpers.js';
import { requireAll } from '../helpers/env.js';

function requireAddon(ctx: Mocha.Context): void {
  if (sockoptAvailable) return;
  if (requireAll) throw new Error(`native addon missing: ${sockoptLoadError}`);
  console.log(`    [skip] ${sockoptLoadError}`);
  ctx.skip();
}

const running: TestSpeaker[] = [];
afterEach(async function () {
  await Promise.all(running.splice(0).map((s) => s.speaker.shutdown()));
});

interface PairOptions {
  asnA: number;
  asnB: number;
  /** Extra YAML flow-mapping entries for each side's peer ("multihop: 3, ttl-security: true"). */
  peerA?: string;
  peerB?: string;
  ipv6?: boolean;
}

/** A listens passively on 127.0.0.1 (or ::1); B dials it from 127.0.0.2 (or ::1). */
async function pair(o: PairOptions): Promise<{ a: TestSpeaker; b: TestSpeaker; sa: Session; sb: Session }> {
  const [addressA, addressB] = o.ipv6 ? ['::1', '::1'] : ['127.0.0.1', '127.0.0.2'];
  const a = await startSpeaker(`
router-id: 10.0.0.1
asn: ${o.asnA}
listen: { address: "${addressA}", port: 0 }
peers: [{ name: b, address: "${addressB}", asn: ${o.asnB}, passive: true${o.peerA ? `, ${o.peerA}` : ''} }]
`);
  running.push(a);
  const b = await startSpeaker(`
router-id: 10.0.0.2
asn: ${o.asnB}
peers:
  - { name: a, address: "${addressA}", port: ${a.speaker.listening()[0]!.port}, local-address: "${addressB}", asn: ${o.asnA}${o.peerB ? `, ${o.peerB}` : ''} }
`);
  running.push(b);
  return { a, b, sa: a.speaker.session('b')!, sb: b.speaker.session('a')! };
}

/** The Established connection's socket TTL settings and direction. */
function socketTtl(s: Session): { direction: string | undefined; ttl: number; minTtl: number } {
  const conn = s.establishedConnection!;
  const read = conn.transport!.readTtl();
  expect(read, 'readTtl').to.not.equal(undefined);
  return { direction: conn.direction, ...read! };
}

async function established(sa: Session, sb: Session): Promise<void> {
  await waitFor('both Established', () => sa.state === 'Established' && sb.state === 'Established');
}

/** The kernel's count of segments dropped for a TTL below IP_MINTTL / IPV6_MINHOPCOUNT. */
function minTtlDrops(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const names = lines.find((l) => l.startsWith('TcpExt:'))!.split(/\s+/);
  const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]!.split(/\s+/);
  const i = names.indexOf('TCPMinTTLDrop');
  return i < 0 ? -1 : Number(values[i]);
}

describe('native: TTL policy (ttlSettingsFor)', function () {
  const local = 65001;
  const rows: [string, Parameters<typeof ttlSettingsFor>[0], ReturnType<typeof ttlSettingsFor>][] = [
    ['direct eBGP', { asn: 65002, ttlSecurity: false }, { ttl: 1 }],
    ['eBGP multihop 4', { asn: 65002, multihop: 4, ttlSecurity: false }, { ttl: 4 }],
    ['iBGP', { asn: local, ttlSecurity: false }, { ttl: 255 }],
    ['iBGP with multihop 2', { asn: local, multihop: 2, ttlSecurity: false }, { ttl: 2 }],
    ['GTSM, direct', { asn: 65002, ttlSecurity: true }, { ttl: 255, minTtl: 255 }],
    ['GTSM, 3 hops', { asn: 65002, multihop: 3, ttlSecurity: true }, { ttl: 255, minTtl: 253 }],
    ['GTSM, iBGP', { asn: local, ttlSecurity: true }, { ttl: 255, minTtl: 255 }],
  ];
  for (const [label, peer, expected] of rows) {
    it(label, function () {
      expect(ttlSettingsFor(peer, local)).to.deep.equal(expected);
    });
  }
});

describe('native: session socket TTL', function () {
  it('direct eBGP: TTL 1 on the dialled and the accepted connection', async function () {
    requireAddon(this);
    const { sa, sb } = await pair({ asnA: 65001, asnB: 4200000002 });
    await established(sa, sb);
    expect(socketTtl(sa)).to.deep.equal({ direction: 'in', ttl: 1, minTtl: 0 });
    expect(socketTtl(sb)).to.deep.equal({ direction: 'out', ttl: 1, minTtl: 0 });
  });

  it('direct eBGP over IPv6 (::1): hop limit 1', async function () {
    requireAddon(this);
    const { sa, sb } = await pair({ asnA: 65001, asnB: 65002, ipv6: true });
    await established(sa, sb);
    expect(socketTtl(sa).ttl).to.equal(1);
    expect(socketTtl(sb).ttl).to.equal(1);
  });

  it('eBGP multihop 3: TTL 3 on both sides', async function () {
    requireAddon(this);
    const { sa, sb } = await pair({ asnA: 65001, asnB: 65002, peerA: 'multihop: 3', peerB: 'multihop: 3' });
    await established(sa, sb);
    expect(socketTtl(sa)).to.deep.equal({ direction: 'in', ttl: 3, minTtl: 0 });
    expect(socketTtl(sb)).to.deep.equal({ direction: 'out', ttl: 3, minTtl: 0 });
  });

  it('iBGP: TTL 255 on the dialled and the accepted connection', async function () {
    requireAddon(this);
    const { sa, sb } = await pair({ asnA: 65001, asnB: 65001 });
    await established(sa, sb);
    expect(socketTtl(sa)).to.deep.equal({ direction: 'in', ttl: 255, minTtl: 0 });
    expect(socketTtl(sb)).to.deep.equal({ direction: 'out', ttl: 255, minTtl: 0 });
  });

  it('ttl-security on both sides: TTL 255, minimum 255 (254 with multihop 2), session up', async function () {
    requireAddon(this);
    const { sa, sb } = await pair({
      asnA: 65001,
      asnB: 65002,
      peerA: 'ttl-security: true',
      peerB: 'ttl-security: true, multihop: 2',
    });
    await established(sa, sb);
    expect(socketTtl(sa)).to.deep.equal({ direction: 'in', ttl: 255, minTtl: 255 });
    expect(socketTtl(sb)).to.deep.equal({ direction: 'out', ttl: 255, minTtl: 254 });
  });

  it('ttl-security drops a direct eBGP peer sending with TTL 1: never Established on the GTSM side', async function () {
    requireAddon(this);
    const dropsBefore = minTtlDrops();
    if (dropsBefore < 0) this.skip(); // kernels before 5.16 have no TCPMinTTLDrop counter
    const { a, sa } = await pair({ asnA: 65001, asnB: 65002, peerA: 'ttl-security: true' });
    // B's KEEPALIVE answers A's OPEN, which A sends only after setting IP_MINTTL: it is always dropped.
    await waitFor('segments dropped by IP_MINTTL', () => minTtlDrops() > dropsBefore, 10_000);
    expect(sa.state).to.not.equal('Established');
    expect(a.lines('session established')).to.have.length(0);
  });
});

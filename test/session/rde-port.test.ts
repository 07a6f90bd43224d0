// A Session driven against a recording fake RdePort: no Rde, no network (an in-memory socket) and a fake
// clock. Shows what crosses the port: peerUp with the negotiated parameters, each UPDATE in, a
// ROUTE-REFRESH, a policy-only reload, the UPDATEs the port offers going out on kick, peerDown on close.
import { expect } from 'chai';
import type net from 'node:net';
import { parseConfig } from '../../daemon/config/load.js';
import { createLogger } from '../../daemon/log.js';
import { FakeClock } from '../../daemon/clock.js';
import { Session } from '../../daemon/session/session.js';
import { Transport } from '../../daemon/session/transport.js';
import { summarizeUpdate } from '../../daemon/session/received.js';
import type { PeerSessionInfo, PeerSink, PeerSpec, RdePort } from '../../daemon/session/rde-port.js';
import type { Family, PeerConfig } from '../../daemon/config/types.js';
import {
  buildNlri,
  encodeMessage,
  makeAsPath,
  makeEndOfRib,
  makeNextHop,
  makeOrigin,
  makeRouteRefresh,
  makeRouteRefreshCapability,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { KEEPALIVE, MemorySocket, openMessage, waitFor } from './helpers.js';

type Call =
  | { call: 'peerUp'; name: string; info: PeerSessionInfo }
  | { call: 'receive'; name: string; announced: string[]; asn4: boolean; treatAsWithdraw: boolean }
  | { call: 'routeRefresh'; name: string; family: Family }
  | { call: 'updatePeerPolicy'; name: string; exportPolicy: PeerSpec['exportPolicy'] }
  | { call: 'disableFamily'; name: string; family: Family }
  | { call: 'peerDown'; name: string }
  | { call: 'pull'; name: string };

/** Records every call; `outbox` is what `pull` hands out. */
class RecordingPort implements RdePort {
  readonly calls: Call[] = [];
  readonly outbox: UpdateMessage[] = [];
  sink: PeerSink | undefined;
  busy = false;
  private routes = 0;

  peerUp(spec: PeerSpec, info: PeerSessionInfo, sink: PeerSink): void {
    this.calls.push({ call: 'peerUp', name: spec.name, info });
    this.sink = sink;
  }
  receive(name: string, update: UpdateMessage, asn4: boolean, treatAsWithdraw: boolean): void {
    const { announced } = summarizeUpdate(update, treatAsWithdraw);
    this.routes += announced.length;
    this.calls.push({ call: 'receive', name, announced, asn4, treatAsWithdraw });
  }
  disableFamily(name: string, family: Family): void {
    this.calls.push({ call: 'disableFamily', name, family });
  }
  routeRefresh(name: string, family: Family): void {
    this.calls.push({ call: 'routeRefresh', name, family });
  }
  updatePeerPolicy(spec: PeerSpec): void {
    this.calls.push({ call: 'updatePeerPolicy', name: spec.name, exportPolicy: spec.exportPolicy });
  }
  peerDown(name: string): void {
    this.calls.push({ call: 'peerDown', name });
    this.routes = 0;
  }
  *pull(name: string): Generator<UpdateMessage, void, undefined> {
    this.calls.push({ call: 'pull', name });
    while (this.outbox.length > 0) yield this.outbox.shift()!;
  }
  hasPending(): boolean {
    return this.outbox.length > 0;
  }
  adjRibInCount(): number {
    return this.routes;
  }
  adjRibIn(): Record<string, never[]> {
    return {};
  }
}

function peerFromYaml(yaml: string): PeerConfig {
  const parsed = parseConfig(yaml);
  if (!parsed.ok) throw new Error(`bad test config: ${JSON.stringify(parsed.issues)}`);
  return parsed.config.peers[0]!;
}

const CONFIG = `
router-id: 10.0.0.1
asn: 65001
peers: [{ name: p, address: 127.0.0.20, asn: 65020, passive: true }]
`;

describe('session: the RDE port', function () {
  it('tells a fake port peer up, each UPDATE, a family disable, a refresh, a policy change and peer down; sends what it pulls', async function () {
    const port = new RecordingPort();
    const peer = peerFromYaml(CONFIG);
    const session = new Session({
      peer,
      local: { routerId: '10.0.0.1', routerIdNumber: 0x0a000001, asn: 65001 },
      clock: new FakeClock(),
      log: createLogger({ level: 'silent' }),
      rde: port,
    });
    session.start();
    const socket = new MemorySocket('127.0.0.20');
    session.acceptIncoming(new Transport(socket as unknown as net.Socket, 'in'));
    const open = openMessage({ asn: 65020, bgpId: '10.0.0.20', extra: [makeRouteRefreshCapability()] });
    socket.push(encodeMessage(open));
    socket.push(encodeMessage(KEEPALIVE));
    await waitFor('Established', () => session.state === 'Established');

    // peerUp with what was negotiated: eBGP, 4-octet AS, IPv4 unicast, the session's own address as next hop.
    expect(port.calls).to.deep.equal([
      {
        call: 'peerUp',
        name: 'p',
        info: {
          routerId: 0x0a000014,
          ibgp: false,
          asn4: true,
          families: ['ipv4-unicast'],
          addPathSend: new Set(),
          maxMessageLength: 4096,
          nextHopIpv4: '127.0.0.1',
          nextHopIpv6: '::ffff:127.0.0.1',
        },
      },
    ]);
    port.calls.length = 0;

    // The port has UPDATEs for the peer: on kick the session pulls them and writes them.
    port.outbox.push(makeEndOfRib(1, 1));
    port.sink!.kick();
    await waitFor('End-of-RIB written', () => socket.messages().some((m) => m.type === 'update'));
    expect(port.calls).to.deep.equal([{ call: 'pull', name: 'p' }]);
    expect(session.hasPendingUpdates).to.equal(false);
    port.busy = true;
    expect(session.hasPendingUpdates, 'the RDE is still deciding').to.equal(true);
    port.busy = false;
    port.calls.length = 0;

    // An UPDATE goes to the port; the peer's End-of-RIB does not.
    socket.push(
      encodeMessage({
        type: 'update',
        withdrawn: { afi: 1, safi: 1, addPath: false, bytes: new Uint8Array(0), count: 0 },
        attributes: [makeOrigin(0), makeAsPath([{ type: 2, asns: [65020] }], true), makeNextHop(0x7f000014)],
        nlri: buildNlri(1, 1, [{ prefix: '10.20.0.0/16', pathId: 0 }], false),
      }),
    );
    socket.push(encodeMessage(makeEndOfRib(1, 1)));
    socket.push(encodeMessage(makeRouteRefresh(1, 1)));
    await waitFor('route refresh', () => port.calls.some((c) => c.call === 'routeRefresh'));
    expect(port.calls).to.deep.equal([
      { call: 'receive', name: 'p', announced: ['10.20.0.0/16'], asn4: true, treatAsWithdraw: false },
      { call: 'routeRefresh', name: 'p', family: 'ipv4-unicast' },
    ]);
    expect(session.status().receivedPrefixes, 'session.received reads the port').to.equal(1);
    port.calls.length = 0;

    // A malformed MP_UNREACH_NLRI (a /32 with 2 address octets) as the only attribute: RFC 7606 "AFI/SAFI
    // disable" of IPv4 unicast, told to the port before the UPDATE; the session stays up.
    socket.push(
      Buffer.from(
        'ffffffffffffffffffffffffffffffff0020020000000980 0f06 0001 01 200a00'.replace(/ /g, ''),
        'hex',
      ),
    );
    await waitFor('disable', () => port.calls.length === 2);
    expect(port.calls).to.deep.equal([
      { call: 'disableFamily', name: 'p', family: 'ipv4-unicast' },
      { call: 'receive', name: 'p', announced: [], asn4: true, treatAsWithdraw: true },
    ]);
    expect(session.state).to.equal('Established');
    port.calls.length = 0;

    // A reload that changes only the export policy is handed on without a reset.
    const exportPolicy = [{ action: 'reject' as const }];
    session.updatePolicy({ ...peer, exportPolicy });
    expect(port.calls).to.deep.equal([{ call: 'updatePeerPolicy', name: 'p', exportPolicy }]);
    port.calls.length = 0;

    // The peer closes the connection: the port hears peerDown, once.
    socket.destroy();
    await waitFor('Idle', () => session.state !== 'Established');
    expect(port.calls).to.deep.equal([{ call: 'peerDown', name: 'p' }]);
    expect(session.status().receivedPrefixes).to.equal(0);
    session.dispose();
  });
});

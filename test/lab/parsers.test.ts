// The CLI-output parsers of the lab drivers, on output captured from BIRD 2.0.12, FRR 8.4, GoBGP 3.10
// and ExaBGP 4.2.21: each daemon's wording must map to the same normalized NeighborStatus/ReceivedRoute.
// No daemons run here (the self-tests in lab*.test.ts run them).
import { expect } from 'chai';
import { parseBirdProtocol, parseBirdRoutes } from './bird.js';
import { exabgpNeighbor, exabgpRoutes } from './exabgp.js';
import type { ExabgpEvent } from './exabgp.js';
import { parseFrrNeighbor, parseFrrRoutes } from './frr.js';
import { gobgpLastError, parseGobgpNeighbor, parseGobgpRib } from './gobgp.js';
import { xbgpdNeighbor, xbgpdRoutes } from './xbgpd.js';

const birdProtocol = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
peer1      BGP        ---        up     19:29:33.203  Established
  BGP state:          Established
    Neighbor address: 10.0.0.0
    Neighbor AS:      65001
    Local AS:         65002
    Neighbor ID:      1.1.1.1
    Local capabilities
      Multiprotocol
        AF announced: ipv4
      Route refresh
      4-octet AS numbers
    Neighbor capabilities
      Multiprotocol
        AF announced: ipv4 ipv6
      Route refresh
      Extended message
      Graceful restart
      4-octet AS numbers
      ADD-PATH
        RX: ipv4
        TX:
      Enhanced refresh
      Hostname: frra
    Session:          external AS4
    Source address:   10.0.0.1
    Hold timer:       5.459/9
    Keepalive timer:  0.054/3
  Channel ipv4
    State:          UP
`;

const birdRoutes = `BIRD 2.0.12 ready.
Table master4:
192.0.2.0/24         unicast [peer1 19:29:34.253] * (100) [AS65001i]
	via 10.0.0.0 on l1-frr
	Type: BGP univ
	BGP.origin: IGP
	BGP.as_path: 65001 4200000001
	BGP.next_hop: 10.0.0.0
	BGP.local_pref: 100
                     unicast [peer1 19:29:35.000] (100) [AS65001i]
	BGP.as_path:
	BGP.next_hop: 10.0.0.2
`;

describe('lab parsers: BIRD', function () {
  it('reads state, neighbour capabilities (not local ones) and the negotiated hold time', function () {
    const s = parseBirdProtocol('10.0.0.0', birdProtocol);
    expect(s.state).to.equal('established');
    expect(s.holdTime).to.equal(9);
    expect(s.capabilities).to.deep.equal([
      'mp:ipv4-unicast',
      'mp:ipv6-unicast',
      'route-refresh',
      'extended-message',
      'graceful-restart',
      'four-octet-as',
      'add-path',
      'enhanced-route-refresh',
      'fqdn',
    ]);
    expect(s.lastError).to.equal(undefined);
  });

  it('reads the last error of a session that is down', function () {
    const out = `peer2      BGP        ---        start  19:36:39.513  Idle          BGP Error: Bad peer AS
  BGP state:          Idle
    Neighbor address: 10.0.1.1
    Last error:       BGP Error: Bad peer AS
`;
    const s = parseBirdProtocol('10.0.1.1', out);
    expect(s).to.deep.equal({
      address: '10.0.1.1',
      state: 'idle',
      capabilities: [],
      lastError: 'bgp error: bad peer as',
    });
  });

  it('reads each route of a prefix with its AS path and next hop', function () {
    expect(parseBirdRoutes('10.0.0.0', birdRoutes)).to.deep.equal([
      { prefix: '192.0.2.0/24', from: '10.0.0.0', asPath: [65001, 4200000001], nextHop: '10.0.0.0' },
      { prefix: '192.0.2.0/24', from: '10.0.0.0', asPath: [], nextHop: '10.0.0.2' },
    ]);
  });
});

describe('lab parsers: FRR', function () {
  it('counts a capability only when it was received', function () {
    const s = parseFrrNeighbor('fd00:1::2', {
      bgpState: 'Established',
      bgpTimerHoldTimeMsecs: 9000,
      neighborCapabilities: {
        '4byteAs': 'advertisedAndReceived',
        extendedMessage: 'advertisedAndReceived',
        longLivedGracefulRestart: 'advertised',
        routeRefresh: 'advertisedAndReceivedNew',
        multiprotocolExtensions: {
          ipv4Unicast: { advertisedAndReceived: true },
          ipv6Unicast: { advertised: true },
        },
        gracefulRestartCapability: 'advertised',
      },
    });
    expect(s.state).to.equal('established');
    expect(s.holdTime).to.equal(9);
    expect(s.capabilities.sort()).to.deep.equal([
      'extended-message',
      'four-octet-as',
      'mp:ipv4-unicast',
      'route-refresh',
    ]);
  });

  it('joins the notification reason and the shutdown message into lastError', function () {
    const s = parseFrrNeighbor('fd00:1::2', {
      bgpState: 'Idle',
      lastNotificationReason: 'Cease/Administrative Shutdown',
      lastShutdownDescription: 'bird-says-bye',
      lastResetDueTo: 'BGP Notification received',
    });
    expect(s.lastError).to.equal('cease/administrative shutdown; bird-says-bye; bgp notification received');
    expect(s.holdTime).to.equal(undefined);
  });

  it('keeps learned routes and skips locally originated ones', function () {
    const routes = parseFrrRoutes({
      routes: {
        '192.0.2.0/24': [{ peerId: '(unspec)', path: '', nexthops: [{ ip: '0.0.0.0' }] }],
        '198.51.100.0/24': [{ peerId: '10.0.0.1', path: '65002 4200000001', nexthops: [{ ip: '10.0.0.1' }] }],
      },
    });
    expect(routes).to.deep.equal([
      { prefix: '198.51.100.0/24', from: '10.0.0.1', asPath: [65002, 4200000001], nextHop: '10.0.0.1' },
    ]);
  });
});

describe('lab parsers: GoBGP', function () {
  it('decodes session state and protobuf capabilities (families, unknown extended message)', function () {
    const s = parseGobgpNeighbor('10.0.0.1', {
      state: {
        session_state: 6,
        remote_cap: [
          { type_url: 'type.googleapis.com/apipb.MultiProtocolCapability', value: 'CgQIARAB' },
          { type_url: 'type.googleapis.com/apipb.MultiProtocolCapability', value: 'CgQIAhAB' },
          { type_url: 'type.googleapis.com/apipb.RouteRefreshCapability' },
          { type_url: 'type.googleapis.com/apipb.UnknownCapability', value: 'CAY=' },
          { type_url: 'type.googleapis.com/apipb.FourOctetASNCapability', value: 'CIHU29IP' },
        ],
      },
      timers: { state: { negotiated_hold_time: 9 } },
    });
    expect(s).to.deep.equal({
      address: '10.0.0.1',
      state: 'established',
      capabilities: [
        'mp:ipv4-unicast',
        'mp:ipv6-unicast',
        'route-refresh',
        'extended-message',
        'four-octet-as',
      ],
      holdTime: 9,
    });
  });

  it('takes the last down reason from the log, with the NOTIFICATION it carried', function () {
    const log = [
      '{"Key":"10.0.1.0","Topic":"Peer","level":"debug","msg":"state changed","new":"BGP_FSM_ESTABLISHED","old":"BGP_FSM_OPENCONFIRM","reason":{"Type":13}}',
      '{"Code":4,"Data":null,"Key":"10.0.1.0","Subcode":0,"level":"warning","msg":"sent notification"}',
      '{"Key":"10.0.1.0","Reason":"hold-timer-expired","level":"info","msg":"Peer Down"}',
      '{"Key":"10.0.1.0","msg":"state changed","new":"BGP_FSM_IDLE","old":"BGP_FSM_ESTABLISHED","reason":{"Type":6,"BGPNotification":{"Body":{"ErrorCode":4,"ErrorSubcode":0}}}}',
      '{"Key":"10.0.9.9","msg":"state changed","new":"BGP_FSM_IDLE","reason":{"Type":2}}',
    ].join('\n');
    expect(gobgpLastError('10.0.1.0', log)).to.equal(
      'hold timer expired 4/0; sent notification 4/0; peer down: hold-timer-expired',
    );
    expect(gobgpLastError('10.0.2.0', log)).to.equal(undefined);
  });

  it('keeps routes with a neighbour and reads AS path and next hop attributes', function () {
    const routes = parseGobgpRib({
      '192.0.2.0/24': [{ attrs: [{ type: 3, nexthop: '0.0.0.0' }] }],
      '2001:db8:9::/48': [
        {
          'neighbor-ip': 'fd00:3::1',
          attrs: [
            { type: 2, as_paths: [{ asns: [65001, 4200000001] }] },
            { type: 14, nexthop: 'fd00:3::1' },
          ],
        },
      ],
    });
    expect(routes).to.deep.equal([
      { prefix: '2001:db8:9::/48', from: 'fd00:3::1', asPath: [65001, 4200000001], nextHop: 'fd00:3::1' },
    ]);
  });
});

describe('lab parsers: ExaBGP', function () {
  const peer = { address: { local: '10.0.1.1', peer: '10.0.1.0' } };
  const events: ExabgpEvent[] = [
    { type: 'state', neighbor: { ...peer, state: 'connected' } },
    {
      type: 'open',
      neighbor: {
        ...peer,
        direction: 'receive',
        open: {
          hold_time: 9,
          capabilities: {
            '1': { name: 'multiprotocol', families: ['ipv4/unicast', 'ipv6/unicast'] },
            '2': { name: 'route-refresh' },
            '65': { name: 'asn4', asn4: 65002 },
            '64': { name: 'graceful restart' },
          },
        },
      },
    },
    { type: 'state', neighbor: { ...peer, state: 'up' } },
    {
      type: 'update',
      neighbor: {
        ...peer,
        message: {
          update: {
            attribute: { 'as-path': [65002, 65001] },
            announce: {
              'ipv4 unicast': { '10.0.1.0': [{ nlri: '192.0.2.0/24' }, { nlri: '198.51.100.0/24' }] },
            },
          },
        },
      },
    },
    {
      type: 'update',
      neighbor: {
        ...peer,
        message: { update: { withdraw: { 'ipv4 unicast': [{ nlri: '192.0.2.0/24' }] } } },
      },
    },
  ];

  it('follows state and OPEN events', function () {
    expect(exabgpNeighbor('10.0.1.0', events)).to.deep.equal({
      address: '10.0.1.0',
      state: 'established',
      // In capability code order (the JSON object's integer keys).
      capabilities: [
        'mp:ipv4-unicast',
        'mp:ipv6-unicast',
        'route-refresh',
        'graceful-restart',
        'four-octet-as',
      ],
      holdTime: 9,
    });
  });

  it('applies announcements and withdrawals, and forgets routes when the session goes down', function () {
    expect(exabgpRoutes(events)).to.deep.equal([
      { prefix: '198.51.100.0/24', from: '10.0.1.0', nextHop: '10.0.1.0', asPath: [65002, 65001] },
    ]);
    const down = { type: 'state', neighbor: { ...peer, state: 'down', reason: 'peer reset' } };
    expect(exabgpRoutes([...events, down])).to.deep.equal([]);
  });

  it('reports a received NOTIFICATION by code and subcode', function () {
    const refused: ExabgpEvent[] = [
      {
        type: 'notification',
        neighbor: { ...peer, direction: 'receive', notification: { code: 2, subcode: 2, data: '0xFDEB' } },
      },
      {
        type: 'state',
        neighbor: { ...peer, state: 'down', reason: 'peer reset, message (notification received (2,2))' },
      },
    ];
    const s = exabgpNeighbor('10.0.1.0', refused);
    expect(s.state).to.equal('idle');
    expect(s.lastError).to.equal('notification received 2/2 0xfdeb');
  });
});

describe('lab parsers: xbgpd', function () {
  it('combines the dump (state, hold time, last NOTIFICATION) with the session established log line', function () {
    const s = xbgpdNeighbor(
      '10.0.1.1',
      {
        name: 'bird',
        address: '10.0.1.1',
        asn: 65001,
        state: 'Idle',
        lastError: 'hold timer expired',
        lastNotification: { direction: 'sent', code: 4, subcode: 0, name: 'Hold Timer Expired' },
        receivedPrefixes: 0,
        received: {},
      },
      [
        {
          msg: 'session established',
          peer: 'bird',
          families: ['ipv4-unicast'],
          asn4: true,
          routeRefresh: true,
        },
      ],
    );
    expect(s).to.deep.equal({
      address: '10.0.1.1',
      state: 'idle',
      capabilities: ['mp:ipv4-unicast', 'four-octet-as', 'route-refresh'],
      lastError: 'hold timer expired; notification sent 4/0 hold timer expired',
    });
  });

  it('turns dump routes into ReceivedRoutes with numeric AS paths', function () {
    const routes = xbgpdRoutes({
      time: '',
      routerId: '10.0.0.1',
      asn: 65000,
      peers: {
        bird: {
          name: 'bird',
          address: '10.0.1.1',
          asn: 65001,
          state: 'Established',
          receivedPrefixes: 2,
          received: {
            'ipv4-unicast': [{ prefix: '192.0.2.0/24', nextHop: '10.0.1.1', asPath: '65001 {65010 65011}' }],
            'ipv6-unicast': [{ prefix: '2001:db8::/32', asPath: '' }],
          },
        },
      },
    });
    expect(routes).to.deep.equal([
      { prefix: '192.0.2.0/24', from: '10.0.1.1', asPath: [65001, 65010, 65011], nextHop: '10.0.1.1' },
      { prefix: '2001:db8::/32', from: '10.0.1.1', asPath: [] },
    ]);
  });
});

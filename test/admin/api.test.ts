// The admin API through app.inject(): every route refuses a missing or wrong token (401) and changes
// nothing; bad input is 400 naming the field and changes nothing; each route answers from the running
// speaker (two scripted eBGP peers, test/admin/fixture.ts).
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { configText, startFixture, TOKEN, type Fixture } from './fixture.js';
import { waitFor } from '../session/helpers.js';
import { CeaseSubcode, ErrorCode } from '../../daemon/wire/index.js';

/** Every route, with a body that would act if it were authorised. */
const routes: [method: 'GET' | 'POST', url: string, body?: object][] = [
  ['GET', '/api/v1/status'],
  ['GET', '/api/v1/peers'],
  ['GET', '/api/v1/peers/a'],
  ['POST', '/api/v1/peers/a/reset', { mode: 'hard' }],
  ['POST', '/api/v1/peers/a/shutdown', { message: 'maintenance' }],
  ['POST', '/api/v1/peers/a/enable'],
  ['GET', '/api/v1/peers/a/adj-rib-in/ipv4-unicast'],
  ['GET', '/api/v1/peers/a/adj-rib-out/ipv4-unicast'],
  ['GET', '/api/v1/rib/ipv4-unicast'],
  ['GET', '/api/v1/rib/ipv4-unicast/10.1.0.0%2F16'],
  ['POST', '/api/v1/config/reload'],
  ['GET', '/api/v1/events'],
  ['GET', '/api/v1/openapi.json'],
  ['GET', '/metrics'],
];

describe('admin api (inject)', function () {
  this.timeout(20_000);
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(async () => f.close());

  it('answers 401 with a stable code to every route without the token or with a wrong one, and changes nothing', async () => {
    const before = f.speaker.sessions().map((s) => [s.peer.name, s.state, s.messageCounts.sent.join()]);
    for (const [method, url, body] of routes) {
      for (const authorization of [
        undefined,
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(1)}`,
        TOKEN,
        'Basic abc',
      ]) {
        const res = await f.app.inject({
          method,
          url,
          headers: authorization === undefined ? {} : { authorization },
          ...(body ? { payload: body } : {}),
        });
        expect(res.statusCode, `${method} ${url} with ${authorization}`).to.equal(401);
        expect(res.json()).to.deep.include({ code: 'ERR_API_UNAUTHORIZED' });
        expect(res.headers['www-authenticate']).to.match(/^Bearer/);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    const after = f.speaker.sessions().map((s) => [s.peer.name, s.state, s.messageCounts.sent.join()]);
    expect(after, 'no session reset, shut down, or sent anything').to.deep.equal(before);
    expect(f.peers.a.closed || f.peers.b.closed).to.equal(false);
    expect(f.logs.filter((l) => l.msg === 'config reloaded')).to.have.length(0);
  });

  it('answers 400 naming the field for bad parameters, queries and bodies, and changes nothing', async () => {
    const cases: [method: 'GET' | 'POST', url: string, body: object | undefined, field: string][] = [
      ['POST', '/api/v1/peers/a/reset', { mode: 'sideways' }, 'body.mode'],
      ['POST', '/api/v1/peers/a/reset', {}, 'body.mode'],
      ['POST', '/api/v1/peers/a/reset', { mode: 'hard', force: true }, 'body.force'],
      ['POST', '/api/v1/peers/a/reset', { mode: 'hard', message: 'x'.repeat(256) }, 'body.message'],
      ['POST', '/api/v1/peers/a/shutdown', { message: 'é'.repeat(200) }, 'body.message'],
      ['POST', '/api/v1/config/reload', { soft: 'yes' }, 'body.soft'],
      ['GET', '/api/v1/rib/ipv5-unicast', undefined, 'params.family'],
      ['GET', '/api/v1/rib/ipv4-unicast?limit=0', undefined, 'query.limit'],
      ['GET', '/api/v1/rib/ipv4-unicast?limit=ten', undefined, 'query.limit'],
      ['GET', '/api/v1/rib/ipv4-unicast?match=wider', undefined, 'query.match'],
      ['GET', '/api/v1/rib/ipv4-unicast?prefix=10.1.0.0', undefined, 'query.prefix'],
      ['GET', '/api/v1/rib/ipv4-unicast?prefix=2001:db8::/32', undefined, 'query.prefix'],
      ['GET', '/api/v1/rib/ipv4-unicast?cursor=banana', undefined, 'query.cursor'],
      ['GET', '/api/v1/rib/ipv4-unicast?colour=red', undefined, 'query.colour'],
      ['GET', '/api/v1/rib/ipv4-unicast/10.1.0.0%2F33', undefined, 'params.prefix'],
      ['GET', '/api/v1/peers/a/adj-rib-in/ipv4-unicast?view=mid', undefined, 'query.view'],
      ['GET', '/api/v1/events?types=everything', undefined, 'query.types.0'],
    ];
    const before = f.speaker.sessions().map((s) => [s.state, s.messageCounts.sent.join()]);
    for (const [method, url, body, field] of cases) {
      const r = await f.call(method, url, body);
      expect(r.status, `${method} ${url} ${JSON.stringify(body)}`).to.equal(400);
      expect(r.json.code).to.equal('ERR_API_INVALID');
      expect(r.json.field, url).to.equal(field);
      expect(r.json.message).to.match(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
    }
    const bad = await f.app.inject({
      method: 'POST',
      url: '/api/v1/peers/a/reset',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: '{"mode": ',
    });
    expect(bad.statusCode).to.equal(400);
    expect(bad.json()).to.deep.include({ code: 'ERR_API_INVALID', field: 'body' });
    await new Promise((r) => setTimeout(r, 100));
    expect(f.speaker.sessions().map((s) => [s.state, s.messageCounts.sent.join()])).to.deep.equal(before);
  });

  it('answers 404 with stable codes for unknown peers, prefixes and routes', async () => {
    for (const url of [
      '/api/v1/peers/zed',
      '/api/v1/peers/zed/adj-rib-in/ipv4-unicast',
      '/api/v1/rib/ipv4-unicast?peer=zed',
    ]) {
      const r = await f.call('GET', url);
      expect(r.status, url).to.equal(404);
      expect(r.json.code).to.equal('ERR_BGP_UNKNOWN_PEER');
    }
    expect((await f.call('POST', '/api/v1/peers/zed/reset', { mode: 'hard' })).json.code).to.equal(
      'ERR_BGP_UNKNOWN_PEER',
    );
    const none = await f.call('GET', '/api/v1/rib/ipv4-unicast/10.77.0.0%2F16');
    expect([none.status, none.json.code]).to.deep.equal([404, 'ERR_API_NOT_FOUND']);
    const route = await f.call('GET', '/api/v1/nothing');
    expect([route.status, route.json.code]).to.deep.equal([404, 'ERR_API_NOT_FOUND']);
  });

  it('GET /status: identity, peers, RIB sizes, attribute sets, plugins, memory', async () => {
    const { status, json } = await f.call('GET', '/api/v1/status');
    expect(status).to.equal(200);
    expect(json).to.deep.include({ routerId: '192.0.2.1', asn: 65001, version: '0.0.0-test' });
    expect(json.peers).to.deep.equal({ configured: 2, established: 2 });
    expect(json.rib['ipv4-unicast']).to.deep.equal({ prefixes: 5, paths: 6 });
    expect(json.attributeSets).to.equal(f.speaker.rde.store.size);
    expect(json.plugins).to.deep.equal({ loaded: 0, pluglets: 0 });
    expect(json.memory.rss).to.be.greaterThan(json.memory.heapUsed);
  });

  it('GET /peers and /peers/{name}: state, negotiation, capabilities, counters, prefixes', async () => {
    const all = (await f.call('GET', '/api/v1/peers')).json.peers;
    expect(all.map((p: any) => [p.name, p.state, p.asn])).to.deep.equal([
      ['a', 'Established', 65002],
      ['b', 'Established', 65003],
    ]);
    const a = (await f.call('GET', '/api/v1/peers/a')).json;
    expect(a).to.deep.include({ remoteId: '10.0.0.2', holdTime: 0, flaps: 0, adminDown: false });
    expect(Date.parse(a.since)).to.be.within(Date.now() - 20_000, Date.now());
    expect(a.capabilities).to.include.members(['mp:ipv4-unicast', 'four-octet-as']);
    expect(a.negotiated).to.deep.include({
      remoteAsn: 65002,
      ibgp: false,
      families: ['ipv4-unicast'],
      fourOctetAs: true,
    });
    expect(a.messages.received).to.deep.include({ open: 1, keepalive: 1, update: 2 });
    expect(a.messages.sent.open).to.equal(1);
    // a: three prefixes received and accepted; it has the best path of two (10.1.0.0/16 went to b).
    expect(a.prefixes['ipv4-unicast']).to.deep.equal({ received: 3, accepted: 3, best: 2, advertised: 3 });
  });

  it('GET /rib/{family}: best paths with the deciding step, filtered by prefix, match and peer, paged', async () => {
    const rib = (await f.call('GET', '/api/v1/rib/ipv4-unicast')).json;
    expect(rib.entries.map((e: any) => [e.prefix, e.peer, e.reason, e.paths])).to.deep.equal([
      ['10.1.0.0/16', 'b', 'as-path-length', 2],
      ['10.1.1.0/24', 'a', 'only-path', 1],
      ['10.2.0.0/16', 'b', 'only-path', 1],
      ['10.9.0.0/16', 'a', 'only-path', 1],
      ['198.51.100.0/24', '(local)', 'only-path', 1],
    ]);
    expect(rib.entries[1].attributes).to.deep.equal({
      asPath: '65002',
      origin: 'igp',
      nextHop: '127.0.0.2',
      med: 5,
      communities: ['65002:7'],
    });
    const prefixes = async (query: string): Promise<string[]> =>
      (await f.call('GET', `/api/v1/rib/ipv4-unicast?${query}`)).json.entries.map((e: any) => e.prefix);
    expect(await prefixes('prefix=10.1.0.0/16')).to.deep.equal(['10.1.0.0/16']);
    expect(await prefixes('prefix=10.1.0.0/16&match=longer')).to.deep.equal(['10.1.0.0/16', '10.1.1.0/24']);
    expect(await prefixes('prefix=10.1.1.0/24&match=shorter')).to.deep.equal(['10.1.0.0/16', '10.1.1.0/24']);
    expect(await prefixes('prefix=10.0.0.0/8&match=longer&peer=a')).to.deep.equal([
      '10.1.1.0/24',
      '10.9.0.0/16',
    ]);
    expect(await prefixes('peer=(local)')).to.deep.equal(['198.51.100.0/24']);
    const first = (await f.call('GET', '/api/v1/rib/ipv4-unicast?limit=2')).json;
    expect(first.entries.map((e: any) => e.prefix)).to.deep.equal(['10.1.0.0/16', '10.1.1.0/24']);
    expect(first.next).to.equal('10.1.1.0/24');
    const second = (await f.call('GET', `/api/v1/rib/ipv4-unicast?limit=2&cursor=${first.next}`)).json;
    expect(second.entries.map((e: any) => e.prefix)).to.deep.equal(['10.2.0.0/16', '10.9.0.0/16']);
    const last = (await f.call('GET', `/api/v1/rib/ipv4-unicast?limit=2&cursor=${second.next}`)).json;
    expect(last.entries.map((e: any) => e.prefix)).to.deep.equal(['198.51.100.0/24']);
    expect(last.next).to.equal(undefined);
  });

  it('GET /rib/{family}/{prefix}: every candidate and why each lost', async () => {
    const r = (await f.call('GET', '/api/v1/rib/ipv4-unicast/10.1.0.0%2F16')).json;
    expect(r.reason).to.equal('as-path-length');
    expect(
      r.paths.map((p: any) => [p.peer, p.best, p.reason ?? p.lostAt, p.attributes.asPath]),
    ).to.deep.equal([
      ['a', false, 'as-path-length', '65002 65100'],
      ['b', true, 'as-path-length', '65003'],
    ]);
  });

  it('adj-rib-in pre and post policy (rejected paths with why) and adj-rib-out per peer', async () => {
    // A soft reload gives a a policy rejecting 10.9.0.0/16 without applying it; soft-in applies it.
    writeFileSync(f.file, configText('[{ match: { prefix: 10.9.0.0/16 }, action: reject }]'));
    const reload = await f.call('POST', '/api/v1/config/reload', { soft: true });
    expect(reload.status).to.equal(200);
    expect(reload.json.summary.policyChanged).to.deep.equal(['a']);
    const bestOf = async (prefix: string) =>
      (await f.call('GET', `/api/v1/rib/ipv4-unicast?prefix=${prefix}`)).json.entries[0]?.peer;
    expect(await bestOf('10.9.0.0/16'), 'a soft reload keeps the running policy').to.equal('a');
    const reset = await f.call('POST', '/api/v1/peers/a/reset', { mode: 'soft-in' });
    expect(reset.json).to.deep.equal({ peer: 'a', mode: 'soft-in', changed: 1 });
    await waitFor('decision', () => !f.speaker.rde.busy);
    expect(await bestOf('10.9.0.0/16'), 'soft-in applied the new policy').to.equal(undefined);
    const pre = (await f.call('GET', '/api/v1/peers/a/adj-rib-in/ipv4-unicast?view=pre')).json.entries;
    expect(pre.map((e: any) => [e.prefix, e.rejected])).to.deep.equal([
      ['10.1.0.0/16', undefined],
      ['10.1.1.0/24', undefined],
      ['10.9.0.0/16', 'policy'],
    ]);
    const post = (await f.call('GET', '/api/v1/peers/a/adj-rib-in/ipv4-unicast')).json.entries;
    expect(post.map((e: any) => e.prefix)).to.deep.equal(['10.1.0.0/16', '10.1.1.0/24']);
    // b is sent a's remaining best path and our own route, with our AS prepended and our next hop.
    const out = (await f.call('GET', '/api/v1/peers/b/adj-rib-out/ipv4-unicast')).json.entries;
    expect(out.map((e: any) => [e.prefix, e.attributes.asPath, e.attributes.nextHop])).to.deep.equal([
      ['10.1.1.0/24', '65001 65002', '127.0.0.1'],
      ['198.51.100.0/24', '65001', '127.0.0.1'],
    ]);
    expect(f.peers.a.closed, 'no session reset').to.equal(false);
    expect(f.speaker.session('a')!.status().flaps).to.equal(0);
  });

  it('soft-out sends the Adj-RIB-Out again; hard sends CEASE / Administrative Reset with the message', async () => {
    const updatesBefore = f.speaker.session('b')!.messageCounts.sent[2]!;
    const soft = await f.call('POST', '/api/v1/peers/b/reset', { mode: 'soft-out' });
    expect(soft.json).to.deep.equal({ peer: 'b', mode: 'soft-out', queued: 3 });
    await waitFor('UPDATEs sent again', () => f.speaker.session('b')!.messageCounts.sent[2]! > updatesBefore);
    expect(f.peers.b.closed).to.equal(false);
    const hard = await f.call('POST', '/api/v1/peers/a/reset', { mode: 'hard', message: 'new filters' });
    expect(hard.json).to.deep.equal({ peer: 'a', mode: 'hard' });
    const n = await f.peers.a.next('notification');
    expect([n.code, n.subcode, n.shutdownCommunication]).to.deep.equal([
      ErrorCode.Cease,
      CeaseSubcode.AdministrativeReset,
      'new filters',
    ]);
    const conflict = await f.call('POST', '/api/v1/peers/a/reset', { mode: 'soft-in' });
    expect([conflict.status, conflict.json.code]).to.deep.equal([409, 'ERR_API_CONFLICT']);
  });

  it('shutdown sends the RFC 9003 message and keeps the peer down; enable starts it again', async () => {
    const down = await f.call('POST', '/api/v1/peers/a/shutdown', { message: 'maintenance ✓' });
    expect(down.status).to.equal(200);
    expect(down.json).to.deep.include({ name: 'a', state: 'Idle', adminDown: true });
    const n = await f.peers.a.next('notification');
    expect([n.subcode, n.shutdownCommunication]).to.deep.equal([
      CeaseSubcode.AdministrativeShutdown,
      'maintenance ✓',
    ]);
    const peer = (await f.call('GET', '/api/v1/peers/a')).json;
    expect(peer.lastNotification).to.deep.include({
      direction: 'sent',
      code: 6,
      subcode: 2,
      shutdownCommunication: 'maintenance ✓',
    });
    const up = await f.call('POST', '/api/v1/peers/a/enable');
    expect(up.json).to.deep.include({ name: 'a', adminDown: false, state: 'Active' });
  });

  it('POST /config/reload applies the file as SIGHUP does, or answers 422 with every problem and changes nothing', async () => {
    writeFileSync(f.file, configText().replace('  - prefix: 198.51.100.0/24', '  - prefix: 203.0.113.0/24'));
    const ok = await f.call('POST', '/api/v1/config/reload');
    expect(ok.status).to.equal(200);
    expect(ok.json.summary).to.deep.include({ originateChanged: true, unchanged: ['a', 'b'] });
    writeFileSync(
      f.file,
      configText().replace('asn: 65002', 'asn: banana').replace('192.0.2.1', '192.0.2.x'),
    );
    const bad = await f.call('POST', '/api/v1/config/reload');
    expect(bad.status).to.equal(422);
    expect(bad.json.code).to.equal('ERR_API_RELOAD');
    expect(bad.json.problems.join('\n')).to.match(/peers\[0\]\.asn: must be an integer/);
    expect(f.logs.filter((l) => l.msg === 'config reload rejected')).to.have.length(1);
    await waitFor('decision', () => !f.speaker.rde.busy);
    const rib = (await f.call('GET', '/api/v1/rib/ipv4-unicast?peer=(local)')).json.entries;
    expect(
      rib.map((e: any) => e.prefix),
      'the good reload stays',
    ).to.deep.equal(['203.0.113.0/24']);
  });
});

// The admin API's plugin routes through app.inject(), on the fixture's speaker with its two scripted peers:
// a shipped plugin (community_tagger) uploaded as multipart towards peer b only, seen in b's Adj-RIB-Out
// and in the UPDATEs b receives; dry-run answering what loading then does; a plugin that does not
// verify refused with 422, its VM code and pc, nothing changed; PATCH, stats reset, DELETE; never a
// session reset.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startFixture, TOKEN, type Fixture } from './fixture.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { requireTools } from '../helpers/env.js';
import { waitFor } from '../session/helpers.js';

/** A multipart body (built by the platform's FormData) for app.inject. */
async function multipart(
  manifest: object,
  objects: Record<string, Buffer>,
  settings?: object,
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  form.append('manifest', new Blob([JSON.stringify(manifest)]), 'plugin.plugin');
  for (const [name, bytes] of Object.entries(objects)) form.append(name, new Blob([bytes]), name);
  if (settings !== undefined) form.append('settings', JSON.stringify(settings));
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')!, authorization: `Bearer ${TOKEN}` },
  };
}

describe('admin api: plugins', function () {
  this.timeout(30_000);
  let f: Fixture;
  let manifest: Record<string, any>;
  let object: Buffer;
  const settings = { peers: ['b'], conf: { community: { type_arg: 'str', arg: '65001:777' } } };

  before(function () {
    requireTools(this, 'clang');
    const file = shippedPlugin('community_tagger');
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
    object = readFileSync(join(dirname(file), 'community_tagger.o'));
  });
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(async () => f.close());

  const upload = async (m: object, query = '', s: object = settings) => {
    const body = await multipart(m, { 'community_tagger.o': object }, s);
    const res = await f.app.inject({ method: 'POST', url: `/api/v1/plugins${query}`, ...body });
    return { status: res.statusCode, json: res.json() };
  };
  const communitiesOut = async (peer: string): Promise<Record<string, string[] | undefined>> => {
    await waitFor('decision', () => !f.speaker.rde.busy);
    const out = (await f.call('GET', `/api/v1/peers/${peer}/adj-rib-out/ipv4-unicast`)).json.entries;
    return Object.fromEntries(out.map((e: any) => [e.prefix, e.attributes.communities]));
  };

  it('lists the insertion points', async () => {
    const points = (await f.call('GET', '/api/v1/insertion-points')).json.points;
    const outbound = points.find((p: any) => p.name === 'bgp_pre_outbound_filter');
    expect(outbound).to.deep.include({ runs: true });
    expect(points.length).to.be.greaterThan(10);
  });

  it('dry-run answers what loading then does; loading tags the routes towards b only, without a session reset', async () => {
    const before = await communitiesOut('b');
    expect(Object.values(before).flat(), 'nothing tagged yet').to.not.include('65001:777');
    const dry = await upload(manifest, '?dry-run=true');
    expect(dry.status, JSON.stringify(dry.json)).to.equal(200);
    expect((await f.call('GET', '/api/v1/plugins')).json.plugins, 'a dry run loads nothing').to.deep.equal(
      [],
    );
    expect(await communitiesOut('b')).to.deep.equal(before);
    const sentBefore = f.speaker.session('b')!.messageCounts.sent[2]!;
    const loaded = await upload(manifest);
    expect(loaded.status, JSON.stringify(loaded.json)).to.equal(200);
    expect(loaded.json.plugin).to.equal('community_tagger');
    const after = await communitiesOut('b');
    const modified = Object.keys(after).filter((p) => JSON.stringify(after[p]) !== JSON.stringify(before[p]));
    expect(modified.length).to.be.greaterThan(0);
    for (const p of modified) expect(after[p]).to.include('65001:777');
    expect(
      dry.json.exported.b.modified + dry.json.exported.b.announced,
      'dry-run = what attaching did',
    ).to.equal(modified.length);
    expect(dry.json.exported.a ?? { announced: 0, withdrawn: 0, modified: 0 }).to.deep.equal({
      announced: 0,
      withdrawn: 0,
      modified: 0,
    });
    expect(Object.values(await communitiesOut('a')).flat()).to.not.include('65001:777');
    await waitFor('UPDATEs to b', () => f.speaker.session('b')!.messageCounts.sent[2]! > sentBefore);
    expect(f.peers.a.closed || f.peers.b.closed, 'no session reset').to.equal(false);
    const shown = (await f.call('GET', '/api/v1/plugins/community_tagger')).json;
    expect(shown).to.deep.include({ name: 'community_tagger', enabled: true, source: 'api', peers: ['b'] });
    expect(shown.pluglets[0]).to.deep.include({
      name: 'community_tagger',
      point: 'bgp_pre_outbound_filter',
      anchor: 'replace',
      seq: 0,
    });
    expect(shown.stats.calls).to.be.greaterThan(0);
    const again = await upload(manifest);
    expect([again.status, again.json.code]).to.deep.equal([409, 'ERR_API_CONFLICT']);
  });

  it('refuses a plugin that does not verify with 422, the VM code and pc, and changes nothing', async () => {
    const broken = structuredClone(manifest);
    broken.obj_code_list.community_tagger.permissions = ['read'];
    const r = await upload(broken);
    expect(r.status).to.equal(422);
    expect(r.json.code).to.equal('ERR_PLUGIN_LOAD');
    expect(r.json.message).to.match(/ERR_VM_HELPER_NOT_PERMITTED at pc \d+/);
    expect(r.json.vmCode).to.equal('ERR_VM_HELPER_NOT_PERMITTED');
    expect(r.json.pc).to.be.a('number');
    expect(r.json.problems.join('\n')).to.match(
      /pluglet community_tagger: ERR_VM_HELPER_NOT_PERMITTED at pc \d+/,
    );
    expect((await f.call('GET', '/api/v1/plugins')).json.plugins).to.deep.equal([]);
    const bad = await upload(manifest, '', { peers: ['zed'] });
    expect([bad.status, bad.json.field]).to.deep.equal([400, 'body.settings.peers.0']);
    const noManifest = await f.app.inject({
      method: 'POST',
      url: '/api/v1/plugins',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: {},
    });
    expect([noManifest.statusCode, noManifest.json().field]).to.deep.equal([400, 'body']);
  });

  it('PATCH disables, re-attaches elsewhere and re-orders; stats reset; DELETE unloads; routes follow', async () => {
    const before = await communitiesOut('b');
    expect((await upload(manifest)).status).to.equal(200);
    const tagged = await communitiesOut('b');
    expect(tagged).to.not.deep.equal(before);
    const off = await f.call('PATCH', '/api/v1/plugins/community_tagger', { enabled: false });
    expect(off.status, JSON.stringify(off.json)).to.equal(200);
    expect(await communitiesOut('b'), 'disabled: routes as before').to.deep.equal(before);
    const dry = await f.call('POST', '/api/v1/plugins/community_tagger/dry-run');
    expect(dry.json.exported.b.modified + dry.json.exported.b.announced).to.be.greaterThan(0);
    expect(await communitiesOut('b'), 'a dry run changes nothing').to.deep.equal(before);
    const toA = await f.call('PATCH', '/api/v1/plugins/community_tagger', {
      enabled: true,
      peers: ['a'],
      seq: { community_tagger: 5 },
    });
    expect(toA.status).to.equal(200);
    expect(await communitiesOut('b')).to.deep.equal(before);
    expect(Object.values(await communitiesOut('a')).flat()).to.include('65001:777');
    const shown = (await f.call('GET', '/api/v1/plugins/community_tagger')).json;
    expect(shown.peers).to.deep.equal(['a']);
    expect(shown.pluglets[0].seq).to.equal(5);
    const badPeer = await f.call('PATCH', '/api/v1/plugins/community_tagger', { peers: ['zed'] });
    expect([badPeer.status, badPeer.json.field]).to.deep.equal([400, 'body.peers.0']);
    const badKey = await f.call('PATCH', '/api/v1/plugins/community_tagger', { colour: 'red' });
    expect([badKey.status, badKey.json.field]).to.deep.equal([400, 'body.colour']);
    const reset = await f.call('POST', '/api/v1/plugins/community_tagger/stats/reset');
    expect(reset.json.stats).to.deep.include({ calls: 0, faults: 0, instructions: 0 });
    const gone = await f.app.inject({
      method: 'DELETE',
      url: '/api/v1/plugins/community_tagger',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(gone.statusCode).to.equal(200);
    expect(await communitiesOut('a')).to.not.deep.include({ '10.2.0.0/16': ['65001:777'] });
    expect(Object.values(await communitiesOut('a')).flat()).to.not.include('65001:777');
    expect((await f.call('GET', '/api/v1/plugins/community_tagger')).status).to.equal(404);
    expect(f.peers.a.closed || f.peers.b.closed, 'no session reset').to.equal(false);
  });

  it('answers 401 on every plugin route without the token, and loads nothing', async () => {
    const body = await multipart(manifest, { 'community_tagger.o': object }, settings);
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/plugins',
      payload: body.payload,
      headers: { 'content-type': body.headers['content-type']! },
    });
    expect(res.statusCode).to.equal(401);
    for (const [method, url] of [
      ['GET', '/api/v1/insertion-points'],
      ['GET', '/api/v1/plugins'],
      ['GET', '/api/v1/plugins/x'],
      ['PATCH', '/api/v1/plugins/x'],
      ['DELETE', '/api/v1/plugins/x'],
      ['POST', '/api/v1/plugins/x/stats/reset'],
      ['POST', '/api/v1/plugins/x/dry-run'],
    ] as const)
      expect(
        (await f.app.inject({ method, url, headers: { authorization: 'Bearer nope' } })).statusCode,
        url,
      ).to.equal(401);
    expect(f.speaker.plugins).to.equal(undefined);
  });
});

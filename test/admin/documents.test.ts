// What the admin API publishes about itself and the daemon: the OpenAPI document (checked by an OpenAPI
// validator, every route listed), /metrics (parsed by a Prometheus text-format parser, figures from the
// running speaker; optionally without the token), and the server-sent event stream over a real socket.
import { expect } from 'chai';
import http from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startFixture, TOKEN, type Fixture } from './fixture.js';
import { buildAdminApp } from '../../daemon/admin/server.js';
import { createLogger } from '../../daemon/log.js';

interface Family {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

describe('admin api documents: OpenAPI, metrics, events', function () {
  this.timeout(20_000);
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(async () => f.close());

  it('serves an OpenAPI 3 document that validates and lists every route with its schemas', async () => {
    const doc = (await f.call('GET', '/api/v1/openapi.json')).json;
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(doc.openapi).to.match(/^3\./);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).to.deep.equal(
      [
        'GET /api/v1/status',
        'POST /api/v1/config/reload',
        'GET /api/v1/openapi.json',
        'GET /api/v1/peers',
        'GET /api/v1/peers/{name}',
        'POST /api/v1/peers/{name}/reset',
        'POST /api/v1/peers/{name}/shutdown',
        'POST /api/v1/peers/{name}/enable',
        'GET /api/v1/peers/{name}/adj-rib-in/{family}',
        'GET /api/v1/peers/{name}/adj-rib-out/{family}',
        'GET /api/v1/rib/{family}',
        'GET /api/v1/rib/{family}/{prefix}',
        'GET /api/v1/events',
        'GET /api/v1/insertion-points',
        'GET /api/v1/plugins',
        'POST /api/v1/plugins',
        'GET /api/v1/plugins/{name}',
        'PATCH /api/v1/plugins/{name}',
        'DELETE /api/v1/plugins/{name}',
        'POST /api/v1/plugins/{name}/stats/reset',
        'POST /api/v1/plugins/{name}/dry-run',
        'GET /metrics',
      ].sort(),
    );
    const reset = doc.paths['/api/v1/peers/{name}/reset'].post;
    expect(reset.requestBody.content['application/json'].schema.properties.mode.enum).to.deep.equal([
      'hard',
      'soft-in',
      'soft-out',
    ]);
    expect(reset.responses).to.include.keys('200', '400', '401', '404');
    expect(doc.components.securitySchemes.bearer).to.deep.equal({ type: 'http', scheme: 'bearer' });
  });

  it('serves /metrics in the Prometheus text format with peer, RIB, plugin and process figures', async () => {
    const res = await f.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(res.body) as Family[];
    const metric = (name: string): Family => {
      const m = families.find((x) => x.name === name);
      if (m === undefined) throw new Error(`no metric ${name}`);
      return m;
    };
    const value = (name: string, labels: Record<string, string>): number => {
      const sample = metric(name).metrics.find((s) =>
        Object.entries(labels).every(([k, v]) => s.labels?.[k] === v),
      );
      if (sample === undefined) throw new Error(`no ${name} ${JSON.stringify(labels)}`);
      return Number(sample.value);
    };
    expect(value('xbgpd_peer_state', { peer: 'a' })).to.equal(6);
    expect(metric('xbgpd_peer_messages_received_total').type).to.equal('COUNTER');
    expect(value('xbgpd_peer_messages_received_total', { peer: 'a', type: 'update' })).to.equal(2);
    expect(value('xbgpd_peer_messages_sent_total', { peer: 'b', type: 'open' })).to.equal(1);
    expect(value('xbgpd_peer_prefixes', { peer: 'a', family: 'ipv4-unicast', kind: 'received' })).to.equal(3);
    expect(value('xbgpd_peer_prefixes', { peer: 'a', family: 'ipv4-unicast', kind: 'best' })).to.equal(2);
    expect(value('xbgpd_peer_prefixes', { peer: 'b', family: 'ipv4-unicast', kind: 'advertised' })).to.equal(
      3,
    );
    expect(value('xbgpd_rib_prefixes', { family: 'ipv4-unicast' })).to.equal(5);
    expect(value('xbgpd_rib_paths', { family: 'ipv4-unicast' })).to.equal(6);
    expect(value('xbgpd_attribute_sets', {})).to.equal(f.speaker.rde.store.size);
    expect(value('xbgpd_peer_flaps_total', { peer: 'b' })).to.equal(0);
    expect(metric('xbgpd_pluglet_calls_total').type).to.equal('COUNTER');
    expect(value('nodejs_eventloop_lag_seconds', {})).to.be.at.least(0);
    expect(value('process_resident_memory_bytes', {})).to.be.greaterThan(0);
  });

  it('requires the token for /metrics unless public-metrics is set', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/metrics' })).statusCode).to.equal(401);
    const open = await buildAdminApp(
      { speaker: f.speaker, log: createLogger({ level: 'silent' }), version: 'x', stateDir: f.dir },
      { token: TOKEN, publicMetrics: true },
    );
    try {
      expect((await open.inject({ method: 'GET', url: '/metrics' })).statusCode).to.equal(200);
      expect((await open.inject({ method: 'GET', url: '/metrics?x=1' })).statusCode).to.equal(200);
      expect((await open.inject({ method: 'GET', url: '/api/v1/status' })).statusCode).to.equal(401);
    } finally {
      await open.close();
    }
  });

  it('streams peer state changes and reloads as server-sent events over a real socket', async () => {
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (f.app.server.address() as { port: number }).port;
    const chunks: string[] = [];
    const request = http.get({
      host: '127.0.0.1',
      port,
      path: '/api/v1/events?types=peer&types=reload',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    expect(response.statusCode).to.equal(200);
    expect(response.headers['content-type']).to.match(/^text\/event-stream/);
    response.setEncoding('utf8');
    response.on('data', (c: string) => chunks.push(c));
    await new Promise((r) => setTimeout(r, 50));
    expect(f.speaker.events.listenerCount('peer-state')).to.equal(1);
    await f.speaker.shutdownPeer('b', 'bye');
    await f.reloader.reload();
    const events = async (): Promise<{ event: string; data: any }[]> => {
      for (let i = 0; i < 100 && !chunks.join('').includes('event: reload'); i++)
        await new Promise((r) => setTimeout(r, 20));
      return chunks
        .join('')
        .split('\n\n')
        .filter((block) => block.startsWith('event: '))
        .map((block) => {
          const [event, data] = block.split('\n');
          return { event: event!.slice(7), data: JSON.parse(data!.slice(6)) };
        });
    };
    const got = await events();
    expect(got.find((e) => e.event === 'peer-state')?.data).to.deep.include({
      peer: 'b',
      from: 'Established',
      to: 'Idle',
    });
    expect(got.find((e) => e.event === 'peer-down')?.data).to.deep.include({ peer: 'b' });
    expect(got.find((e) => e.event === 'reload')?.data.ok).to.equal(true);
    request.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(f.speaker.events.listenerCount('peer-state'), 'a closed stream leaves no listener').to.equal(0);
  });

  it('streams best-path changes only when asked, within a prefix, and stops reporting when the stream closes', async () => {
    const missing = await f.call('GET', '/api/v1/events?types=best');
    expect([missing.status, missing.json.field]).to.deep.equal([400, 'query.prefix']);
    expect(f.speaker.rde.onBestChange, 'nobody asked: the RDE reports nothing').to.equal(undefined);
    const port = (f.app.server.address() as { port: number }).port;
    const chunks: string[] = [];
    const request = http.get({
      host: '127.0.0.1',
      port,
      path: '/api/v1/events?types=best&prefix=10.1.0.0/16',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    response.setEncoding('utf8');
    response.on('data', (c: string) => chunks.push(c));
    await new Promise((r) => setTimeout(r, 50));
    expect(f.speaker.rde.onBestChange).to.be.a('function');
    // b is down (the test above): a holds the best paths; shutting a down withdraws them.
    await f.speaker.shutdownPeer('a', 'bye');
    for (let i = 0; i < 100 && !chunks.join('').includes('10.1.1.0/24'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const events = chunks
      .join('')
      .split('\n\n')
      .filter((b) => b.startsWith('event: best'))
      .map((b) => JSON.parse(b.split('\n')[1]!.slice(6)));
    expect(events.map((e) => e.prefix).sort()).to.deep.equal(['10.1.0.0/16', '10.1.1.0/24']);
    expect(events[0]).to.deep.equal({ family: 'ipv4-unicast', prefix: events[0].prefix });
    request.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(f.speaker.rde.onBestChange).to.equal(undefined);
  });
});

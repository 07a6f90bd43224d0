// A running speaker for the admin API tests: a configuration file in a temporary folder (so reloads read
// it again), two passive eBGP peers on loopback addresses played by scripted BGP connections (one UPDATE
// each), and the admin app built on it (`app.inject()`), with a token.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfigFile } from '../../daemon/config/load.js';
import { createLogger } from '../../daemon/log.js';
import { Speaker } from '../../daemon/speaker.js';
import { ConfigReloader } from '../../daemon/reload.js';
import { readForReload } from '../../daemon/config/check.js';
import { buildAdminApp } from '../../daemon/admin/server.js';
import {
  buildNlri,
  encodeMessage,
  makeAsPath,
  makeCommunities,
  makeMed,
  makeNextHop,
  makeOrigin,
} from '../../daemon/wire/index.js';
import {
  connectTo,
  KEEPALIVE,
  openMessage,
  waitFor,
  type LogLine,
  type ScriptedConnection,
} from '../session/helpers.js';

export const TOKEN = 's3cret-token-for-tests';

/** The configuration: `importA` is peer a's inline import policy (YAML flow text), if any. */
export function configText(importA?: string): string {
  return `
router-id: 192.0.2.1
asn: 65001
log-level: debug
listen: { address: 127.0.0.1, port: 0 }
admin: { address: 127.0.0.1, port: 0, token: ${TOKEN} }
peers:
  - { name: a, address: 127.0.0.2, asn: 65002, passive: true, hold-time: 0${importA ? `, import: ${importA}` : ''} }
  - { name: b, address: 127.0.0.3, asn: 65003, passive: true, hold-time: 0 }
originate:
  - prefix: 198.51.100.0/24
`;
}

export interface Fixture {
  dir: string;
  file: string;
  speaker: Speaker;
  reloader: ConfigReloader;
  app: FastifyInstance;
  logs: LogLine[];
  peers: Record<'a' | 'b', ScriptedConnection>;
  /** GET/POST with the token. */
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** One UPDATE: these prefixes with this AS path (after the peer's AS), next hop the peer's address. */
function update(peerAs: number, nextHop: number, prefixes: string[], path: number[], extra: object[] = []) {
  return encodeMessage({
    type: 'update',
    withdrawn: { afi: 1, safi: 1, addPath: false, bytes: new Uint8Array(0), count: 0 },
    attributes: [
      makeOrigin(0),
      makeAsPath([{ type: 2, asns: [peerAs, ...path] }], true),
      makeNextHop(nextHop),
      ...(extra as never[]),
    ],
    nlri: buildNlri(
      1,
      1,
      prefixes.map((prefix) => ({ prefix, pathId: 0 })),
      false,
    ),
  });
}

/**
 * Start it all: a announces 10.1.0.0/16 (path 65002 65100), 10.1.1.0/24 and 10.9.0.0/16 (MED 5,
 * community 65002:7); b announces 10.1.0.0/16 (path 65003: shorter, b wins) and 10.2.0.0/16.
 */
export async function startFixture(options: { importA?: string } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-admin-'));
  const file = join(dir, 'xbgpd.yaml');
  writeFileSync(file, configText(options.importA));
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const logs: LogLine[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) },
  });
  const speaker = await Speaker.start({ config: loaded.config, log });
  const reloader = new ConfigReloader(speaker, () => readForReload(file), log);
  const app = await buildAdminApp(
    { speaker, reloader, log, version: '0.0.0-test', stateDir: join(dir, 'state') },
    { token: TOKEN, publicMetrics: false },
  );
  const port = speaker.listening()[0]!.port;
  const a = await connectTo(port, '127.0.0.1', '127.0.0.2');
  const b = await connectTo(port, '127.0.0.1', '127.0.0.3');
  a.send(openMessage({ asn: 65002, bgpId: '10.0.0.2', holdTime: 0 }));
  b.send(openMessage({ asn: 65003, bgpId: '10.0.0.3', holdTime: 0 }));
  a.send(KEEPALIVE);
  b.send(KEEPALIVE);
  await waitFor('both Established', () => speaker.sessions().every((s) => s.state === 'Established'));
  a.socket.write(update(65002, 0x7f000002, ['10.1.0.0/16'], [65100]));
  a.socket.write(
    update(
      65002,
      0x7f000002,
      ['10.1.1.0/24', '10.9.0.0/16'],
      [],
      [makeMed(5), makeCommunities([(65002 << 16) | 7])],
    ),
  );
  b.socket.write(update(65003, 0x7f000003, ['10.1.0.0/16', '10.2.0.0/16'], []));
  await waitFor(
    'routes in the Loc-RIB',
    () =>
      speaker.rde.ribs['ipv4-unicast'].size === 5 &&
      !speaker.rde.busy &&
      speaker.rde.adjRibInCount('b') === 2,
  );
  const call: Fixture['call'] = async (method, url, body) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TOKEN}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return {
      status: res.statusCode,
      json: String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body,
    };
  };
  return {
    dir,
    file,
    speaker,
    reloader,
    app,
    logs,
    peers: { a, b },
    call,
    close: async () => {
      await app.close();
      a.close();
      b.close();
      await speaker.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The admin API's settings: the `admin` section's checks (each naming its key path), the token rules at
// start (none or the example token off loopback refused, token files), the bearer comparison, TLS, and a
// port that cannot be bound.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../daemon/config/load.js';
import { adminToken, bearerChecker } from '../../daemon/admin/auth.js';
import { startAdmin } from '../../daemon/admin/server.js';
import { createLogger } from '../../daemon/log.js';
import type { AdminConfig } from '../../daemon/config/types.js';
import { isXbgpdError } from '../../daemon/errors.js';
import { startFixture, TOKEN } from './fixture.js';
import { requireTools } from '../helpers/env.js';

const base = 'router-id: 192.0.2.1\nasn: 65001\n';

function issuesOf(admin: string, baseDir?: string): string[] {
  const r = parseConfig(`${base}admin: ${admin}\n`, baseDir === undefined ? {} : { baseDir });
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

function settings(extra: Partial<AdminConfig>): AdminConfig {
  return { address: '127.0.0.1', port: 0, publicMetrics: false, stateDir: '/nonexistent', ...extra };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isXbgpdError(err) ? err.code : String(err);
  }
}

describe('admin api settings', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-admin-settings-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the admin section: each problem at its key path', () => {
    expect(issuesOf('{ address: localhost, port: 8179 }')).to.deep.equal([
      'admin.address: must be an IPv4 or IPv6 address',
    ]);
    expect(issuesOf('{ address: 127.0.0.1, port: 70000 }')).to.deep.equal([
      'admin.port: must be from 0 to 65535',
    ]);
    expect(issuesOf('{ address: 127.0.0.1, port: 1, tokn: x }')).to.deep.equal(['admin.tokn: unknown key']);
    expect(issuesOf('{ address: 192.0.2.1, port: 8179 }')).to.deep.equal([
      'admin.token: is required when admin.address (192.0.2.1) is not a loopback address',
    ]);
    expect(issuesOf('{ address: "::", port: 8179, token: change-me }')[0]).to.match(
      /^admin\.token: is the example token 'change-me'/,
    );
    expect(issuesOf('{ address: 127.0.0.1, port: 1, token: a, token-file: t }', dir)).to.include(
      "admin.token-file: give either 'token' or 'token-file', not both",
    );
    expect(issuesOf('{ address: 127.0.0.1, port: 1, tls: { cert: c.pem, key: k.pem } }', dir)).to.deep.equal([
      "admin.tls.cert: 'c.pem': no such file (a relative path is from the config file's directory)",
      "admin.tls.key: 'k.pem': no such file (a relative path is from the config file's directory)",
    ]);
    expect(issuesOf('{ address: 127.0.0.1, port: 1, public-metrics: sometimes }')).to.deep.equal([
      'admin.public-metrics: must be true or false',
    ]);
    // The shipped example keeps the example token on loopback: allowed.
    const ok = parseConfig(`${base}admin: { address: 127.0.0.1, port: 8179, token: change-me }\n`);
    expect(ok.ok && ok.config.admin).to.deep.include({
      address: '127.0.0.1',
      port: 8179,
      publicMetrics: false,
    });
  });

  it('refuses at start: no token or the example token off loopback, an empty or unreadable token file', () => {
    expect(codeOf(() => adminToken(settings({ address: '192.0.2.1' })))).to.equal('ERR_ADMIN_CONFIG');
    expect(codeOf(() => adminToken(settings({ address: '::', token: 'change-me' })))).to.equal(
      'ERR_ADMIN_CONFIG',
    );
    const example = join(dir, 'example-token');
    writeFileSync(example, 'change-me\n');
    expect(codeOf(() => adminToken(settings({ address: '10.0.0.1', tokenFile: example })))).to.equal(
      'ERR_ADMIN_CONFIG',
    );
    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n');
    expect(codeOf(() => adminToken(settings({ tokenFile: empty })))).to.equal('ERR_ADMIN_CONFIG');
    expect(codeOf(() => adminToken(settings({ tokenFile: join(dir, 'missing') })))).to.equal(
      'ERR_ADMIN_CONFIG',
    );
    const good = join(dir, 'token');
    writeFileSync(good, '  from-a-file \n');
    expect(adminToken(settings({ address: '10.0.0.1', tokenFile: good }))).to.equal('from-a-file');
    expect(adminToken(settings({ token: 'change-me' })), 'loopback may keep the example').to.equal(
      'change-me',
    );
    expect(adminToken(settings({ address: '::1' })), 'loopback may go without').to.equal(undefined);
  });

  it('compares the bearer token exactly', () => {
    const ok = bearerChecker('tok-en');
    expect(['Bearer tok-en', 'bearer tok-en', 'Bearer  tok-en '].map(ok)).to.deep.equal([true, true, true]);
    expect(
      [
        undefined,
        '',
        'Bearer',
        'Bearer tok-e',
        'Bearer tok-enn',
        'Bearer TOK-EN',
        'tok-en',
        'Basic tok-en',
        'Bearer tok en',
      ].map(ok),
    ).to.deep.equal([false, false, false, false, false, false, false, false, false]);
    expect(bearerChecker(undefined)(undefined), 'no token configured').to.equal(true);
  });

  it('serves over TLS with the configured certificate, and reports a port it cannot bind', async function () {
    this.timeout(20_000);
    requireTools(this, 'openssl');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const f = await startFixture();
    const log = createLogger({ level: 'silent' });
    try {
      const server = await startAdmin(
        { speaker: f.speaker, log, version: 'x' },
        settings({ token: TOKEN, tls: { cert, key } }),
      );
      try {
        expect(server.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
        const body = await new Promise<string>((resolve, reject) => {
          https
            .get(
              `${server.url}/api/v1/status`,
              { rejectUnauthorized: false, headers: { authorization: `Bearer ${TOKEN}` } },
              (res) => {
                let text = '';
                res.on('data', (c: Buffer) => (text += c.toString()));
                res.on('end', () => resolve(text));
              },
            )
            .on('error', reject);
        });
        expect(JSON.parse(body)).to.deep.include({ routerId: '192.0.2.1' });
        const err = await startAdmin(
          { speaker: f.speaker, log, version: 'x' },
          settings({ port: server.port }),
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isXbgpdError(err) && err.code).to.equal('ERR_ADMIN_LISTEN');
      } finally {
        await server.close();
      }
    } finally {
      await f.close();
    }
  });
});

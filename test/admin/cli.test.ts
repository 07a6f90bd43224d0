// xbgpctl's commands on the admin API (daemon/cli/ctl.ts) against the fixture's daemon over a real socket:
// where the daemon and the token come from, the tables, --json, and an exit status per kind of failure.
import { expect } from 'chai';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../daemon/cli/ctl.js';
import { exitCodes } from '../../daemon/cli/ctl-client.js';
import { startFixture, TOKEN, type Fixture } from './fixture.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { requireTools } from '../helpers/env.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe('xbgpctl on the admin API', function () {
  this.timeout(20_000);
  let f: Fixture;
  let url: string;
  const ctl = async (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> => {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), env });
    return { code, out, err };
  };
  const as = (argv: string[]): Promise<Run> => ctl(['--url', url, '--token', TOKEN, ...argv]);

  before(async () => {
    f = await startFixture();
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(f.app.server.address() as net.AddressInfo).port}`;
  });
  after(async () => f.close());

  it('finds the daemon and token from flags, XBGPD_URL / XBGPD_TOKEN, or -c CONFIG', async () => {
    expect((await as(['status'])).code).to.equal(0);
    expect((await ctl(['status'], { XBGPD_URL: url, XBGPD_TOKEN: TOKEN })).code).to.equal(0);
    const port = (f.app.server.address() as net.AddressInfo).port;
    const config = join(f.dir, 'ctl.yaml');
    writeFileSync(
      config,
      `router-id: 192.0.2.1\nasn: 65001\nadmin: { address: 127.0.0.1, port: ${port}, token-file: token }\n`,
    );
    writeFileSync(join(f.dir, 'token'), `${TOKEN}\n`);
    const viaConfig = await ctl(['-c', config, 'peers']);
    expect(viaConfig.code, viaConfig.err).to.equal(0);
    expect(viaConfig.out).to.match(/^Name\s+Address\s+AS\s+State/);
  });

  it('prints aligned tables: peers, a peer, the RIB with the deciding step, a prefix with > on the best', async () => {
    const peers = (await as(['peers'])).out.trimEnd().split('\n');
    expect(peers).to.have.length(3);
    expect(peers[1]).to.match(
      /^a\s+127\.0\.0\.2\s+65002\s+Established\s+\S+ \S+\s+\d\d:\d\d:\d\d\s+3\s+3\s+2\s+3$/,
    );
    // Columns line up: every row has its State column where the header has it.
    const col = peers[0]!.indexOf('State');
    expect(peers.slice(1).map((l) => l.slice(col, col + 11))).to.deep.equal(['Established', 'Established']);
    const peer = (await as(['peer', 'a'])).out;
    expect(peer).to.match(/Peer advertised: mp:ipv4-unicast four-octet-as/);
    expect(peer).to.match(/received\s+0\s+1\s+2\s+0\s+1\s+0/);
    const rib = (await as(['rib', 'ipv4-unicast'])).out.split('\n');
    expect(rib[0]).to.match(/^Prefix\s+From\s+Next hop\s+AS path\s+Step\s+Paths\s+Attributes$/);
    expect(rib[1]).to.match(/^10\.1\.0\.0\/16\s+b\s+127\.0\.0\.3\s+65003 i\s+as-path-length\s+2$/);
    expect(rib[2]).to.match(
      /^10\.1\.1\.0\/24\s+a\s+127\.0\.0\.2\s+65002 i\s+only-path\s+1\s+med 5 comm 65002:7$/,
    );
    const one = (await as(['rib', 'ipv4-unicast', '10.1.0.0/16'])).out.split('\n');
    expect(one[0]).to.equal('10.1.0.0/16  (ipv4-unicast)');
    expect(one[2]).to.match(/^ {5}a\s+127\.0\.0\.2\s+65002 65100 i\s+lost at as-path-length$/);
    expect(one[3]).to.match(/^ {2}> {2}b\s+127\.0\.0\.3\s+65003 i\s+best: as-path-length$/);
    const longer = (await as(['rib', 'ipv4-unicast', '10.1.0.0/16', '--longer', '--limit', '1'])).out.split(
      '\n',
    );
    expect(longer.slice(1).filter(Boolean)).to.have.length(1);
    const out = (await as(['adj-rib-out', 'a', 'ipv4-unicast'])).out;
    expect(out).to.match(/^10\.2\.0\.0\/16\s+127\.0\.0\.1\s+65001 65003 i$/m);
  });

  it('--json prints the API answer', async () => {
    const r = await as(['--json', 'rib', 'ipv4-unicast', '--peer', 'b']);
    expect(JSON.parse(r.out).entries.map((e: any) => e.prefix)).to.deep.equal(['10.1.0.0/16', '10.2.0.0/16']);
  });

  it('acts: soft resets and reload', async () => {
    expect((await as(['reset', 'a', '--soft-in'])).out).to.equal(
      'a: soft-in reset: 0 path(s) changed by import\n',
    );
    expect((await as(['reset', 'b', '--soft-out'])).out).to.equal(
      'b: soft-out reset: 3 prefix(es) sent again\n',
    );
    expect((await as(['reload'])).out).to.equal('reloaded: nothing changed\n');
    expect(f.peers.a.closed || f.peers.b.closed).to.equal(false);
  });

  it('exits with a status per failure: usage, unreachable, unauthorized, not found, invalid, conflict', async () => {
    expect((await as(['frobnicate'])).code).to.equal(exitCodes.usage);
    expect((await as(['rib', 'ipv5'])).code).to.equal(exitCodes.usage);
    expect((await ctl(['status'])).code, 'no URL').to.equal(exitCodes.usage);
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const unreachable = await ctl(['--url', `http://127.0.0.1:${closed}`, 'status']);
    expect(unreachable.code).to.equal(exitCodes.unreachable);
    expect(unreachable.err).to.match(/cannot reach/);
    const denied = await ctl(['--url', url, '--token', 'nope', 'status']);
    expect([denied.code, denied.err]).to.deep.equal([
      exitCodes.unauthorized,
      'xbgpctl: ERR_API_UNAUTHORIZED: missing or wrong bearer token\n',
    ]);
    expect((await as(['peer', 'zed'])).code).to.equal(exitCodes.notFound);
    const invalid = await as(['rib', 'ipv4-unicast', '10.1.0.0/33', '--longer']);
    expect(invalid.code).to.equal(exitCodes.invalid);
    expect(invalid.err).to.match(/query\.prefix/);
    expect((await as(['shutdown', 'b', '-m', 'bye'])).out).to.equal('b: shut down (Idle)\n');
    expect((await as(['reset', 'b', '--soft-in'])).code).to.equal(exitCodes.conflict);
  });

  it('plugin load (multipart from the manifest and its objects), list, show, disable, dry-run, unload', async function () {
    requireTools(this, 'clang');
    const manifest = shippedPlugin('community_tagger');
    const conf = join(f.dir, 'conf.json');
    writeFileSync(conf, JSON.stringify({ conf: { community: { type_arg: 'str', arg: '65001:9' } } }));
    // b was shut down by the test above: the plugin goes towards a.
    const loaded = await as(['plugin', 'load', manifest, '--peers', 'a', '--conf', conf]);
    expect(loaded.code, loaded.err).to.equal(0);
    expect(loaded.out).to.match(/^community_tagger: loaded \(.*no session reset\)$/m);
    const list = (await as(['plugin', 'list'])).out.split('\n');
    expect(list[0]).to.match(/^Name\s+Enabled\s+Peers\s+Pluglets\s+Calls\s+Faults\s+Source$/);
    expect(list[1]).to.match(/^community_tagger\s+yes\s+a\s+1\s+\d+\s+0\s+api$/);
    const show = (await as(['plugin', 'show', 'community_tagger'])).out;
    expect(show).to.match(/^\s+community_tagger\s+bgp_pre_outbound_filter\s+replace\s+0\s/m);
    expect((await as(['plugin', 'disable', 'community_tagger'])).out).to.match(/^community_tagger: disabled/);
    const dry = await as(['plugin', 'dry-run', 'community_tagger']);
    expect(dry.out).to.match(/^a\s+\d+\s+\d+\s+[1-9]\d*$/m);
    expect((await as(['plugin', 'unload', 'community_tagger'])).out).to.match(/^community_tagger: unloaded/);
    expect((await as(['plugin', 'show', 'community_tagger'])).code).to.equal(exitCodes.notFound);
    const missing = await as(['plugin', 'load', join(f.dir, 'nothing.plugin')]);
    expect(missing.code).to.equal(exitCodes.usage);
    expect(f.peers.a.closed).to.equal(false);
  });
});

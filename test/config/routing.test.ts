// Configuration keys of the routing issue (issue 5): per-peer next-hop-self, send-med,
// min-route-advertisement-interval, import/export; top-level policies, ebgp-requires-policy, decision,
// originate-mrt (resolved against the config file's directory and checked to be a readable file).
// The broken forms of these keys are in test/config/bad/ (policy-*.yaml, routing-keys-bad.yaml, ...).
import { expect } from 'chai';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../daemon/config/load.js';
import { checkConfigFile } from '../../daemon/config/check.js';

const base = 'router-id: 192.0.2.1\nasn: 65001\n';

describe('config: routing keys', function () {
  it('defaults: no policy, next-hop-self and send-med off, MRAI 0, decision options off', function () {
    const r = parseConfig(base + 'peers:\n  - { name: a, address: 192.0.2.2, asn: 65002 }\n');
    if (!r.ok) expect.fail(JSON.stringify(r.issues));
    const c = r.config;
    expect(c.policies).to.deep.equal({});
    expect(c.ebgpRequiresPolicy).to.equal(false);
    expect(c.decision).to.deep.equal({ alwaysCompareMed: false, deterministicMed: false });
    expect(c.originateMrt).to.equal(undefined);
    const peer = c.peers[0]!;
    expect(peer).to.deep.include({ nextHopSelf: false, sendMed: false, minRouteAdvertisementInterval: 0 });
    expect(peer.importPolicy).to.equal(undefined);
    expect(peer.exportPolicy).to.equal(undefined);
  });

  it('reads every key', function () {
    const r = parseConfig(
      base +
        `ebgp-requires-policy: true
decision: { always-compare-med: true, deterministic-med: true }
policies:
  in:
    - name: bogons
      match: { prefix: ["10.0.0.0/8 le 32", { prefix: "2001:db8::/32", ge: 48 }] }
      action: reject
    - match:
        as-path: { contains: 65010, origin: [65011, 65012], regex: "^65002( |$)", length-le: 10, length-ge: 1 }
        community: [no-export, "65000:1"]
        large-community: "65000:1:2"
        next-hop: ["192.0.2.0/24", "2001:db8::1"]
      set:
        local-pref: 120
        med: 7
        prepend: { asn: 65009, count: 2 }
        community: { add: "65000:2", remove: ["65000:1"] }
        large-community: { add: ["65000:3:4"], remove: "65000:1:2" }
peers:
  - name: a
    address: 192.0.2.2
    asn: 65002
    next-hop-self: true
    send-med: true
    min-route-advertisement-interval: 30
    import: in
    export: [{ set: { prepend: 3 } }]
`,
    );
    if (!r.ok) expect.fail(JSON.stringify(r.issues));
    const c = r.config;
    expect(c.ebgpRequiresPolicy).to.equal(true);
    expect(c.decision).to.deep.equal({ alwaysCompareMed: true, deterministicMed: true });
    const peer = c.peers[0]!;
    expect(peer).to.deep.include({ nextHopSelf: true, sendMed: true, minRouteAdvertisementInterval: 30 });
    expect(peer.importPolicy).to.equal(c.policies.in);
    expect(peer.exportPolicy).to.deep.equal([{ set: { prepend: { count: 3 } } }]);
    const [bogons, tag] = c.policies.in!;
    expect(bogons!.name).to.equal('bogons');
    expect(bogons!.action).to.equal('reject');
    expect(bogons!.match!.prefix!.map((p) => [p.prefix, p.family, p.length, p.ge, p.le])).to.deep.equal([
      ['10.0.0.0/8', 'ipv4-unicast', 8, 8, 32],
      ['2001:db8::/32', 'ipv6-unicast', 32, 48, 128],
    ]);
    expect([...bogons!.match!.prefix![0]!.address]).to.deep.equal([10, 0, 0, 0]);
    expect(tag!.action).to.equal(undefined);
    expect(tag!.match!.asPath).to.deep.equal({
      contains: [65010],
      origin: [65011, 65012],
      regex: '^65002( |$)',
      lengthLe: 10,
      lengthGe: 1,
    });
    expect(tag!.match!.community).to.deep.equal([
      [65535, 65281],
      [65000, 1],
    ]);
    expect(tag!.match!.largeCommunity).to.deep.equal([[65000, 1, 2]]);
    expect(tag!.match!.nextHop!.map((p) => [p.prefix, p.length, p.ge, p.le])).to.deep.equal([
      ['192.0.2.0/24', 24, 24, 32],
      ['2001:db8::1/128', 128, 128, 128],
    ]);
    expect(tag!.set).to.deep.equal({
      localPref: 120,
      med: 7,
      prepend: { asn: 65009, count: 2 },
      community: { add: [[65000, 2]], remove: [[65000, 1]] },
      largeCommunity: { add: [[65000, 3, 4]], remove: [[65000, 1, 2]] },
    });
  });

  describe('originate-mrt', function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'xbgpd-config-'));
      mkdirSync(join(dir, 'conf'));
      mkdirSync(join(dir, 'tables'));
      writeFileSync(join(dir, 'tables', 'rib.mrt'), new Uint8Array(0));
    });
    after(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    it('a relative path is resolved against the config file directory, not the current one', async function () {
      const file = join(dir, 'conf', 'xbgpd.yaml');
      writeFileSync(file, base + 'originate-mrt: ../tables/rib.mrt\n');
      const r = await loadConfigFile(file);
      if (!r.ok) expect.fail(JSON.stringify(r.issues));
      expect(r.config.originateMrt).to.equal(join(dir, 'tables', 'rib.mrt'));
    });
    it('an absolute path is kept', async function () {
      const file = join(dir, 'conf', 'absolute.yaml');
      writeFileSync(file, base + `originate-mrt: ${join(dir, 'tables', 'rib.mrt')}\n`);
      const r = await loadConfigFile(file);
      if (!r.ok) expect.fail(JSON.stringify(r.issues));
      expect(r.config.originateMrt).to.equal(join(dir, 'tables', 'rib.mrt'));
    });
    it('a directory or a missing file fails --check-config with the key and line', async function () {
      const file = join(dir, 'conf', 'bad.yaml');
      writeFileSync(file, base + 'originate-mrt: ../tables\n');
      const errors: string[] = [];
      const code = await checkConfigFile(file, { out: () => {}, err: (l) => errors.push(l) });
      expect(code).to.equal(1);
      expect(errors).to.deep.equal([
        `${file}:3: originate-mrt: '../tables': not a regular file (a relative path is from the config file's directory)`,
      ]);
      writeFileSync(file, base + 'originate-mrt: rib.mrt\n');
      const r = await loadConfigFile(file);
      expect(r.ok).to.equal(false);
      if (!r.ok)
        expect(r.issues.map((i) => i.message)).to.deep.equal([
          `'rib.mrt': no such file (a relative path is from the config file's directory)`,
        ]);
    });
  });
});

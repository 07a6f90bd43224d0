// topology/compose.yaml and topology/xbgpd.clab.yml describe the same three routers: same images,
// addresses, commands, mounted configurations and environment, on the same subnet; and the peers each
// configuration in topology/config/ names are the other routers' addresses. No containers run here
// (compose.test.ts brings the compose file up).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/env.js';
import { readCompose } from './compose.js';

const dir = join(repoRoot, 'topology');
const compose = readCompose(join(dir, 'compose.yaml'));
const clab = parse(readFileSync(join(dir, 'xbgpd.clab.yml'), 'utf8')) as {
  mgmt: { 'ipv4-subnet': string };
  topology: { nodes: Record<string, Record<string, any>>; links?: unknown[] };
};
const addressOf = (service: string): string | undefined =>
  compose.services[service]?.networks?.['bgp']?.ipv4_address;

describe('containers: the compose.yaml and containerlab topologies', function () {
  it('have the same routers with the same images, addresses, commands, configs and environment', function () {
    expect(Object.keys(clab.topology.nodes).sort()).to.deep.equal(Object.keys(compose.services).sort());
    expect(clab.mgmt['ipv4-subnet']).to.equal(compose.networks?.['bgp']?.ipam?.config?.[0]?.subnet);
    for (const [name, s] of Object.entries(compose.services)) {
      const node = clab.topology.nodes[name] ?? {};
      expect(node['image'], name).to.equal(s.image);
      expect(node['mgmt-ipv4'], name).to.equal(addressOf(name));
      expect(node['cmd'], name).to.equal(s.command?.join(' '));
      const binds = (node['binds'] as string[]).map((b) => `./${b}`);
      expect(binds, name).to.deep.equal(s.volumes);
      expect(node['env'] ?? {}, name).to.deep.equal(s.environment ?? {});
    }
  });

  it("has every configuration name the others' addresses as its peers", function () {
    const xbgpd = parse(readFileSync(join(dir, 'config', 'xbgpd.yaml'), 'utf8')) as {
      peers: { name: string; address: string }[];
      plugins: { manifest: string; peers: string[] }[];
    };
    for (const peer of xbgpd.peers) expect(peer.address, peer.name).to.equal(addressOf(peer.name));
    // The plugin is a shipped one, attached to one peer.
    const [plugin] = xbgpd.plugins;
    expect(plugin?.peers).to.deep.equal(['frr']);
    const shipped = plugin?.manifest.replace('/opt/xbgpd/', '') ?? '';
    expect(() => readFileSync(join(repoRoot, shipped))).to.not.throw();
    const bird = readFileSync(join(dir, 'config', 'bird.conf'), 'utf8');
    expect(bird).to.include(`neighbor ${addressOf('xbgpd')} as 65000;`);
    expect(bird).to.include(`local ${addressOf('bird')} as 65001;`);
    const frr = readFileSync(join(dir, 'config', 'frr.conf'), 'utf8');
    expect(frr).to.include(`neighbor ${addressOf('xbgpd')} remote-as 65000`);
  });
});

// A reload that changes only a peer's import or export policy keeps its session (no NOTIFICATION, same
// Session, no new Established): the DUT re-applies the policy to the routes it holds. Speakers over real
// TCP on 127.0.0.x: A announces two prefixes to the DUT, C watches what the DUT passes on.
import { expect } from 'chai';
import { parseConfig } from '../../daemon/config/load.js';
import { startSpeaker, waitFor, type TestSpeaker } from '../session/helpers.js';
import { edgeConfig } from './peers.js';

const running: TestSpeaker[] = [];

afterEach(async function () {
  await Promise.all(running.splice(0).map((s) => s.speaker.shutdown()));
});

function dutConfig(a: { import?: string; holdTime?: number } = {}, c: { export?: string } = {}): string {
  return `
router-id: 10.0.0.1
asn: 65000
listen: { address: 127.0.0.1, port: 0 }
peers:
  - name: a
    address: 127.0.0.2
    asn: 65001
    passive: true
${a.import ? `    import: ${a.import}\n` : ''}${a.holdTime ? `    hold-time: ${a.holdTime}\n` : ''}  - name: c
    address: 127.0.0.4
    asn: 65003
    passive: true
${c.export ? `    export: ${c.export}\n` : ''}`;
}

describe('rde: reload with a policy change', function () {
  it('applies a changed import or export policy without restarting the session; other changes still restart', async function () {
    const dut = await startSpeaker(dutConfig());
    running.push(dut);
    const port = dut.speaker.listening()[0]!.port;
    const a = await startSpeaker(edgeConfig('10.0.0.2', 65001, port, ['10.70.0.0/16', '10.71.0.0/16']));
    const c = await startSpeaker(edgeConfig('10.0.0.4', 65003, port, []));
    running.push(a, c);
    const atC = () =>
      (c.speaker.session('dut')!.received.toJSON()['ipv4-unicast'] ?? []).map(
        (r) => `${r.prefix} ${r.asPath}`,
      );
    await waitFor('C has both prefixes', () => atC().length === 2, 10000);
    const sessionA = dut.speaker.session('a')!;
    const sessionC = dut.speaker.session('c')!;
    const established = () => dut.lines('session established').length;
    const notifications = () =>
      dut.lines('notification sent').length +
      a.lines('notification received').length +
      c.lines('notification received').length;
    const upBefore = established();
    const sentByA = a.speaker.session('dut')!.updatesSent;
    const reload = async (yaml: string) => {
      const parsed = parseConfig(yaml);
      if (!parsed.ok) throw new Error(`bad config: ${JSON.stringify(parsed.issues)}`);
      return dut.speaker.reload(parsed.config);
    };

    // Import policy on A: 10.70/16 rejected, withdrawn from C; A's session stays, its routes stay held.
    const reject70 = `[{ match: { prefix: ['10.70.0.0/16'] }, action: reject }]`;
    const s1 = await reload(dutConfig({ import: reject70 }));
    expect(s1).to.deep.include({
      policyChanged: ['a'],
      changed: [],
      unchanged: ['c'],
      added: [],
      removed: [],
    });
    await waitFor('C lost 10.70/16', () => atC().length === 1, 10000);
    expect(atC()).to.deep.equal(['10.71.0.0/16 65000 65001']);
    expect(dut.speaker.rde.adjRibInCount('a'), 'Adj-RIB-In kept').to.equal(2);
    expect(dut.speaker.rde.adjRibIn('a')['ipv4-unicast']!.map((r) => r.rejected)).to.deep.equal([
      'policy',
      undefined,
    ]);

    // Export policy on C (prepend): C's one route is announced again with the longer path.
    const s2 = await reload(dutConfig({ import: reject70 }, { export: `[{ set: { prepend: 2 } }]` }));
    expect(s2).to.deep.include({ policyChanged: ['c'], changed: [], unchanged: ['a'] });
    await waitFor(
      'C sees the prepended path',
      () => atC()[0] === '10.71.0.0/16 65000 65000 65000 65001',
      10000,
    );

    // No policy on A again: 10.70/16 comes back from the kept copy.
    const s3 = await reload(dutConfig({}, { export: `[{ set: { prepend: 2 } }]` }));
    expect(s3.policyChanged).to.deep.equal(['a']);
    await waitFor('C has 10.70/16 again', () => atC().length === 2, 10000);

    expect(dut.speaker.session('a')).to.equal(sessionA);
    expect(dut.speaker.session('c')).to.equal(sessionC);
    expect(sessionA.state).to.equal('Established');
    expect(sessionC.state).to.equal('Established');
    expect(established(), 'no session came up again').to.equal(upBefore);
    expect(notifications(), 'no NOTIFICATION either way').to.equal(0);
    expect(a.speaker.session('dut')!.updatesSent, 'A sent nothing again').to.equal(sentByA);

    // A change outside policy still restarts the peer (CEASE 6/6).
    const s4 = await reload(dutConfig({ holdTime: 60 }, { export: `[{ set: { prepend: 2 } }]` }));
    expect(s4).to.deep.include({ policyChanged: [], changed: ['a'] });
    await waitFor('A told', () => a.lines('notification received').length === 1, 10000);
    expect(a.lines('notification received')[0]).to.include({ code: 6, subcode: 6 });
  });
});

// The message points between two speakers over TCP: speaker B's job plugin sends a message of type 8
// (schedule_bgp_message) to speaker A. With a bgp_decode_message plugin handling type 8, A counts it
// and both sessions stay Established; without it, A answers as RFC 4271 6.1 says: NOTIFICATION
// Message Header Error / Bad Message Type.
import { expect } from 'chai';
import type { TestSpeaker } from '../session/helpers.js';
import { startSpeaker, waitFor } from '../session/helpers.js';
import { requireTools } from '../helpers/env.js';
import { compilePlugin, workDir, writeManifest } from './support.js';

const running: TestSpeaker[] = [];
let dir = '';
let zombie = '';
let sender = '';

afterEach(async function () {
  await Promise.all(running.splice(0).map((s) => s.speaker.shutdown()));
});

async function speakers(withHandler: boolean): Promise<{ a: TestSpeaker; b: TestSpeaker }> {
  const a = await startSpeaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: b, address: 127.0.0.2, asn: 65002, passive: true }]
${withHandler ? `plugins: [{ manifest: '${zombie}', peers: [b] }]` : ''}
`);
  running.push(a);
  const b = await startSpeaker(`
router-id: 10.0.0.2
asn: 65002
peers: [{ name: a, address: 127.0.0.1, port: ${a.speaker.listening()[0]!.port}, local-address: 127.0.0.2, asn: 65001 }]
plugins: [{ manifest: '${sender}' }]
`);
  running.push(b);
  return { a, b };
}

describe('plugins: a new message type between two speakers', function () {
  before(function () {
    requireTools(this, 'clang');
    dir = workDir('msg-speakers');
    compilePlugin(dir, 'msg_zombie');
    compilePlugin(dir, 'msg_send_loopback');
    zombie = writeManifest(dir, {
      name: 'zombie',
      shared_mem: 4096,
      obj_code_list: { msg_zombie: { obj: 'msg_zombie.o', permissions: ['read', 'write', 'usr_ptr'] } },
      insertion_points: { bgp_decode_message: { replace: { '0': 'msg_zombie' } } },
    });
    sender = writeManifest(dir, {
      name: 'sender',
      obj_code_list: { msg_send_loopback: { obj: 'msg_send_loopback.o', permissions: ['read', 'write'] } },
      job_plugin: { schedule: 1 },
    });
  });

  it('handled by the receiver plugin: counted, both sessions stay up', async function () {
    this.timeout(20_000);
    const { a, b } = await speakers(true);
    const sa = a.speaker.session('b')!;
    const sb = b.speaker.session('a')!;
    await waitFor('both Established', () => sa.state === 'Established' && sb.state === 'Established');
    const memory = a.speaker.plugins!.plugins[0]!.plugin.memory;
    const count = (): bigint => {
      const at = memory.shmGet(8);
      return at < 0
        ? 0n
        : new DataView(memory.shared.buffer, memory.shared.byteOffset + at, 8).getBigUint64(0, true);
    };
    await waitFor('two messages handled', () => count() >= 2n, 8000);
    expect(sa.state).to.equal('Established');
    expect(sb.state).to.equal('Established');
    expect(a.lines('notification sent')).to.have.length(0);
    expect(b.lines('notification received')).to.have.length(0);
  });

  it('without a handler: NOTIFICATION Message Header Error / Bad Message Type (RFC 4271 6.1)', async function () {
    this.timeout(20_000);
    const { b } = await speakers(false);
    await waitFor('B told', () => b.lines('notification received', 'a').length > 0, 8000);
    expect(b.lines('notification received', 'a')[0]).to.include({ code: 1, subcode: 3 });
  });
});

// The message points at the hook level: bgp_decode_message handles a custom type (8) or leaves it to the
// native Bad Message Type error (other types, not Established, a fault), and schedule_bgp_message from a
// job reaches the router with the type and body.
import { expect } from 'chai';
import { FakeClock } from '../../daemon/clock.js';
import { JobRunner } from '../../daemon/plugins/points/jobs.js';
import { messageHook } from '../../daemon/plugins/points/message.js';
import type { RouterAccess } from '../../daemon/plugins/call.js';
import type { MessagePeer } from '../../daemon/session/message-hook.js';
import { requireTools } from '../helpers/env.js';
import {
  LOCAL_AS,
  ROUTER_ID,
  compilePlugin,
  loadHost,
  onePluglet,
  stubServices,
  workDir,
  writeManifest,
} from './support.js';

const PEER: MessagePeer = {
  name: 'a',
  asn: 65001,
  routerId: 1,
  ibgp: false,
  address: '10.0.0.1',
  localAddress: '10.0.0.100',
};

/** A whole message of `type` with `body`. */
function message(type: number, body: number[]): Uint8Array {
  const m = new Uint8Array(19 + body.length).fill(0xff, 0, 16);
  m[16] = m.length >>> 8;
  m[17] = m.length & 0xff;
  m[18] = type;
  m.set(body, 19);
  return m;
}

describe('plugins: bgp_decode_message and schedule_bgp_message', function () {
  it('a decode_message pluglet handles type 8; other types, outside Established, stay native', function () {
    requireTools(this, 'clang');
    const dir = workDir('msg');
    compilePlugin(dir, 'msg_zombie');
    const manifest = writeManifest(dir, {
      name: 'zombie',
      shared_mem: 4096,
      obj_code_list: { msg_zombie: { obj: 'msg_zombie.o', permissions: ['read', 'write', 'usr_ptr'] } },
      insertion_points: { bgp_decode_message: { replace: { '0': 'msg_zombie' } } },
    });
    const host = loadHost([{ manifest }]);
    const services = stubServices();
    const hook = messageHook(host, () => services, { asn: LOCAL_AS, routerId: ROUTER_ID }, 'a')!;
    expect(hook.customTypes).to.equal(true);
    const memory = host.plugins[0]!.plugin.memory;
    const count = (): bigint => {
      const at = memory.shmGet(8);
      return at < 0
        ? 0n
        : new DataView(memory.shared.buffer, memory.shared.byteOffset + at, 8).getBigUint64(0, true);
    };
    expect(hook.received(PEER, 8, message(8, [1, 2, 3]), true)).to.equal(true);
    expect(count()).to.equal(1n);
    expect(hook.received(PEER, 9, message(9, []), true), 'type 9: not handled').to.equal(false);
    expect(hook.received(PEER, 8, message(8, []), false), 'not Established: no replace').to.equal(false);
    expect(count()).to.equal(1n);
    expect(host.pluglets()[0]!.stats.faults).to.equal(0);
  });

  it('a faulting decode_message pluglet leaves the native outcome and is counted', function () {
    requireTools(this, 'clang');
    const dir = workDir('msg-fault');
    compilePlugin(dir, 'msg_fault');
    const host = loadHost([{ manifest: onePluglet(dir, 'faulty', 'msg_fault', 'bgp_decode_message') }]);
    const services = stubServices();
    const hook = messageHook(host, () => services, { asn: LOCAL_AS, routerId: ROUTER_ID }, 'a')!;
    expect(hook.received(PEER, 8, message(8, [0]), true)).to.equal(false);
    expect(host.pluglets()[0]!.stats.faults).to.equal(1);
  });

  it('schedule_bgp_message from a job reaches the router with the type, body and address', function () {
    requireTools(this, 'clang');
    const dir = workDir('msg-send');
    compilePlugin(dir, 'msg_send');
    const manifest = writeManifest(dir, {
      name: 'sender',
      obj_code_list: { msg_send: { obj: 'msg_send.o', permissions: ['read', 'write', 'usr_ptr'] } },
      job_plugin: { schedule: 1 },
    });
    const host = loadHost([{ manifest }]);
    const sent: { address: string; type: number; body: string }[] = [];
    const router = {
      sendMessage: (address: string, type: number, body: Uint8Array) => {
        sent.push({ address, type, body: Buffer.from(body).toString() });
        return true;
      },
    } as unknown as RouterAccess;
    const clock = new FakeClock();
    const jobs = new JobRunner(host, clock, () => stubServices({ router: () => router }));
    jobs.start();
    clock.advance(1000);
    jobs.stop();
    expect(host.pluglets()[0]!.stats.faults).to.equal(0);
    expect(sent).to.deep.equal([{ address: '10.0.0.1', type: 8, body: 'zombie' }]);
  });

  it('bgp_encode_message rewrites a scheduled message; other messages go as built', function () {
    requireTools(this, 'clang');
    const dir = workDir('msg-encode');
    compilePlugin(dir, 'msg_shout');
    const manifest = onePluglet(dir, 'shout', 'msg_shout', 'bgp_encode_message');
    const host = loadHost([{ manifest }]);
    const services = stubServices();
    const hook = messageHook(host, () => services, { asn: LOCAL_AS, routerId: ROUTER_ID }, 'a')!;
    const zombie = message(
      8,
      [...'zombie'].map((c) => c.charCodeAt(0)),
    );
    const sent = hook.sending(PEER, 8, zombie, true, 4096);
    expect(Array.from(sent)).to.deep.equal(
      Array.from(
        message(
          8,
          [...'ZOMBIE!'].map((c) => c.charCodeAt(0)),
        ),
      ),
    );
    // A KEEPALIVE (type 4, xbgpd's own) is never replaced.
    const keepalive = message(4, []);
    expect(hook.sending(PEER, 4, keepalive, false, 4096)).to.equal(keepalive);
    expect(host.pluglets()[0]!.stats.faults).to.equal(0);
  });
});

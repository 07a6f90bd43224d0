// The helpers that answer from the running call or the plugin (base-context.ts), called directly
// with a hand-made Call over real checked memory: get_arg, whereami, next, reschedule_plugin, and
// the extra-configuration getters on the all-types fixture.
import { expect } from 'chai';
import { join } from 'node:path';
import { VmFault } from '../../../vm/index.js';
import { ArgType, INSERTION_POINT_RESERVED, POINTS } from '../../../xbgp-api/index.js';
import { readExtraConfFile, type ExtraConf } from '../../../daemon/plugins/extra-conf.js';
import { repoRoot } from '../../helpers/env.js';
import { Harness } from './harness.js';

const M1 = 0xffff_ffff_ffff_ffffn;

function conf(): ExtraConf {
  const r = readExtraConfFile(join(repoRoot, 'test/plugins/fixtures/extra-conf/all-types.json'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.conf;
}

function expectMisuse(h: Harness, r: bigint | VmFault, message: RegExp): void {
  expect(r).to.be.instanceOf(VmFault);
  expect(h.call.helperFault?.code).to.equal('ERR_PLUGIN_HELPER');
  expect(h.call.helperFault?.message).to.match(message);
}

describe('plugins/helpers: get_arg', function () {
  // [argument bytes, size of the heap copy the plugin may read]
  const CASES: readonly [number, number[], number][] = [
    [ArgType.ARG_CODE, [42], 8],
    [ArgType.ARG_LENGTH, [0x34, 0x12], 8],
    [ArgType.ARG_DATA, Array.from({ length: 20 }, (_, i) => i), 20],
    [ArgType.ARG_FLAGS, [], 8],
  ];
  for (const [type, bytes, size] of CASES) {
    it(`type ${type}, ${bytes.length} bytes: a heap copy of ${size} bytes, zero-padded`, function () {
      const h = new Harness();
      // Leave garbage where the copy will go.
      h.memory.heap.fill(0xaa);
      h.call.args.set(type, Uint8Array.from(bytes));
      const addr = h.invoke('get_arg', BigInt(type)) as bigint;
      expect(addr - h.mem.addressOf('heap')!).to.equal(0n);
      const expected = [...bytes, ...Array<number>(size - bytes.length).fill(0)];
      expect([...h.bytesAt(addr, size)]).to.deep.equal(expected);
      expect(h.memory.heapUsed).to.equal((size + 7) & ~7);
    });
  }

  it('NULL for a type the call does not have, or when the heap is full', function () {
    const h = new Harness({ heap: 16 });
    h.call.args.set(ArgType.ARG_DATA, new Uint8Array(24));
    expect(h.invoke('get_arg', BigInt(ArgType.ARG_CODE))).to.equal(0n);
    expect(h.invoke('get_arg', BigInt(ArgType.ARG_DATA))).to.equal(0n);
    // unsigned int: the low 32 bits of the register
    h.call.args.set(ArgType.ARG_CODE, Uint8Array.of(1));
    expect(h.invoke('get_arg', 0x1_0000_0000n + BigInt(ArgType.ARG_CODE))).to.not.equal(0n);
  });
});

describe('plugins/helpers: whereami', function () {
  for (const p of POINTS.filter((_, i) => i % 5 === 0)) {
    it(`at ${p.name}: ${p.id}`, function () {
      expect(new Harness({ point: p.name }).invoke('whereami')).to.equal(BigInt(p.id));
    });
  }
  it(`in a job plugin: ${INSERTION_POINT_RESERVED}`, function () {
    expect(new Harness({ point: 'job_plugins', job: true }).invoke('whereami')).to.equal(
      BigInt(INSERTION_POINT_RESERVED),
    );
  });
});

describe('plugins/helpers: next', function () {
  it('from a replace pluglet: asks for the next one and returns 0', function () {
    const h = new Harness({ anchor: 'replace' });
    expect(h.invoke('next')).to.equal(0n);
    expect(h.call.nextRequested).to.equal(true);
    expect(h.call.helperFault).to.equal(undefined);
  });
  for (const anchor of ['pre', 'post'] as const) {
    it(`from a ${anchor} pluglet: a misuse, the chain is not asked to go on`, function () {
      const h = new Harness({ anchor });
      expectMisuse(h, h.invoke('next'), new RegExp(`^next: called from a ${anchor} pluglet`));
      expect(h.call.nextRequested).to.equal(false);
    });
  }
});

describe('plugins/helpers: reschedule_plugin', function () {
  const time = (h: Harness, s: bigint): bigint => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, s, true);
    return h.put(b);
  };
  const CASES: readonly [bigint, bigint, number[]][] = [
    [30n, 0n, [30]],
    [1n, 0n, [1]],
    [2_147_483_647n, 0n, [2_147_483_647]],
    [0n, M1, []],
    [-5n, M1, []],
    [2_147_483_648n, M1, []],
  ];
  for (const [seconds, r0, periods] of CASES) {
    it(`*time = ${seconds}: returns ${BigInt.asIntN(64, r0)}, reschedules ${JSON.stringify(periods)}`, function () {
      const h = new Harness({ point: 'job_plugins', job: true });
      expect(h.invoke('reschedule_plugin', time(h, seconds))).to.equal(r0);
      expect(h.job!.periods).to.deep.equal(periods);
    });
  }

  it('NULL keeps the schedule: 0, nothing asked', function () {
    const h = new Harness({ point: 'job_plugins', job: true });
    expect(h.invoke('reschedule_plugin', 0n)).to.equal(0n);
    expect(h.job!.periods).to.deep.equal([]);
  });

  it('a bad pointer faults; outside a job plugin it is a misuse', function () {
    const h = new Harness({ point: 'job_plugins', job: true });
    expect(h.invoke('reschedule_plugin', 0x77_0000_0000n)).to.be.instanceOf(VmFault);
    const p = new Harness();
    expectMisuse(p, p.invoke('reschedule_plugin', time(p, 30n)), /^reschedule_plugin: only job plugins/);
  });
});

describe('plugins/helpers: the extra configuration getters', function () {
  const c = conf();
  const INFO = 16;

  /** get_extra_info(key): [r0, hidden_ptr, type, the handle's address]. */
  function top(h: Harness, key: string): [bigint, bigint, number, bigint] {
    const out = h.room(INFO);
    const r = h.invoke('get_extra_info', h.cstr(key), out) as bigint;
    const view = new DataView(h.bytesAt(out, INFO).buffer);
    return [r, view.getBigUint64(0, true), view.getInt32(8, true), out];
  }

  /** get_extra_info_value of the handle at `info` into a buffer of `len`: [r0, the bytes]. */
  function value(h: Harness, info: bigint, len: number): [bigint, number[]] {
    const buf = h.put(new Uint8Array(len).fill(0xee));
    const r = h.invoke('get_extra_info_value', info, buf, BigInt(len)) as bigint;
    return [r, [...h.bytesAt(buf, len)]];
  }

  // [key, type id, the bytes get_extra_info_value copies]
  const SCALARS: readonly [string, number, number[]][] = [
    ['asn', 1, [0xe9, 0xfd, 0, 0, 0, 0, 0, 0]],
    ['negative', 1, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['weight', 2, [0, 0, 0, 0, 0, 0, 0xe0, 0x3f]],
    ['router_id', 3, [192, 0, 2, 1]],
    ['nexthop6', 4, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['local_net', 5, [2, 0, 0, 0, 8, 0, 0, 0, 10, 0, 0, 0]],
    ['site', 9, [0x5a, 0xc3, 0xbc, 0x72, 0x69, 0x63, 0x68, 0]],
  ];
  for (const [key, type, bytes] of SCALARS) {
    it(`"${key}": a handle of type ${type}; the value copies ${bytes.length} bytes, -1 with one byte less`, function () {
      const h = new Harness({ extraConf: c });
      const [r, id, t, info] = top(h, key);
      expect([r, t]).to.deep.equal([0n, type]);
      expect(id).to.equal(BigInt(c.keys.get(key)!.id));
      expect(value(h, info, bytes.length)).to.deep.equal([0n, bytes]);
      expect(value(h, info, bytes.length - 1)).to.deep.equal([
        M1,
        Array<number>(bytes.length - 1).fill(0xee),
      ]);
    });
  }

  it('walks a list (get_extra_info_lst_idx) to its end', function () {
    const h = new Harness({ extraConf: c });
    const [, , type, list] = top(h, 'rr_clients');
    expect(type).to.equal(7);
    const out = h.room(INFO);
    const seen: number[][] = [];
    for (let i = 0n; ; i++) {
      const r = h.invoke('get_extra_info_lst_idx', list, i, out);
      if (r === M1) break;
      expect(r).to.equal(0n);
      seen.push(value(h, out, 4)[1]);
    }
    expect(seen).to.deep.equal([
      [10, 21, 42, 2],
      [10, 21, 42, 5],
    ]);
    expect(h.invoke('get_extra_info_lst_idx', list, M1, out)).to.equal(M1); // index -1
  });

  it('looks up nested dicts (get_extra_info_dict) down to a string', function () {
    const h = new Harness({ extraConf: c });
    const [, , , neighbors] = top(h, 'neighbors');
    const peer = h.room(INFO);
    expect(h.invoke('get_extra_info_dict', neighbors, h.cstr('65002'), peer)).to.equal(0n);
    const st = h.room(INFO);
    expect(h.invoke('get_extra_info_dict', peer, h.cstr('session_type'), st)).to.equal(0n);
    const buf = h.room(16);
    expect(h.invoke('get_extra_info_value', st, buf, 16n)).to.equal(0n);
    expect(h.stringAt(buf)).to.equal('customer');
  });

  // Each returns -1 and writes nothing.
  const FAILS: readonly [string, (h: Harness, out: bigint) => bigint | VmFault][] = [
    ['a missing top-level key', (h, out) => h.invoke('get_extra_info', h.cstr('nope'), out)],
    ['a NULL key', (h, out) => h.invoke('get_extra_info', 0n, out)],
    [
      'a dict key that is absent',
      (h, out) => h.invoke('get_extra_info_dict', top(h, 'neighbors')[3], h.cstr('1'), out),
    ],
    [
      'a dict lookup in a list',
      (h, out) => h.invoke('get_extra_info_dict', top(h, 'rr_clients')[3], h.cstr('0'), out),
    ],
    ['a NULL dict key', (h, out) => h.invoke('get_extra_info_dict', top(h, 'neighbors')[3], 0n, out)],
    [
      'an index past the end',
      (h, out) => h.invoke('get_extra_info_lst_idx', top(h, 'rr_clients')[3], 2n, out),
    ],
    ['an index into a dict', (h, out) => h.invoke('get_extra_info_lst_idx', top(h, 'neighbors')[3], 0n, out)],
    ['an empty list', (h, out) => h.invoke('get_extra_info_lst_idx', top(h, 'nothing')[3], 0n, out)],
    ['the value of a list', (h, out) => h.invoke('get_extra_info_value', top(h, 'rr_clients')[3], out, 16n)],
    [
      'a forged handle',
      (h, out) =>
        h.invoke('get_extra_info_value', h.put(Uint8Array.of(99, 0, 0, 0, 0, 0, 0, 0, 1)), out, 16n),
    ],
    ['a NULL handle', (h, out) => h.invoke('get_extra_info_lst_idx', 0n, 0n, out)],
  ];
  for (const [what, call] of FAILS) {
    it(`${what}: -1, nothing written`, function () {
      const h = new Harness({ extraConf: c });
      const out = h.put(new Uint8Array(INFO).fill(0xee));
      expect(call(h, out)).to.equal(M1);
      expect([...h.bytesAt(out, INFO)]).to.deep.equal(Array<number>(INFO).fill(0xee));
    });
  }

  it('every getter returns -1 when the plugin has no extra configuration', function () {
    const h = new Harness();
    const out = h.room(INFO);
    const handle = h.put(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 1));
    expect(h.invoke('get_extra_info', h.cstr('asn'), out)).to.equal(M1);
    expect(h.invoke('get_extra_info_dict', handle, h.cstr('asn'), out)).to.equal(M1);
    expect(h.invoke('get_extra_info_lst_idx', handle, 0n, out)).to.equal(M1);
    expect(h.invoke('get_extra_info_value', handle, out, 16n)).to.equal(M1);
  });

  it('bad pointers fault: the key, the handle, the output', function () {
    const h = new Harness({ extraConf: c });
    const out = h.room(INFO);
    expect(h.invoke('get_extra_info', 0x77_0000_0000n, out)).to.be.instanceOf(VmFault);
    expect(h.invoke('get_extra_info', h.cstr('asn'), h.rodataBase)).to.be.instanceOf(VmFault);
    expect(h.invoke('get_extra_info_dict', 0x77_0000_0000n, h.cstr('x'), out)).to.be.instanceOf(VmFault);
    expect(h.invoke('get_extra_info_value', top(h, 'asn')[3], h.rodataBase, 8n)).to.be.instanceOf(VmFault);
  });
});

// The base helpers through real compiled plugins: the C files of c/ are built with clang against
// xbgp-api/include (pluginCompileArgs), linked through buildHelperRegistry({...baseHelpers,
// ...stubImpls()}) and run in the VM by runtime.ts as the host runs them; the tests assert r0, the
// log lines, heap and shared-memory effects, the replace chain and the faults.
import { expect } from 'chai';
import { join } from 'node:path';
import { HELPERS, INSERTION_POINT_RESERVED, pointByName } from '../../../xbgp-api/index.js';
import { baseHelpers } from '../../../daemon/plugins/helpers/base.js';
import { parseExtraConf } from '../../../daemon/plugins/extra-conf.js';
import { runPre, runReplace, type Pluglet } from '../../../daemon/plugins/runtime.js';
import { repoRoot, requireTools } from '../../helpers/env.js';
import { compileFile, removeWork } from '../../xbgp-api/cc.js';
import { FakeJob, MiniHost, registry, stubImpls } from './harness.js';

const objects = new Map<string, Uint8Array>();

function objectOf(file: string): Uint8Array {
  const cached = objects.get(file);
  if (cached) return cached;
  const r = compileFile(join(repoRoot, 'test/plugins/helpers/c', `${file}.c`), [
    '-Wall',
    '-Wextra',
    '-Werror',
  ]);
  if (!r.ok) throw new Error(`${file}.c:\n${r.errors}`);
  objects.set(file, r.object);
  return r.object;
}

describe('plugins/helpers: the base set', function () {
  it('implements exactly the provided base helpers and next', function () {
    const provided = HELPERS.filter((h) => h.group === 'base' && h.refused === undefined).map((h) => h.name);
    expect(Object.keys(baseHelpers).sort()).to.deep.equal(provided.sort());
    expect(provided).to.include('next');
  });

  it('with stubs for the BGP helpers, builds the registry; a stub faults if called', function () {
    expect(registry.list().map((h) => h.name)).to.have.length(HELPERS.filter((h) => !h.refused).length);
    expect(registry.getByName('next')?.unwindOnZero).to.equal(true);
    const stubs = stubImpls();
    expect(Object.keys(stubs).every((n) => HELPERS.find((h) => h.name === n)?.group === 'bgp')).to.equal(
      true,
    );
    const ctx = { mem: undefined as never, pc: 3, user: undefined };
    expect(stubs.get_attr!(0n, 0n, 0n, 0n, 0n, ctx)).to.have.property('code', 'ERR_VM_HELPER_FAILED');
  });
});

describe('plugins/helpers: compiled plugins calling the base helpers', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeWork);

  it('logging.c log_levels: three lines at their levels, two calls not logged (r0 = 3)', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    const r0 = host.run(host.pluglet(objectOf('logging'), 'log_levels', 'replace'));
    const id = pointByName('bgp_pre_inbound_filter')!.id;
    expect(r0).to.equal(3n);
    expect(host.services.lines).to.deep.equal([
      { level: 'info', message: `point ${id}: peer-a sent 42 routes, 1099511627776 bytes` },
      { level: 'warn', message: 'signed -3 -300 -5000000000, hex 0xbeef, char Z' },
      { level: 'debug', message: 'ratio 0.125 of peer-a' },
    ]);
    expect(host.sink.faults).to.deep.equal([]);
  });

  it('logging.c log_constants: a log_msg of constants only (clang puts the argument table in .rodata with pointers to the literals)', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    const r0 = host.run(host.pluglet(objectOf('logging'), 'log_constants', 'replace'));
    expect(r0).to.equal(1n);
    expect(host.services.lines).to.deep.equal([
      { level: 'info', message: 'alpha meets beta, gamma and delta 3 times in epsilon' },
    ]);
    expect(host.sink.faults).to.deep.equal([]);
  });

  it('logging.c sprintf_route: ubpf_sprintf fits (r0 = its length) and is cut (-1), ebpf_print logs both', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    const r0 = host.run(host.pluglet(objectOf('logging'), 'sprintf_route', 'replace'));
    expect(r0).to.equal(20n);
    expect(host.services.lines).to.deep.equal([
      { level: 'debug', message: 'sprintf: 10.0.0.0/8 via 0xa00 (20), cut -1: too lon' },
    ]);
  });

  it('memory.c count_runs: the shared counter persists across runs and pluglets of the plugin', function () {
    const host = new MiniHost('bgp_post_decision', { shared: 64 });
    const first = host.pluglet(objectOf('memory'), 'count_runs', 'post');
    const second = host.pluglet(objectOf('memory'), 'count_runs', 'post', 10);
    expect([host.run(first), host.run(first), host.run(second)]).to.deep.equal([1n, 2n, 3n]);
    expect(host.memory.sharedKeys).to.deep.equal([42]);
    expect(new DataView(host.memory.shared.buffer).getBigUint64(0, true)).to.equal(3n);
  });

  it('memory.c heap_ops: malloc, calloc, realloc, memmove-like memcpy, memcmp, free; the heap is reset after the run', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    expect(host.run(host.pluglet(objectOf('memory'), 'heap_ops', 'replace'))).to.equal(0xc0ffeen);
    expect(host.memory.heapUsed).to.equal(0);
    // malloc(16) at 0, calloc(4, 8) at 16, realloc(64) at 48: a[63] was the last store
    expect(host.memory.heap[48 + 63]).to.equal(0x5a);
    expect([...host.memory.heap.subarray(48, 48 + 16)]).to.deep.equal([
      0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    ]);
  });

  it('memory.c fill_heap: the heap holds four 1000-byte blocks in every run (it is reset between runs)', function () {
    const host = new MiniHost('bgp_pre_inbound_filter', { heap: 4096 });
    const p = host.pluglet(objectOf('memory'), 'fill_heap', 'replace');
    expect([host.run(p), host.run(p)]).to.deep.equal([4n, 4n]);
  });

  it('memory.c double_free: the run faults with ERR_PLUGIN_HELPER at the second ctx_free', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    const p = host.pluglet(objectOf('memory'), 'double_free', 'replace');
    expect(host.run(p)).to.equal(undefined);
    expect(host.sink.faults).to.have.length(1);
    expect(host.sink.faults[0]).to.include({ code: 'ERR_PLUGIN_HELPER' });
    expect(host.sink.faults[0]!.message).to.match(/^ctx_free: /);
    expect(p.program.code.opcode[host.sink.faults[0]!.pc]).to.equal(0x85); // a call
    expect(p.stats.faults).to.equal(1);
  });

  it('values.c addresses: inet_pton / inet_ntop round trips and refusals', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    expect(host.run(host.pluglet(objectOf('values'), 'addresses', 'replace'))).to.equal(0n);
    expect(host.services.lines.map((l) => l.message)).to.deep.equal([
      'v4 192.0.2.33',
      'v6 2001:db8::1:0:0:7',
    ]);
  });

  it('values.c numbers: byte order, the clocks of the services, ebpf_sqrt(2, 3)', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    host.services.mono = 5000.25;
    host.services.real = 1_700_000_000_000;
    expect(host.run(host.pluglet(objectOf('values'), 'numbers', 'replace'))).to.equal(1414n);
    expect(host.services.lines).to.deep.equal([
      { level: 'info', message: 'mono 5.000250000 real 1700000000 sqrt 1414' },
    ]);
  });

  it('context.c read_conf: get_extra_info, a list walked to its end, a dict, a missing key', function () {
    const parsed = parseExtraConf(
      {
        asn: { type_arg: 'int', arg: 65001 },
        peers: {
          type_arg: 'list',
          arg: ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((a) => ({ type_arg: 'ipv4', arg: a })),
        },
        names: { type_arg: 'dict', arg: { '65002': { type_arg: 'str', arg: 'customer' } } },
      },
      'test',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const host = new MiniHost('bgp_pre_inbound_filter', { extraConf: parsed.conf });
    expect(host.run(host.pluglet(objectOf('context'), 'read_conf', 'replace'))).to.equal(65007n);
    expect(host.services.lines.map((l) => l.message)).to.deep.equal([
      'asn 65001, 3 peers (sum 6), 65002 is customer',
    ]);
  });

  it('context.c read_conf without an extra configuration: get_extra_info fails, r0 = 1', function () {
    const host = new MiniHost('bgp_pre_inbound_filter');
    expect(host.run(host.pluglet(objectOf('context'), 'read_conf', 'replace'))).to.equal(1n);
  });

  it('context.c args_and_point: get_arg copies (u16 read through a wider block), NULL for a missing type, whereami', function () {
    const host = new MiniHost('bgp_decode_attr');
    host.call.args.set(1, Uint8Array.of(42)); // ARG_CODE
    host.call.args.set(3, Uint8Array.of(3, 0)); // ARG_LENGTH
    host.call.args.set(5, Uint8Array.of(1, 2, 9)); // ARG_DATA
    const r0 = host.run(host.pluglet(objectOf('context'), 'args_and_point', 'replace'));
    expect(r0).to.equal((42n << 32n) | (3n << 16n) | 9n);
  });

  describe('next() in a replace chain', function () {
    function chain(
      code: number,
      both: boolean,
    ): { value: bigint | undefined; host: MiniHost; first: Pluglet } {
      const host = new MiniHost('bgp_decode_attr');
      host.call.args.set(1, Uint8Array.of(code));
      const first = host.pluglet(objectOf('context'), 'handle_42', 'replace', 0);
      const replace = both
        ? [first, host.pluglet(objectOf('context'), 'handle_all', 'replace', 10)]
        : [first];
      const value = runReplace(
        { pre: [], replace, post: [] },
        host.call,
        host.sink,
        host.call.writeInfo,
        () => true,
      );
      return { value, host, first };
    }

    it('the first pluglet handles its code: its value (EXIT_SUCCESS), next() not called', function () {
      const { value, host, first } = chain(42, true);
      expect(value).to.equal(0n);
      expect(host.call.nextRequested).to.equal(false);
      expect(first.stats.returns.get(0n)).to.equal(1);
    });

    it('another code: next() ends the first run, the second pluglet decides', function () {
      const { value, host, first } = chain(9, true);
      expect(value).to.equal(77n);
      expect(first.stats.returns.size).to.equal(0);
      expect(host.sink.faults).to.deep.equal([]);
    });

    it('next() from the last pluglet: the end of the chain, the native code runs (undefined), no fault', function () {
      const { value, host } = chain(9, false);
      expect(value).to.equal(undefined);
      expect(host.sink.faults).to.deep.equal([]);
    });

    it('next() from a pre pluglet is refused: the run faults', function () {
      const host = new MiniHost('bgp_decode_attr');
      const pre = host.pluglet(objectOf('context'), 'pre_next', 'pre');
      runPre({ pre: [pre], replace: [], post: [] }, host.call, host.sink, host.call.writeInfo);
      expect(host.sink.faults).to.have.length(1);
      expect(host.sink.faults[0]).to.include({ code: 'ERR_PLUGIN_HELPER' });
      expect(host.sink.faults[0]!.message).to.match(/^next: called from a pre pluglet/);
    });
  });

  it('context.c job_tick: a job plugin reschedules itself; elsewhere reschedule_plugin faults the run', function () {
    const job = new MiniHost('job_plugins');
    const fake = new FakeJob();
    job.call.job = fake;
    expect(job.run(job.pluglet(objectOf('context'), 'job_tick', 'replace'))).to.equal(1n);
    expect(fake.periods).to.deep.equal([30]);
    expect(job.services.lines).to.deep.equal([
      { level: 'debug', message: `job at ${INSERTION_POINT_RESERVED}` },
    ]);

    const point = new MiniHost('bgp_pre_inbound_filter');
    expect(point.run(point.pluglet(objectOf('context'), 'job_tick', 'replace'))).to.equal(undefined);
    expect(point.sink.faults[0]!.message).to.match(/^reschedule_plugin: only job plugins/);
  });
});

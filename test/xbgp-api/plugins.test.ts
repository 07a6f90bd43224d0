// Plugins written in the published xBGP style (c/) compile cleanly against the headers
// (-Wall -Wextra -Werror, with each of the include forms published plugins use), every call they
// make resolves through the helper table, and the VM's verifier accepts them. Two of them then run
// in the VM against a few stub helpers bound by table id, which checks the calling conventions the
// host must follow: exec_info_t at r1, pointer + length arguments, attribute data in wire order,
// next() ending the run.
import { expect } from 'chai';
import { join } from 'node:path';
import { HELPERS, helperByName } from '../../xbgp-api/helpers.js';
import { ArgType, BGP_ROUTE_TYPE_NEW, EXIT_SUCCESS, PLUGIN_FILTER_REJECT } from '../../xbgp-api/constants.js';
import { pointByName } from '../../xbgp-api/points.js';
import { EXEC_INFO, writeExecInfo } from '../../xbgp-api/layouts.js';
import { loadElfProgram } from '../../vm/elf/index.js';
import { readElf, SHN_UNDEF } from '../../vm/elf/reader.js';
import { HelperRegistry, loadProgram, run, VerifyError, VmFault } from '../../vm/index.js';
import type { HelperContext, HelperFn, LoadedProgram } from '../../vm/index.js';
import { requireTools } from '../helpers/env.js';
import { compileFile, removeWork, sourceDir } from './cc.js';

const PLUGINS: Record<string, readonly string[]> = {
  filter_origin_as: [
    'ebpf_ntohl',
    'get_attr_from_code',
    'get_extra_info',
    'get_extra_info_lst_idx',
    'get_extra_info_value',
    'get_prefix',
    'get_src_peer_info',
    'next',
    'super_log',
  ],
  decode_geo: ['add_attr', 'ebpf_memcpy', 'ebpf_ntohl', 'get_arg', 'next'],
  encode_geo: ['ebpf_print_intern', 'get_attr', 'get_peer_info', 'next', 'write_to_buffer'],
  tie_counter: ['ctx_shmget', 'ctx_shmnew', 'super_log', 'whereami'],
};

const objects = new Map<string, Uint8Array>();

function objectOf(name: string): Uint8Array {
  const bytes = objects.get(name);
  if (bytes) return bytes;
  const r = compileFile(join(sourceDir, `${name}.c`), ['-Wall', '-Wextra', '-Werror']);
  if (!r.ok) throw new Error(`${name}.c:\n${r.errors}`);
  objects.set(name, r.object);
  return r.object;
}

/** A registry of every table helper: the given stubs, and for the rest a stub that must not run. */
function registryWith(stubs: Record<string, HelperFn>): HelperRegistry {
  const registry = new HelperRegistry();
  for (const h of HELPERS) {
    const fn: HelperFn =
      stubs[h.name] ?? (() => new VmFault('ERR_VM_HELPER_FAILED', 0, `unexpected ${h.name}`));
    registry.register({ id: h.id, name: h.name, permission: 'xbgp', fn, unwindOnZero: h.name === 'next' });
  }
  return registry;
}

function load(name: string, registry: HelperRegistry, heapSize = 4096): LoadedProgram {
  const linked = loadElfProgram(objectOf(name), name, registry.resolver());
  if (!linked.ok) throw linked.error;
  const loaded = loadProgram(linked.value, { helpers: registry, heapSize });
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  return loaded;
}

/** Bump allocation in the program's heap, as a host's heap copies would be. */
function heapCopy(ctx: HelperContext, state: { next: number }, bytes: Uint8Array): bigint | VmFault {
  const base = ctx.mem.addressOf('heap')!;
  const at = base + BigInt(state.next);
  state.next += (bytes.length + 7) & ~7;
  const padded = new Uint8Array(Math.max(8, (bytes.length + 7) & ~7));
  padded.set(bytes);
  const fault = ctx.mem.write(at, padded);
  return fault ?? at;
}

describe('xbgp-api: plugins in the published style compile, link through the table and verify', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeWork);

  for (const [name, expected] of Object.entries(PLUGINS)) {
    it(`${name}.c: no warning with -Wall -Wextra, calls exactly ${expected.length} helpers, all resolved`, function () {
      const object = objectOf(name);
      const called = readElf(object)
        .symbols.filter((s) => s.shndx === SHN_UNDEF && s.name !== '')
        .map((s) => s.name)
        .sort();
      expect(called).to.deep.equal(expected);
      expect(called.filter((n) => helperByName(n)?.refused !== undefined)).to.deep.equal([]);
      load(name, registryWith({}));
    });
  }
});

describe('xbgp-api: calling conventions, with stub helpers in the VM', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeWork);

  it('tie_counter (post): reads exec_info_t at r1 and counts in shared memory', function () {
    const shared = new Uint8Array(8 * 23);
    const view = new DataView(shared.buffer);
    const med = pointByName('bgp_med_decision')!.id;
    const registry = registryWith({
      ctx_shmget: (key, _2, _3, _4, _5, ctx) => (key === 7n ? ctx.mem.addressOf('shm')! : 0n),
      whereami: () => BigInt(med),
    });
    const linked = loadElfProgram(objectOf('tie_counter'), 'tie_counter', registry.resolver());
    if (!linked.ok) throw linked.error;
    const loaded = loadProgram(linked.value, {
      helpers: registry,
      regions: [{ name: 'shm', bytes: shared, writable: true }],
    });
    if (loaded instanceof VerifyError) throw new Error(loaded.describe());
    const info = new Uint8Array(EXEC_INFO.size);
    for (const [set, value] of [
      [true, BGP_ROUTE_TYPE_NEW],
      [true, BGP_ROUTE_TYPE_NEW + 1],
      [false, 0],
    ] as const) {
      writeExecInfo(info, 0, { returnValSet: set, replaceReturnValue: BigInt(value), insertionPointId: med });
      const r = run(loaded, { mem: info });
      if (r instanceof VmFault) throw new Error(r.describe());
    }
    // two decided comparisons, both by the MED step, one won by the new route
    expect(view.getBigUint64(0, true)).to.equal(2n);
    expect(view.getBigUint64(8 * med, true)).to.equal(2n);
    expect(view.getBigUint64(8 * 21, true)).to.equal(1n);
  });

  function decodeRun(code: number, value: Uint8Array): { r0: bigint; added: unknown[]; nextCalled: boolean } {
    const heap = { next: 0 };
    const added: unknown[] = [];
    let nextCalled = false;
    const args: Record<number, Uint8Array> = {
      [ArgType.ARG_CODE]: Uint8Array.of(code),
      [ArgType.ARG_FLAGS]: Uint8Array.of(0xc0),
      [ArgType.ARG_LENGTH]: Uint8Array.of(value.length & 0xff, value.length >> 8),
      [ArgType.ARG_DATA]: value,
    };
    const registry = registryWith({
      get_arg: (type, _2, _3, _4, _5, ctx) => {
        const bytes = args[Number(type)];
        return bytes ? heapCopy(ctx, heap, bytes) : 0n;
      },
      ebpf_memcpy: (dst, src, len, _4, _5, ctx) => {
        const bytes = ctx.mem.read(src, Number(len));
        if (bytes instanceof VmFault) return bytes;
        return ctx.mem.write(dst, bytes.slice()) ?? dst;
      },
      ebpf_ntohl: (v) =>
        BigInt(
          ((Number(v) >>> 24) |
            ((Number(v) >>> 8) & 0xff00) |
            ((Number(v) & 0xff00) << 8) |
            (Number(v) << 24)) >>>
            0,
        ),
      add_attr: (c, flags, len, data, _5, ctx) => {
        const bytes = ctx.mem.read(data, Number(len));
        if (bytes instanceof VmFault) return bytes;
        added.push({ code: Number(c), flags: Number(flags), data: [...bytes] });
        return 0n;
      },
      next: () => {
        nextCalled = true;
        return 0n;
      },
    });
    const r = run(load('decode_geo', registry));
    if (r instanceof VmFault) throw new Error(r.describe());
    return { r0: r.r0, added, nextCalled };
  }

  it('decode_geo: stores its attribute in wire encoding and returns EXIT_SUCCESS', function () {
    const value = Uint8Array.of(0, 0x98, 0x96, 0x80, 0x01, 0x31, 0x2d, 0x00); // 10000000, 20000000
    const r = decodeRun(42, value);
    expect(r.r0).to.equal(BigInt(EXIT_SUCCESS));
    expect(r.added).to.deep.equal([{ code: 42, flags: 0xc0, data: [...value] }]);
    expect(r.nextCalled).to.equal(false);
  });

  it('decode_geo: rejects an out-of-range coordinate; passes another code on with next()', function () {
    expect(decodeRun(42, Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 0)).r0).to.equal(BigInt(PLUGIN_FILTER_REJECT));
    const other = decodeRun(9, Uint8Array.of(1, 2, 3, 4));
    expect(other).to.deep.equal({ r0: 0n, added: [], nextCalled: true });
  });
});

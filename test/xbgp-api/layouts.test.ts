// The structure layouts of xbgp-api/layouts.ts against clang: every size, alignment, member offset
// and member size becomes a _Static_assert compiled with clang -target bpf against the plugin
// headers, so the host's numbers and the plugins' can never drift. Then the accessors: bytes the
// TypeScript writers produce are read by C compiled from c/layout_readers.c, run in the project's VM.
import { expect } from 'chai';
import { join } from 'node:path';
import { LAYOUTS, type StructLayout } from '../../xbgp-api/layouts.js';
import { readPrefix, writeExecInfo, writePathAttribute, writePrefix } from '../../xbgp-api/layouts.js';
import { loadElfProgram } from '../../vm/elf/index.js';
import { HelperRegistry, loadProgram, run, VerifyError, VmFault } from '../../vm/index.js';
import { requireTools } from '../helpers/env.js';
import { compileFile, compileText, removeWork, sourceDir } from './cc.js';

/** The C assertions for one layout (`wrong` shifts one member's offset, for the negative test). */
function assertions(l: StructLayout, wrong?: string): string[] {
  const lines = [
    `_Static_assert(sizeof(${l.cType}) == ${l.size}, "sizeof(${l.cType})");`,
    `_Static_assert(_Alignof(${l.cType}) == ${l.align}, "_Alignof(${l.cType})");`,
  ];
  for (const [member, { offset, size }] of Object.entries(l.fields)) {
    const at = member === wrong ? offset + 1 : offset;
    lines.push(`_Static_assert(offsetof(${l.cType}, ${member}) == ${at}, "offset of ${l.cType} ${member}");`);
    lines.push(
      `_Static_assert(sizeof(((${l.cType} *)0)->${member}) == ${size}, "size of ${l.cType} ${member}");`,
    );
  }
  return lines;
}

function layoutSource(wrong?: { layout: StructLayout; member: string }): string {
  const layouts: StructLayout[] = Object.values(LAYOUTS);
  return [
    '#include "xbgp_plugin_api.h"',
    '#include <stddef.h>',
    ...layouts.flatMap((l) => (l.cDefinition ? [l.cDefinition] : [])),
    ...layouts.flatMap((l) => assertions(l, l === wrong?.layout ? wrong.member : undefined)),
    '',
  ].join('\n');
}

describe('xbgp-api: structure layouts agree with clang -target bpf', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeWork);

  it('every size, alignment, offset and member size of layouts.ts holds in C', function () {
    const result = compileText('layouts', layoutSource());
    expect(result.ok, result.ok ? '' : result.errors).to.equal(true);
  });

  it('asserts a few hundred facts, covering every layout', function () {
    const text = layoutSource();
    const count = text.split('\n').filter((l) => l.startsWith('_Static_assert')).length;
    const fields = Object.values(LAYOUTS).reduce((n, l: StructLayout) => n + Object.keys(l.fields).length, 0);
    expect(count).to.equal(2 * Object.keys(LAYOUTS).length + 2 * fields);
    expect(count).to.be.greaterThan(150);
  });

  it('fails to compile, naming the member, when one offset is wrong', function () {
    const result = compileText(
      'layouts-wrong',
      layoutSource({ layout: LAYOUTS.ubpf_peer_info, member: 'addr.addr.in6' }),
    );
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.errors).to.contain('offset of struct ubpf_peer_info addr.addr.in6');
  });

  it('covers every member of each structure (the members tile the size, with padding only)', function () {
    for (const [name, l] of Object.entries(LAYOUTS) as [string, StructLayout][]) {
      const top = Object.entries(l.fields)
        .filter(([m]) => !m.includes('.'))
        .sort((a, b) => a[1].offset - b[1].offset);
      let end = 0;
      for (const [member, { offset, size }] of top) {
        expect(offset, `${name}.${member} overlaps`).to.be.at.least(end);
        // the gap before a member is alignment padding, smaller than the structure's alignment
        expect(offset - end, `${name}: gap before ${member}`).to.be.below(l.align);
        end = offset + size;
      }
      expect(l.size - end, `${name}: tail padding`).to.be.below(l.align);
    }
  });
});

describe('xbgp-api: layout accessors, read back by C in the VM', function () {
  const registry = new HelperRegistry();
  let object: Uint8Array;

  before(function () {
    requireTools(this, 'clang');
    const r = compileFile(join(sourceDir, 'layout_readers.c'), ['-Wall', '-Wextra', '-Werror']);
    if (!r.ok) throw new Error(r.errors);
    object = r.object;
  });
  after(removeWork);

  function runReader(program: string, mem: Uint8Array): bigint {
    const linked = loadElfProgram(object, program, registry.resolver());
    if (!linked.ok) throw linked.error;
    const loaded = loadProgram(linked.value, { helpers: registry });
    if (loaded instanceof VerifyError) throw new Error(loaded.describe());
    const result = run(loaded, { mem });
    if (result instanceof VmFault) throw new Error(result.describe());
    return result.r0;
  }

  it('writePrefix: C reads afi, safi, prefixlen and address bytes where TypeScript wrote them', function () {
    const mem = new Uint8Array(32).fill(0xee);
    const addr = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x77);
    writePrefix(mem, 0, { afi: 2, safi: 1, prefixlen: 48, addr });
    // read_prefix: afi | safi << 8 | prefixlen << 16 | u[0] << 32 | u[3] << 40 | u[15] << 48 | u[19] << 56
    const expected = 2n | (1n << 8n) | (48n << 16n) | (0x20n << 32n) | (0xb8n << 40n) | (0x77n << 48n);
    expect(runReader('read_prefix', mem)).to.equal(expected);
    expect(readPrefix(mem, 0)).to.deep.equal({ afi: 2, safi: 1, prefixlen: 48, addr });
  });

  it('writePathAttribute: C reads code, flags, length and the last value byte', function () {
    const mem = new Uint8Array(64);
    const size = writePathAttribute(mem, 0, {
      code: 42,
      flags: 0xc0,
      data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 0x99),
    });
    expect(size).to.equal(16);
    // read_attr: code | flags << 8 | length << 16 | data[length - 1] << 48
    expect(runReader('read_attr', mem)).to.equal(42n | (0xc0n << 8n) | (8n << 16n) | (0x99n << 48n));
  });

  it('writeExecInfo: C reads return_val_set, replace_return_value and insertion_point_id', function () {
    const mem = new Uint8Array(24).fill(0xff);
    writeExecInfo(mem, 0, { returnValSet: true, replaceReturnValue: 258n, insertionPointId: 11 });
    // read_exec: set | id << 8 | value << 16 (all small)
    expect(runReader('read_exec', mem)).to.equal(1n | (11n << 8n) | (258n << 16n));
  });
});

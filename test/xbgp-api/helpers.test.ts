// The helper table of xbgp-api/helpers.ts against the C headers: the functions the headers declare
// are exactly the table's (clang's AST), each has the prototype the table gives (a
// __builtin_types_compatible_p assertion per helper), and a C file calling every helper compiles to
// an object whose undefined symbols are the table's names and whose calls the ELF loader resolves
// to the table's ids. Then the invariants of the id scheme.
import { expect } from 'chai';
import {
  HELPERS,
  MEMBOUND_FAIL_ID,
  NEXT_ID,
  cPointerType,
  helperByName,
  requiredBits,
} from '../../xbgp-api/helpers.js';
import type { HelperSpec } from '../../xbgp-api/helpers.js';
import { HELPER_ATTR_READ, HELPER_ATTR_USR_PTR, HELPER_ATTR_WRITE } from '../../xbgp-api/constants.js';
import { pointByName, JOB_POINT, POINTS } from '../../xbgp-api/points.js';
import { loadElf } from '../../vm/elf/index.js';
import { readElf, SHN_UNDEF } from '../../vm/elf/reader.js';
import { requireTools } from '../helpers/env.js';
import { astOf, compileText, mustCompile, removeWork } from './cc.js';

/** Helpers the plugin headers declare: all but xBGP's internal membound_fail. */
const declared = HELPERS.filter((h) => h.refused !== 'internal');

/** memset and memcpy: declared by xbgp_defs.h (as in the published API), lowered by clang. */
const COMPILER_BUILTINS = ['memcpy', 'memset'];

const LIBC_HEADERS = [
  'stddef.h',
  'stdint.h',
  'stdlib.h',
  'string.h',
  'limits.h',
  'time.h',
  'sys/types.h',
  'sys/socket.h',
  'netinet/in.h',
  'arpa/inet.h',
];

function prototypeSource(helpers: readonly HelperSpec[], override?: { name: string; type: string }): string {
  return [
    '#include "xbgp_plugin_api.h"',
    ...helpers.map((h) => {
      const type = h.name === override?.name ? override.type : cPointerType(h);
      return `_Static_assert(__builtin_types_compatible_p(__typeof__(&${h.name}), ${type}), "prototype of ${h.name}");`;
    }),
    '',
  ].join('\n');
}

/** A C function calling every helper once with zero arguments. */
function callsSource(helpers: readonly HelperSpec[]): string {
  const calls = helpers.map(
    (h) =>
      `    ${h.ret.c === 'void' ? '' : 'sink += (uint64_t)'}${h.name}(${h.args.map((a) => `(${a.c})0`).join(', ')});`,
  );
  return [
    '#include "xbgp_plugin_api.h"',
    'uint64_t call_all(void)',
    '{',
    '    uint64_t sink = 0;',
    ...calls,
    '    return sink;',
    '}',
    '',
  ].join('\n');
}

interface AstNode {
  readonly kind?: string;
  readonly name?: string;
  readonly inner?: readonly AstNode[];
}

describe('xbgp-api: the helper table agrees with the C headers', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeWork);

  it('the headers declare exactly the table helpers (and memset/memcpy)', function () {
    const marker = 'xbgpd_test_marker__';
    const text = [
      ...LIBC_HEADERS.map((h) => `#include <${h}>`),
      `int ${marker}(void);`,
      '#include "xbgp_plugin_api.h"',
      '#include "xbgp_ubpf_attr.h"',
      '',
    ].join('\n');
    const decls = ((astOf('declared', text) as AstNode).inner ?? []).map((n) => n);
    const start = decls.findIndex((n) => n.name === marker);
    expect(start).to.be.greaterThan(0);
    const functions = new Set(
      decls
        .slice(start + 1)
        .filter((n) => n.kind === 'FunctionDecl')
        .map((n) => n.name!),
    );
    expect([...functions].sort()).to.deep.equal(
      [...declared.map((h) => h.name), ...COMPILER_BUILTINS].sort(),
    );
  });

  it('every helper has the prototype the table gives', function () {
    const result = compileText('prototypes', prototypeSource(declared));
    expect(result.ok, result.ok ? '' : result.errors).to.equal(true);
  });

  it('a prototype differing in one argument type fails to compile', function () {
    const result = compileText(
      'prototype-wrong',
      prototypeSource([helperByName('add_attr')!], {
        name: 'add_attr',
        type: 'int (*)(uint8_t, uint8_t, uint32_t, uint8_t *)',
      }),
    );
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.errors).to.contain('prototype of add_attr');
  });

  it('calling every helper links against the table: undefined symbols are its names, call ids its ids', function () {
    const object = mustCompile('calls', callsSource(declared), ['-Wall', '-Wextra', '-Werror']);
    const undefinedNames = readElf(object)
      .symbols.filter((s) => s.shndx === SHN_UNDEF && s.name !== '')
      .map((s) => s.name);
    expect([...undefinedNames].sort()).to.deep.equal(declared.map((h) => h.name).sort());

    const linked = loadElf(object, { programs: ['call_all'], resolveHelper: (n) => helperByName(n)?.id });
    if (!linked.ok) throw linked.error;
    const code = linked.value[0]!.code;
    const ids = new Set<number>();
    const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
    for (let at = 0; at < code.length; at += 8) {
      if (code[at] === 0x85 && code[at + 1]! >> 4 === 0) ids.add(view.getInt32(at + 4, true));
      if (code[at] === 0x18) at += 8;
    }
    expect([...ids].sort((a, b) => a - b)).to.deep.equal(declared.map((h) => h.id));
  });
});

describe('xbgp-api: helper ids, permissions and refusals', function () {
  it('ids and names are unique; 0..58 are contiguous; 0x3F and 0x7F are xBGP reserved ids', function () {
    expect(new Set(HELPERS.map((h) => h.id)).size).to.equal(HELPERS.length);
    expect(new Set(HELPERS.map((h) => h.name)).size).to.equal(HELPERS.length);
    const xbgpOrder = HELPERS.filter((h) => h.id <= 58);
    expect(xbgpOrder.map((h) => h.id)).to.deep.equal([...Array(59).keys()]);
    expect(helperByName('membound_fail')?.id).to.equal(MEMBOUND_FAIL_ID);
    expect(helperByName('next')?.id).to.equal(NEXT_ID);
    expect(HELPERS.every((h) => h.id >= 0 && h.id <= 127)).to.equal(true);
  });

  it('keeps the xBGP full-permission order at the boundaries of each group', function () {
    const at = (id: number): string => HELPERS.find((h) => h.id === id)!.name;
    expect([at(0), at(6), at(16), at(17), at(19), at(20), at(28), at(34)]).to.deep.equal([
      'ebpf_ntohs',
      'super_log',
      'ebpf_print_intern',
      'ebpf_bvsnprintf',
      'get_arg',
      'ebpf_sqrt',
      'fetch_file',
      'whereami',
    ]);
    expect([at(35), at(43), at(49), at(58)]).to.deep.equal([
      'add_attr',
      'get_attr_from_code',
      'new_rib_iterator',
      'get_route_sent_to_peer',
    ]);
    expect(HELPERS.filter((h) => h.group === 'bgp' && h.id <= 58)).to.have.length(24);
  });

  it('requires the permissions xBGP requires', function () {
    expect(requiredBits(helperByName('add_attr')!)).to.equal(HELPER_ATTR_WRITE | HELPER_ATTR_USR_PTR);
    expect(requiredBits(helperByName('get_attr_from_code')!)).to.equal(HELPER_ATTR_READ);
    expect(requiredBits(helperByName('peer_session_reset')!)).to.equal(HELPER_ATTR_READ | HELPER_ATTR_WRITE);
    expect(requiredBits(helperByName('new_rib_iterator')!)).to.equal(0);
    expect(HELPERS.filter((h) => h.group === 'base').every((h) => h.permissions.length === 0)).to.equal(true);
  });

  it('refuses the helpers that reach outside the router, and the unprovided ones', function () {
    const refused = (r: string): string[] =>
      HELPERS.filter((h) => h.refused === r)
        .map((h) => h.name)
        .sort();
    expect(refused('outside-router')).to.deep.equal([
      'fetch_file',
      'sock_close',
      'sock_open',
      'sock_read',
      'sock_write',
    ]);
    expect(refused('not-provided')).to.deep.equal([
      'announce_nrli',
      'bpf_clock',
      'bpf_sockunion_cmp',
      'get_loc_rib_entry',
      'get_rib_in_entry',
      'send_to_monitor',
      'set_error',
    ]);
    expect(refused('internal')).to.deep.equal(['membound_fail']);
  });

  it('next is a replace-only tail call; every helper fits in four argument registers', function () {
    expect(helperByName('next')).to.deep.include({ anchors: ['replace'] });
    expect(helperByName('next')!.ret.kind).to.equal('tail-call');
    expect(HELPERS.filter((h) => h.args.length > 4)).to.deep.equal([]);
  });

  it('argument references point at existing scalar arguments', function () {
    for (const h of HELPERS) {
      for (const a of h.args) {
        if (a.kind === 'scalar' || a.kind === 'heap-block') continue;
        const e = a.extent;
        const ref = e.kind === 'length-arg' ? e.arg : e.kind === 'address' ? e.familyArg : undefined;
        if (ref !== undefined) expect(h.args[ref]?.kind, `${h.name}.${a.name}`).to.equal('scalar');
      }
    }
  });

  it('what a helper needs is offered by at least one point it may run at', function () {
    for (const h of HELPERS.filter((x) => x.needs.length > 0)) {
      const points = [...POINTS, JOB_POINT].filter(
        (p) => p.runs && h.needs.every((n) => p.context.includes(n)),
      );
      expect(points, h.name).to.not.deep.equal([]);
    }
    expect(pointByName('bgp_decode_attr')!.context).to.include('attributes-writable');
  });
});

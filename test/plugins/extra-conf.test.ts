// The typed extra configuration (daemon/plugins/extra-conf.ts), data-driven:
// - fixtures/extra-conf/all-types.json holds every type, nested lists and dicts: a table of queries
//   (the helper calls a plugin would make) gives the exact bytes get_extra_info_value copies out;
// - a table of inline values gives, for each mistake, the exact coded error and key path;
// - the file forms (`{"conf": ...}`, another key, a bare object) and their errors;
// - the address parsers against ip-address and node:net on random input.
import { expect } from 'chai';
import fc from 'fast-check';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { Address6 } from 'ip-address';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../helpers/env.js';
import {
  CONF_TYPE_IDS,
  confNode,
  formatExtraConfError,
  getExtraInfo,
  getExtraInfoDict,
  getExtraInfoListIndex,
  getExtraInfoValue,
  parseExtraConf,
  parseIpv4,
  parseIpv6,
  readExtraConfFile,
  type ConfValue,
  type ExtraConf,
} from '../../daemon/plugins/extra-conf.js';

const dir = join(repoRoot, 'test', 'plugins', 'fixtures', 'extra-conf');

/** A plugin's walk: a top-level key, then dict keys (strings) and list indexes (numbers). */
function walk(conf: ExtraConf, [key, ...steps]: [string, ...(string | number)[]]): ConfValue | undefined {
  let node = getExtraInfo(conf, key);
  for (const s of steps) {
    if (node === undefined) return undefined;
    node = typeof s === 'number' ? getExtraInfoListIndex(node, s) : getExtraInfoDict(node, s);
  }
  return node;
}

const hex = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : Buffer.from(b).toString('hex');

function loadAllTypes(): ExtraConf {
  const r = readExtraConfFile(join(dir, 'all-types.json'));
  if (!r.ok) expect.fail(r.errors.map(formatExtraConfError).join('\n'));
  return r.conf;
}

describe('extra configuration: every type, and the bytes the helpers copy out', function () {
  const conf = loadAllTypes();
  // [walk, type, bytes of get_extra_info_value (undefined: the helper fails)]
  const table: [[string, ...(string | number)[]], string, string | undefined][] = [
    [['asn'], 'int', 'e9fd000000000000'],
    [['negative'], 'int', 'feffffffffffffff'],
    [['largest'], 'int', 'ffffffffffffffff'],
    [['weight'], 'float', '000000000000e03f'],
    [['router_id'], 'ipv4', 'c0000201'],
    [['nexthop6'], 'ipv6', '20010db8000000000000000000000001'],
    [['mapped'], 'ipv6', '00000000000000000000ffffc0000207'],
    [['local_net'], 'ipv4_prefix', '02000000' + '08000000' + '0a000000'],
    [['host_bits'], 'ipv4_prefix', '02000000' + '18000000' + '0a010203'],
    [['net6'], 'ipv6_prefix', '0a000000' + '20000000' + '20010db8' + '00'.repeat(12)],
    [['site'], 'str', '5ac3bc7269636800'],
    [['empty'], 'str', '00'],
    [['rr_clients'], 'list', undefined],
    [['rr_clients', 0], 'ipv4', '0a152a02'],
    [['rr_clients', 1], 'ipv4', '0a152a05'],
    [['allowed_prefixes'], 'dict', undefined],
    [['allowed_prefixes', '10.0.0.0/8', 0, 0], 'int', '0800000000000000'],
    [['allowed_prefixes', '10.0.0.0/8', 0, 1], 'int', '1800000000000000'],
    [['allowed_prefixes', '10.0.0.0/8', 0, 2], 'int', 'e9fd000000000000'],
    [['neighbors', '65002', 'session_type'], 'str', '637573746f6d657200'],
    [['nothing'], 'list', undefined],
  ];
  for (const [path, type, bytes] of table) {
    it(`${path.join(' / ')}: ${type}, ${bytes ?? 'no value bytes'}`, function () {
      const node = walk(conf, path);
      expect(node?.type).to.equal(type);
      expect(hex(getExtraInfoValue(node!))).to.equal(bytes);
    });
  }

  it('the top-level keys are the file keys, in order', function () {
    expect([...conf.keys.keys()]).to.deep.equal([
      ...['asn', 'negative', 'largest', 'weight', 'router_id', 'nexthop6', 'mapped', 'local_net'],
      ...['host_bits', 'net6', 'site', 'empty', 'rr_clients', 'allowed_prefixes', 'neighbors', 'nothing'],
    ]);
  });

  it('lookups that fail: no key, not a dict, not a list, index out of range', function () {
    const misses: [string, ...(string | number)[]][] = [
      ['absent'],
      ['asn', 'x'],
      ['asn', 0],
      ['rr_clients', 2],
      ['rr_clients', -1],
      ['rr_clients', 0.5],
      ['rr_clients', 'x'],
      ['allowed_prefixes', 0],
      ['allowed_prefixes', '10.0.0.0/9'],
      ['nothing', 0],
    ];
    expect(misses.filter((m) => walk(conf, m) !== undefined)).to.deep.equal([]);
  });

  it('ids map back to their nodes; any other number maps to nothing', function () {
    expect(conf.nodes.every((n) => confNode(conf, n.id) === n)).to.equal(true);
    expect(conf.nodes.map((n) => n.id)).to.deep.equal(conf.nodes.map((_, i) => i + 1));
    expect(confNode(conf, 2n)).to.equal(conf.nodes[1]);
    const bad = [0, -1, 1.5, conf.nodes.length + 1, 2 ** 64, Number.NaN];
    expect(bad.map((id) => confNode(conf, id))).to.deep.equal(bad.map(() => undefined));
  });

  it("the node's type id is libxbgp's enum type_val", function () {
    const ids = [
      'asn',
      'weight',
      'router_id',
      'nexthop6',
      'local_net',
      'net6',
      'rr_clients',
      'allowed_prefixes',
      'site',
    ].map((k) => CONF_TYPE_IDS[getExtraInfo(conf, k)!.type]);
    expect(ids).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('the bytes are a copy: changing them does not change the configuration', function () {
    const node = getExtraInfo(conf, 'router_id')!;
    getExtraInfoValue(node)![0] = 0;
    expect(hex(getExtraInfoValue(node))).to.equal('c0000201');
  });
});

describe('extra configuration: each mistake, with its code and key path', function () {
  const entry = (type_arg: unknown, arg: unknown): unknown => ({ type_arg, arg });
  const nest = (depth: number): unknown => (depth === 0 ? entry('int', 1) : entry('list', [nest(depth - 1)]));
  // [what, value, expected lines `CODE where: path: message`]
  const table: [string, unknown, string[]][] = [
    [
      'not an object',
      [],
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE t: must be an object of key: {"type_arg", "arg"}, not an array'],
    ],
    [
      'entry not an object',
      { a: 5 },
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE t: a: must be {"type_arg": ..., "arg": ...}, not an integer'],
    ],
    ['missing arg', { a: { type_arg: 'int' } }, ['ERR_PLUGIN_EXTRA_CONF_SHAPE t: a.arg: missing']],
    [
      'unknown key in an entry',
      { a: { type_arg: 'int', arg: 1, comment: 'x' } },
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE t: a.comment: unknown key (allowed here: type_arg, arg)'],
    ],
    [
      'unknown type_arg',
      { a: entry('integer', 1) },
      [
        "ERR_PLUGIN_EXTRA_CONF_TYPE_ARG t: a.type_arg: 'integer' is not one of int, float, ipv4, ipv6, ipv4_prefix, ipv6_prefix, str, list, dict",
      ],
    ],
    [
      'type_arg not a string',
      { a: entry(3, 1) },
      [
        'ERR_PLUGIN_EXTRA_CONF_TYPE_ARG t: a.type_arg: an integer is not one of int, float, ipv4, ipv6, ipv4_prefix, ipv6_prefix, str, list, dict',
      ],
    ],
    [
      'int: a fraction',
      { a: entry('int', 1.5) },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must be an integer, not a number'],
    ],
    [
      'int: a string',
      { a: entry('int', '42') },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must be an integer, not a string'],
    ],
    [
      'int: 2^64',
      { a: entry('int', 2n ** 64n) },
      [
        'ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: 18446744073709551616 does not fit in 64 bits (-2^63 to 2^64-1)',
      ],
    ],
    [
      'int: below -2^63',
      { a: entry('int', -(2n ** 63n) - 1n) },
      [
        'ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: -9223372036854775809 does not fit in 64 bits (-2^63 to 2^64-1)',
      ],
    ],
    [
      'int: an inexact YAML number',
      { a: entry('int', 2 ** 60) },
      [
        'ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: 1152921504606847000 is beyond 2^53 and was not read exactly (write it in a JSON extra-configuration file)',
      ],
    ],
    [
      'float: a string',
      { a: entry('float', '0.5') },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must be a number, not a string'],
    ],
    [
      'float: infinite',
      { a: entry('float', Infinity) },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must be a finite number, not Infinity'],
    ],
    [
      'ipv4: octet 256',
      { a: entry('ipv4', '256.0.0.1') },
      ["ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: '256.0.0.1' is not an IPv4 address"],
    ],
    [
      'ipv4: leading zero',
      { a: entry('ipv4', '01.2.3.4') },
      ["ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: '01.2.3.4' is not an IPv4 address"],
    ],
    [
      'ipv4: three parts',
      { a: entry('ipv4', '1.2.3') },
      ["ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: '1.2.3' is not an IPv4 address"],
    ],
    [
      'ipv4: a number',
      { a: entry('ipv4', 17) },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must be a string, not an integer'],
    ],
    [
      'ipv6: two ::',
      { a: entry('ipv6', '2001:db8::1::2') },
      ["ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: '2001:db8::1::2' is not an IPv6 address"],
    ],
    [
      'ipv6: a zone',
      { a: entry('ipv6', 'fe80::1%eth0') },
      ["ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: 'fe80::1%eth0' is not an IPv6 address"],
    ],
    [
      'ipv6: an IPv4 address',
      { a: entry('ipv6', '192.0.2.1') },
      ["ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: '192.0.2.1' is not an IPv6 address"],
    ],
    ...[
      '10.0.0.0',
      '10.0.0.0/33',
      '10.0.0.0/024',
      '10.0.0.0/+8',
      '10.0.0.0//8',
      '10.0.0.0/8/1',
      '2001:db8::/32',
    ].map((p): [string, unknown, string[]] => [
      `ipv4_prefix: ${p}`,
      { a: entry('ipv4_prefix', p) },
      [`ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: '${p}' is not an IPv4 prefix (address/length, length 0 to 32)`],
    ]),
    ...['2001:db8::/129', '10.0.0.0/8'].map((p): [string, unknown, string[]] => [
      `ipv6_prefix: ${p}`,
      { a: entry('ipv6_prefix', p) },
      [
        `ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: '${p}' is not an IPv6 prefix (address/length, length 0 to 128)`,
      ],
    ]),
    [
      'str: NUL',
      { a: entry('str', 'a\0b') },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must not contain NUL (plugins read it as a C string)'],
    ],
    [
      'str: a number',
      { a: entry('str', 5) },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must be a string, not an integer'],
    ],
    [
      'list: not an array',
      { a: entry('list', {}) },
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE t: a.arg: must be an array of {"type_arg", "arg"}, not an object'],
    ],
    [
      'list: a bad item',
      { a: entry('list', [entry('ipv4', '10.0.0.1'), entry('ipv4', '10.0.0')]) },
      ["ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg[1].arg: '10.0.0' is not an IPv4 address"],
    ],
    [
      'dict: not an object',
      { a: entry('dict', []) },
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE t: a.arg: must be an object of key: {"type_arg", "arg"}, not an array'],
    ],
    [
      'dict: a bad entry under a key that needs quoting',
      { vrps: entry('dict', { '10.0.0.0/8': entry('list', [entry('int', 'eight')]) }) },
      ['ERR_PLUGIN_EXTRA_CONF_VALUE t: vrps.arg."10.0.0.0/8".arg[0].arg: must be an integer, not a string'],
    ],
    [
      'key: too long',
      { ['k'.repeat(256)]: entry('int', 1) },
      [`ERR_PLUGIN_EXTRA_CONF_KEY t: ${'k'.repeat(256)}: keys are at most 255 bytes, without NUL`],
    ],
    [
      'key: NUL',
      { 'a\0': entry('int', 1) },
      ['ERR_PLUGIN_EXTRA_CONF_KEY t: "a\\u0000": keys are at most 255 bytes, without NUL'],
    ],
    [
      'nesting: 33 lists',
      { deep: nest(33) },
      [
        `ERR_PLUGIN_EXTRA_CONF_DEPTH t: deep${'.arg[0]'.repeat(32)}.arg: nesting deeper than 32 lists and dicts`,
      ],
    ],
    [
      'several mistakes: all reported, in order',
      { a: entry('int', 'x'), b: { arg: 1 }, c: entry('ipv4', '1.1.1.1'), d: entry('bool', true) },
      [
        'ERR_PLUGIN_EXTRA_CONF_VALUE t: a.arg: must be an integer, not a string',
        'ERR_PLUGIN_EXTRA_CONF_SHAPE t: b.type_arg: missing',
        "ERR_PLUGIN_EXTRA_CONF_TYPE_ARG t: d.type_arg: 'bool' is not one of int, float, ipv4, ipv6, ipv4_prefix, ipv6_prefix, str, list, dict",
      ],
    ],
  ];
  for (const [what, value, expected] of table) {
    it(what, function () {
      const r = parseExtraConf(value, 't');
      const got = r.ok ? ['(no error)'] : r.errors.map((e) => `${e.code} ${formatExtraConfError(e)}`);
      expect(got).to.deep.equal(expected);
    });
  }

  it('32 nested lists are fine', function () {
    const r = parseExtraConf({ deep: nest(32) }, 't');
    expect(r.ok).to.equal(true);
  });
});

describe('extra configuration: where it comes from', function () {
  it('inline YAML (the config form): plain objects, numbers', function () {
    const value: unknown = parseYaml(
      'rr_clients:\n  type_arg: list\n  arg:\n    - { type_arg: ipv4, arg: 10.0.0.1 }\n' +
        'med:\n  type_arg: int\n  arg: 42\n',
    );
    const r = parseExtraConf(value, 'xbgpd.yaml: plugins[0].conf');
    if (!r.ok) expect.fail(r.errors.map(formatExtraConfError).join('\n'));
    expect(hex(getExtraInfoValue(walk(r.conf, ['rr_clients', 0])!))).to.equal('0a000001');
    expect(hex(getExtraInfoValue(walk(r.conf, ['med'])!))).to.equal('2a00000000000000');
  });

  it('a bare file with key null, another key, the default "conf"', function () {
    const bare = readExtraConfFile(join(dir, 'bare.json'), { key: null });
    const other = readExtraConfFile(join(dir, 'router-info.json'), { key: 'router_info' });
    expect(bare.ok && hex(getExtraInfoValue(getExtraInfo(bare.conf, 'router_id')!))).to.equal('c0000201');
    expect(other.ok && hex(getExtraInfoValue(getExtraInfo(other.conf, 'my_int')!))).to.equal(
      '2a00000000000000',
    );
  });

  // [file, key option, expected lines (the fixture folder's path removed)]
  const table: [string, string | null | undefined, string[]][] = [
    [
      'bare.json',
      undefined,
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE bare.json: must be {"conf": {...}} (one top-level key, "conf")'],
    ],
    [
      'two-top-keys.json',
      undefined,
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE two-top-keys.json: must be {"conf": {...}} (one top-level key, "conf")'],
    ],
    [
      'syntax-error.conf',
      undefined,
      ["ERR_PLUGIN_EXTRA_CONF_JSON syntax-error.conf:4: invalid JSON (column 5): expected ',' or '}'"],
    ],
    [
      'duplicate-key.json',
      undefined,
      ['ERR_PLUGIN_EXTRA_CONF_JSON duplicate-key.json:4: invalid JSON (column 5): duplicate key conf.asn'],
    ],
    [
      'bad-value.json',
      undefined,
      ['ERR_PLUGIN_EXTRA_CONF_VALUE bad-value.json: conf.asn.arg: must be an integer, not a string'],
    ],
    ['absent.json', undefined, ['ERR_PLUGIN_EXTRA_CONF_READ absent.json: cannot read: no such file']],
    [
      'router-info.json',
      undefined,
      ['ERR_PLUGIN_EXTRA_CONF_SHAPE router-info.json: must be {"conf": {...}} (one top-level key, "conf")'],
    ],
    [
      'all-types.json',
      'router_info',
      [
        'ERR_PLUGIN_EXTRA_CONF_SHAPE all-types.json: must be {"router_info": {...}} (one top-level key, "router_info")',
      ],
    ],
  ];
  for (const [file, key, expected] of table) {
    it(`${file}${key === undefined ? '' : ` (key ${key})`}: refused`, function () {
      const r = readExtraConfFile(join(dir, file), key === undefined ? {} : { key });
      const got = r.ok ? ['(no error)'] : r.errors.map((e) => `${e.code} ${formatExtraConfError(e)}`);
      expect(got.map((l) => l.replace(`${dir}/`, ''))).to.deep.equal(expected);
    });
  }
});

describe('extra configuration: addresses as inet_pton reads them', function () {
  it('IPv6: every address, in compressed, full and IPv4-tailed text, gives its 16 bytes', function () {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const a = Address6.fromBigInt(BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
        const want = Buffer.from(bytes).toString('hex');
        return [a.correctForm(), a.canonicalForm(), a.to4in6()].every((s) => hex(parseIpv6(s)) === want);
      }),
      { numRuns: 300 },
    );
  });

  it('IPv4: every address in dotted-quad text gives its 4 bytes', function () {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (b) => hex(parseIpv4(b.join('.'))) === Buffer.from(b).toString('hex'),
      ),
    );
  });

  it('random text is an address exactly when node:net says so', function () {
    const v4 = fc.string({ unit: fc.constantFrom(...'0123456789.'), maxLength: 16 });
    const v6 = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 });
    fc.assert(
      fc.property(v4, (s) => (parseIpv4(s) !== undefined) === isIPv4(s)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(v6, (s) => (parseIpv6(s) !== undefined) === isIPv6(s)),
      { numRuns: 2000 },
    );
  });

  it('the forms at the edges', function () {
    const table: [string, string | undefined][] = [
      ['::', '00'.repeat(16)],
      ['::1', '00'.repeat(15) + '01'],
      ['1::', '0001' + '00'.repeat(14)],
      ['1:2:3:4:5:6:7::', '0001000200030004000500060007' + '0000'],
      ['1:2:3:4:5:6:1.2.3.4', '000100020003000400050006' + '01020304'],
      ['1:2:3:4:5:6:7:8:9', undefined],
      [':1::', undefined],
      ['1:::2', undefined],
      ['12345::', undefined],
      ['::1.2.3.04', undefined],
    ];
    expect(table.map(([s]) => hex(parseIpv6(s)))).to.deep.equal(table.map(([, b]) => b));
  });
});

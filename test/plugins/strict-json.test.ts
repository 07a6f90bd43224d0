// The strict JSON reader behind manifests and extra-configuration files (daemon/plugins/strict-json.ts):
// values (exact 64-bit integers, no prototypes), every syntax error with its line and column, key paths;
// and agreement with JSON.parse on whatever JSON.parse accepts.
import { expect } from 'chai';
import fc from 'fast-check';
import { keyPath, parseStrictJson, type JsonValue } from '../../daemon/plugins/strict-json.js';

/** A parsed value with prototype-free objects turned into plain ones, for deep.equal. */
function plain(v: JsonValue): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('strict JSON: values', function () {
  const table: [string, unknown][] = [
    [
      '{"a": 1, "b": [true, false, null], "c": "x\\u00e9\\n\\/"}',
      { a: 1, b: [true, false, null], c: 'x\u00e9\n/' },
    ],
    ['\t[ ]\r\n', []],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', 9007199254740992n],
    ['18446744073709551615', 18446744073709551615n],
    ['-9223372036854775808', -9223372036854775808n],
    ['1.5e3', 1500],
    ['-0.25', -0.25],
    ['"\\ud83d\\ude00"', '\u{1F600}'],
  ];
  for (const [text, value] of table) {
    it(JSON.stringify(text), function () {
      const r = parseStrictJson(text);
      expect(r.ok && plain(r.value)).to.deep.equal(value);
    });
  }

  it('objects have no prototype: a "__proto__" key is an ordinary key', function () {
    const r = parseStrictJson('{"__proto__": {"polluted": true}}');
    if (!r.ok) expect.fail(r.message);
    const v = r.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).to.equal(null);
    expect(Object.keys(v)).to.deep.equal(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('agrees with JSON.parse on any JSON text (comparing big integers at double precision)', function () {
    const asDouble = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 1);
        const r = parseStrictJson(text);
        return r.ok && JSON.stringify(plain(r.value), asDouble) === JSON.stringify(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('strict JSON: errors, with line and column', function () {
  const deep = '['.repeat(66) + ']'.repeat(66);
  // [text, line, column, message]
  const table: [string, number, number, string][] = [
    ['', 1, 1, 'unexpected end of input'],
    ['{"a": 1,}', 1, 9, 'expected a string key'],
    ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}'"],
    ['[1 2]', 1, 4, "expected ',' or ']'"],
    ['[1,]', 1, 4, "unexpected character ']'"],
    ['{"a" 1}', 1, 6, "expected ':'"],
    ['{\n  "a": 1,\n  "a": 2\n}', 3, 3, 'duplicate key a'],
    ['{"x": {"y": [{"0": 1, "0": 2}]}}', 1, 23, 'duplicate key x.y[0]."0"'],
    ['"\\x"', 1, 2, "bad escape '\\x'"],
    ['"\\u12G4"', 1, 2, 'bad \\u escape'],
    ['"a\nb"', 1, 3, 'control character in a string (escape it)'],
    ['"abc', 1, 5, 'unterminated string'],
    ['01', 1, 2, 'unexpected text after the JSON value'],
    ['1.', 1, 2, 'unexpected text after the JSON value'],
    ['-', 1, 1, 'bad number'],
    ['1e999', 1, 1, 'number out of range'],
    ['NaN', 1, 1, "unexpected character 'N'"],
    ['tru', 1, 1, "unexpected character 't'"],
    ['{"a": 1}{', 1, 9, 'unexpected text after the JSON value'],
    ['\ufeff{}', 1, 1, "unexpected character '\ufeff'"],
    [deep, 1, 66, 'nesting deeper than 64 levels'],
  ];
  for (const [text, line, column, message] of table) {
    it(`${JSON.stringify(text.length > 30 ? `${text.slice(0, 30)}...` : text)}: ${message}`, function () {
      expect(parseStrictJson(text)).to.deep.equal({ ok: false, line, column, message });
    });
  }
});

describe('strict JSON: key paths', function () {
  const table: [(string | number)[], string][] = [
    [[], ''],
    [['insertion_points', 'bgp_decode_attr', 'replace', '0'], 'insertion_points.bgp_decode_attr.replace."0"'],
    [['xbgpd', 'pluglets', 'a', 'depends-on'], 'xbgpd.pluglets.a.depends-on'],
    [['rr_clients', 'arg', 1, 'arg'], 'rr_clients.arg[1].arg'],
    [['vrps', 'arg', '10.0.0.0/8'], 'vrps.arg."10.0.0.0/8"'],
    [['my key', 'x'], '"my key".x'],
    [[0, 'a'], '[0].a'],
  ];
  for (const [segments, path] of table) {
    it(path === '' ? '(empty)' : path, function () {
      expect(keyPath(segments)).to.equal(path);
    });
  }
});

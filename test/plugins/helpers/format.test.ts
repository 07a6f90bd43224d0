// The printf engine of the logging helpers (daemon/plugins/helpers/base-format.ts): a table of
// directives with their exact output, the formats it refuses, and glibc's printf as an oracle on
// random integers and doubles (a native C program compiled with clang prints the same directives).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VmFault } from '../../../vm/index.js';
import { format, FormatError, type FormatValue } from '../../../daemon/plugins/helpers/base-format.js';
import { requireTools } from '../../helpers/env.js';
import { prng } from '../../helpers/random.js';

const int = (v: bigint | number): FormatValue => ({ kind: 'int', value: BigInt(v) });
const dbl = (v: number): FormatValue => ({ kind: 'float', value: v });
const ptr = (v: bigint): FormatValue => ({ kind: 'pointer', value: v });

/** Strings the cases' %s read, by address. */
const STRINGS = new Map<bigint, string>([
  [0x4_0000_0010n, 'hello'],
  [0x4_0000_0020n, ''],
]);
const BAD = 0x9_0000_0000n;

function run(fmt: string, values: FormatValue[]): string | FormatError | VmFault {
  return format({
    format: fmt,
    values,
    readString: (a) => STRINGS.get(a) ?? new VmFault('ERR_VM_OUT_OF_BOUNDS_LOAD', 3, `bad ${a}`),
  });
}

const CASES: readonly [string, FormatValue[], string][] = [
  ['plain text', [], 'plain text'],
  ['100%% sure', [], '100% sure'],
  ['%d', [int(-42)], '-42'],
  ['%i|%5d|%-5d|%05d', [int(7), int(-7), int(7), int(-7)], '7|   -7|7    |-0007'],
  ['%+d % d %+d', [int(3), int(3), int(-3)], '+3  3 -3'],
  ['%.3d|%8.3d|%.0d|%.0d', [int(5), int(-5), int(0), int(1)], '005|    -005||1'],
  ['%010.3d', [int(5)], '       005'],
  // An int conversion takes the low 32 bits; an unsigned one reads them unsigned.
  ['%d %u', [int(0x1_0000_0005n), int(-1)], '5 4294967295'],
  [
    '%ld %lu %lld %llu',
    [int(-1), int(-1), int(-(2n ** 63n)), int(2n ** 64n - 1n)],
    '-1 18446744073709551615 -9223372036854775808 18446744073709551615',
  ],
  ['%hd %hu %hhd %hhu', [int(0x18000), int(-1), int(0xff), int(0x1ff)], '-32768 65535 -1 255'],
  ['%x %X %#x %#X %#x', [int(0xbeef), int(0xbeef), int(255), int(255), int(0)], 'beef BEEF 0xff 0XFF 0'],
  ['%lx %08x %#010x', [int(-1), int(0xab), int(0xab)], 'ffffffffffffffff 000000ab 0x000000ab'],
  ['%o %#o %#o', [int(8), int(8), int(0)], '10 010 0'],
  ['%zu %ju %td %qd %Lu', [int(1), int(2), int(-3), int(4), int(5)], '1 2 -3 4 5'],
  ['%c%c%c|%3c|%-3c|', [int(0x41), int(0x142), int(0x43), int(0x78), int(0x79)], 'ABC|  x|y  |'],
  [
    '%s|%8s|%-8s|%.3s|%s',
    [ptr(0x4_0000_0010n), int(0x4_0000_0010n), ptr(0x4_0000_0010n), ptr(0x4_0000_0010n), ptr(0x4_0000_0020n)],
    'hello|   hello|hello   |hel|',
  ],
  ['%s %p %p', [ptr(0n), ptr(0n), ptr(0x4_0000_0010n)], '(null) (nil) 0x400000010'],
  [
    '%*d|%-*d|%.*d|%*d',
    [int(4), int(1), int(3), int(2), int(3), int(9), int(-3), int(5)],
    '   1|2  |009|5  ',
  ],
  [
    '%f %.2f %.0f %#.0f %e %E',
    [dbl(3.14159), dbl(2.675), dbl(2.5), dbl(3), dbl(1234.5678), dbl(0.000123)],
    '3.141590 2.67 2 3. 1.234568e+03 1.230000E-04',
  ],
  [
    '%g %g %g %g %G %#g',
    [dbl(100000), dbl(1e6), dbl(0.0001), dbl(0.00001234), dbl(1e-10), dbl(1.5)],
    '100000 1e+06 0.0001 1.234e-05 1E-10 1.50000',
  ],
  ['%08.3f|%-8.1f|%+.1e|% .0f', [dbl(-3.14159), dbl(2.25), dbl(0), dbl(7)], '-003.142|2.2     |+0.0e+00| 7'],
  ['%f %F %e %f', [dbl(Infinity), dbl(-Infinity), dbl(NaN), dbl(-0)], 'inf -INF nan -0.000000'],
  ['%.0e %.1e %g', [dbl(9.5), dbl(9.96), dbl(999999.5)], '1e+01 1.0e+01 1e+06'],
  ['%f', [dbl(1e22)], '10000000000000000000000.000000'],
  ['%.20f', [dbl(0.1)], '0.10000000000000000555'],
  ['%d', [int(1), int(2)], '1'],
];

const REFUSED: readonly [string, FormatValue[], RegExp][] = [
  ['%d %d', [int(1)], /too few values/],
  ['%n', [ptr(0x4_0000_0010n)], /unsupported conversion '%n'/],
  ['%m', [], /unsupported conversion/],
  ['%a', [dbl(1)], /unsupported conversion/],
  ['%ls', [ptr(0x4_0000_0010n)], /%s takes an address/],
  ['%lc', [int(65)], /%c takes a plain integer/],
  ['%d', [dbl(1)], /%d given a floating-point value/],
  ['%f', [int(1)], /%f given an integer/],
  ['%s', [dbl(1)], /%s takes an address/],
  ['50%', [], /a '%' ends the format/],
  ['%5000d', [int(1)], /width or precision above 4096/],
  ['%*d', [int(1_000_000), int(1)], /width or precision above 4096/],
  ['%.101f', [dbl(1)], /float precision above 100/],
  ['%*d', [dbl(1), int(1)], /takes an integer/],
];

describe('plugins/helpers: the printf engine (base-format.ts)', function () {
  for (const [fmt, values, expected] of CASES) {
    it(`"${fmt}" gives "${expected}"`, function () {
      expect(run(fmt, values)).to.equal(expected);
    });
  }

  for (const [fmt, values, reason] of REFUSED) {
    it(`"${fmt}" is refused: ${reason.source}`, function () {
      const r = run(fmt, values);
      expect(r).to.be.instanceOf(FormatError);
      expect((r as FormatError).reason).to.match(reason);
    });
  }

  it('a %s at a bad address returns the fault of the read', function () {
    const r = run('x=%s', [ptr(BAD)]);
    expect(r).to.be.instanceOf(VmFault);
    expect((r as VmFault).code).to.equal('ERR_VM_OUT_OF_BOUNDS_LOAD');
  });

  it('a negative * precision is as if none was given', function () {
    expect(run('%.*f', [int(-1), dbl(1.5)])).to.equal('1.500000');
  });
});

// ===== glibc as an oracle =====

/** A C expression of exactly the double `x` (its bit pattern), for the oracle program. */
function cDouble(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return `d(0x${view.getBigUint64(0).toString(16)}ULL)`;
}

/** Run printf natively on each [C format, C argument expression]; one line of output per case. */
function glibc(cases: readonly (readonly [string, string])[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-printf-'));
  try {
    const body = cases.map(([f, arg]) => `  printf("${f}\\n", ${arg});`).join('\n');
    const src = [
      '#include <stdio.h>',
      '#include <stdint.h>',
      '#include <string.h>',
      'static double d(uint64_t b) { double x; memcpy(&x, &b, 8); return x; }',
      'int main(void) {',
      body,
      '  return 0;',
      '}',
    ].join('\n');
    writeFileSync(join(dir, 'p.c'), src);
    execFileSync('clang', ['-O0', '-w', '-o', join(dir, 'p'), join(dir, 'p.c')]);
    return execFileSync(join(dir, 'p')).toString().split('\n').slice(0, cases.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('plugins/helpers: the printf engine agrees with glibc', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  it('on random doubles with %f %e %g and their flags and precisions', function () {
    const rnd = prng(0x5eed);
    const formats = [
      '%f',
      '%.3f',
      '%.0f',
      '%e',
      '%.0e',
      '%.12e',
      '%g',
      '%.1g',
      '%.10g',
      '%#g',
      '%+12.4f',
      '%-12.2e',
      '%012.5g',
      '%.17g',
    ];
    const tests: { fmt: string; x: number }[] = [];
    for (let i = 0; i < 400; i++) {
      const magnitude = Math.floor(rnd() * 60) - 30;
      let x = (rnd() * 2 - 1) * 10 ** magnitude;
      // Halfway cases too: decimals of few digits.
      if (i % 5 === 0) x = Math.round(x * 100) / 100 + 0.005;
      if (i % 7 === 0) x = Math.round(rnd() * 1000) + 0.5;
      tests.push({ fmt: formats[i % formats.length]!, x });
    }
    tests.push({ fmt: '%f', x: 5e-324 }, { fmt: '%e', x: 5e-324 }, { fmt: '%f', x: 1.7976931348623157e308 });
    const expected = glibc(tests.map((t) => [t.fmt, cDouble(t.x)] as const));
    const got = tests.map((t) => run(t.fmt, [dbl(t.x)]));
    const wrong = tests
      .map((t, i) => ({ ...t, got: got[i], want: expected[i] }))
      .filter((t) => t.got !== t.want);
    expect(wrong).to.deep.equal([]);
  });

  it('on random integers with every length modifier and flag', function () {
    const rnd = prng(0xc0de);
    const formats: [string, string][] = [
      ['%d', 'int'],
      ['%+6i', 'int'],
      ['%u', 'unsigned'],
      ['%#x', 'unsigned'],
      ['%-9X|', 'unsigned'],
      ['%#o', 'unsigned'],
      ['%.5d', 'int'],
      ['%hd', 'int'],
      ['%hhu', 'unsigned'],
      ['%ld', 'long'],
      ['%lu', 'unsigned long'],
      ['%llx', 'unsigned long long'],
      ['% 020lld', 'long long'],
    ];
    const tests: { fmt: string; v: bigint; type: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const [fmt, type] = formats[i % formats.length]!;
      const bits = BigInt(Math.floor(rnd() * 64) + 1);
      const v =
        BigInt.asIntN(64, BigInt(Math.floor(rnd() * 2 ** 32)) * BigInt(Math.floor(rnd() * 2 ** 32))) >>
        (64n - bits);
      tests.push({ fmt, v, type });
    }
    const expected = glibc(tests.map((t) => [t.fmt, `(${t.type})(${t.v}LL)`] as const));
    const got = tests.map((t) => run(t.fmt, [int(t.v)]));
    const wrong = tests
      .map((t, i) => ({ ...t, got: got[i], want: expected[i] }))
      .filter((t) => t.got !== t.want);
    expect(wrong).to.deep.equal([]);
  });
});

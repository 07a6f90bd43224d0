// The logging helpers (base-log.ts), called directly with a hand-made Call over real checked
// memory: super_log (log_msg) with every level byte and typed values, ebpf_print_intern, and
// ebpf_bvsnprintf into a buffer (fit, exact fit, truncation, refusals).
import { expect } from 'chai';
import { VmFault } from '../../../vm/index.js';
import { LOG_LEVEL_MAP, VType } from '../../../xbgp-api/index.js';
import { Harness } from './harness.js';

const M1 = 0xffff_ffff_ffff_ffffn;

type Arg = readonly [tag: number, value: bigint | number];

/** A struct vtype array and its struct vargs in the scratch region; the vargs address. */
function vargs(h: Harness, args: readonly Arg[], nb = args.length, argsAt?: bigint): bigint {
  const list = new Uint8Array(Math.max(16, args.length * 16));
  const view = new DataView(list.buffer);
  args.forEach(([tag, value], i) => {
    view.setInt32(i * 16, tag, true);
    if (tag === VType.VT_FLOAT) view.setFloat32(i * 16 + 8, Number(value), true);
    else if (tag === VType.VT_DOUBLE || tag === VType.VT_LONGDOUBLE)
      view.setFloat64(i * 16 + 8, Number(value), true);
    else view.setBigUint64(i * 16 + 8, BigInt.asUintN(64, BigInt(value)), true);
  });
  const at = h.put(list);
  const head = new Uint8Array(16);
  const hv = new DataView(head.buffer);
  hv.setInt32(0, nb, true);
  hv.setBigUint64(8, argsAt ?? at, true);
  return h.put(head);
}

/** A counted uintptr_t array (ubpf_sprintf's). */
function counted(h: Harness, values: readonly bigint[], count = BigInt(values.length)): bigint {
  const out = new Uint8Array(8 * (values.length + 1));
  const view = new DataView(out.buffer);
  view.setBigUint64(0, count, true);
  values.forEach((v, i) => view.setBigUint64(8 * (i + 1), BigInt.asUintN(64, v), true));
  return h.put(out);
}

describe('plugins/helpers: super_log (log_msg)', function () {
  for (let level = 1; level <= 9; level++) {
    it(`level byte ${level} logs at ${LOG_LEVEL_MAP[level]}`, function () {
      const h = new Harness();
      const msg = h.cstr(`${String.fromCharCode(level)}peer %u: %s\n`, true);
      const r = h.invoke(
        'super_log',
        msg,
        vargs(h, [
          [VType.VT_U32, 65001],
          [VType.VT_POINTER, h.cstr('up')],
        ]),
      );
      expect(r).to.equal(1n);
      expect(h.services.lines).to.deep.equal([{ level: LOG_LEVEL_MAP[level], message: 'peer 65001: up' }]);
    });
  }

  // [format after the level byte, values, logged text]
  const TYPED: readonly [string, Arg[], string][] = [
    [
      '%d %d',
      [
        [VType.VT_U8, 200],
        [VType.VT_S8, -1],
      ],
      '200 -1',
    ],
    [
      '%u %x',
      [
        [VType.VT_S32, -1],
        [VType.VT_U16, 0xbeef],
      ],
      '4294967295 beef',
    ],
    [
      '%hd %hhu',
      [
        [VType.VT_SSHORT, -2],
        [VType.VT_UCHAR, 255],
      ],
      '-2 255',
    ],
    [
      '%ld %lu %llu %lx',
      [
        [VType.VT_SLONG, -5],
        [VType.VT_ULONG, 5],
        [VType.VT_ULLONG, 2n ** 64n - 1n],
        [VType.VT_U64, 0xabcdn],
      ],
      '-5 5 18446744073709551615 abcd',
    ],
    [
      '%lld %d',
      [
        [VType.VT_SLLONG, -(2n ** 40n)],
        [VType.VT_SINT, 0x7fffffff],
      ],
      '-1099511627776 2147483647',
    ],
    [
      '%.2f %.3f %g',
      [
        [VType.VT_FLOAT, 1.5],
        [VType.VT_DOUBLE, 2.0625],
        [VType.VT_LONGDOUBLE, 1e-5],
      ],
      '1.50 2.062 1e-05',
    ],
    [
      '%c%c %p %%',
      [
        [VType.VT_SCHAR, 0x4f],
        [VType.VT_UCHAR, 0x4b],
        [VType.VT_POINTER, 0x4_0000_0010n],
      ],
      'OK 0x400000010 %',
    ],
    ['%s', [[VType.VT_POINTER, 0]], '(null)'],
    ['no values', [], 'no values'],
    [
      '%d',
      [
        [VType.VT_S64, 1],
        [VType.VT_S64, 2],
      ],
      '1',
    ],
  ];
  for (const [fmt, args, text] of TYPED) {
    it(`L_INFO "${fmt}" logs "${text}"`, function () {
      const h = new Harness();
      expect(h.invoke('super_log', h.cstr(`\x03${fmt}`), vargs(h, args))).to.equal(1n);
      expect(h.services.lines).to.deep.equal([{ level: 'info', message: text }]);
    });
  }

  it('UTF-8 in the format and in %s comes out as written', function () {
    const h = new Harness();
    expect(
      h.invoke('super_log', h.cstr('\x05café %s'), vargs(h, [[VType.VT_POINTER, h.cstr('→ ok')]])),
    ).to.equal(1n);
    expect(h.services.lines).to.deep.equal([{ level: 'warn', message: 'café → ok' }]);
  });

  it('a NULL vargs is no value', function () {
    const h = new Harness();
    expect(h.invoke('super_log', h.cstr('\x01hello'), 0n)).to.equal(1n);
    expect(h.services.lines).to.deep.equal([{ level: 'debug', message: 'hello' }]);
  });

  // Nothing logged, 0 returned.
  const NOT_LOGGED: readonly [string, string, (h: Harness) => bigint][] = [
    ['no level byte', 'plain %d', (h) => vargs(h, [[VType.VT_S32, 1]])],
    ['level byte 0 (empty string)', '', (h) => vargs(h, [])],
    ['level byte 10', '\x0a%d', (h) => vargs(h, [[VType.VT_S32, 1]])],
    ['too few values', '\x03%d %d', (h) => vargs(h, [[VType.VT_S32, 1]])],
    ['an unknown tag', '\x03%d', (h) => vargs(h, [[22, 1]])],
    ['a float for %d', '\x03%d', (h) => vargs(h, [[VType.VT_DOUBLE, 1]])],
    ['%n', '\x03%n', (h) => vargs(h, [[VType.VT_POINTER, h.scratchBase]])],
    ['a negative nb_args', '\x03x', (h) => vargs(h, [], -1)],
    ['nb_args above 256', '\x03x', (h) => vargs(h, [], 257)],
  ];
  for (const [what, msg, args] of NOT_LOGGED) {
    it(`${what}: returns 0, logs nothing`, function () {
      const h = new Harness();
      expect(h.invoke('super_log', h.cstr(msg, true), args(h))).to.equal(0n);
      expect(h.services.lines).to.deep.equal([]);
      expect(h.call.helperFault).to.equal(undefined);
    });
  }

  // The run faults: a pointer outside the plugin's memory.
  const FAULTS: readonly [string, (h: Harness) => [bigint, bigint]][] = [
    ['the format', (h) => [0x77_0000_0000n, vargs(h, [])]],
    ['the vargs', (h) => [h.cstr('\x03x'), 0x77_0000_0000n]],
    ['the vtype array', (h) => [h.cstr('\x03x'), vargs(h, [], 2, 0x77_0000_0000n)]],
    ['a %s string', (h) => [h.cstr('\x03%s'), vargs(h, [[VType.VT_POINTER, 0x77_0000_0000n]])]],
  ];
  for (const [what, regs] of FAULTS) {
    it(`a bad pointer in ${what} faults the run (nothing logged)`, function () {
      const h = new Harness();
      const [msg, args] = regs(h);
      const r = h.invoke('super_log', msg, args);
      expect(r).to.be.instanceOf(VmFault);
      expect((r as VmFault).code).to.equal('ERR_VM_OUT_OF_BOUNDS_LOAD');
      expect(h.services.lines).to.deep.equal([]);
    });
  }
});

describe('plugins/helpers: ebpf_print_intern (ebpf_print)', function () {
  it('logs at debug without the trailing newline; returns the bytes formatted', function () {
    const h = new Harness();
    const r = h.invoke(
      'ebpf_print_intern',
      h.cstr('%s=%d\n'),
      vargs(h, [
        [VType.VT_POINTER, h.cstr('é')],
        [VType.VT_S32, -3],
      ]),
    );
    expect(r).to.equal(6n); // "é" is two bytes
    expect(h.services.lines).to.deep.equal([{ level: 'debug', message: 'é=-3' }]);
  });

  it('a format that cannot be applied returns -1 and logs nothing', function () {
    const h = new Harness();
    expect(h.invoke('ebpf_print_intern', h.cstr('%d %d'), vargs(h, [[VType.VT_S32, 1]]))).to.equal(M1);
    expect(h.services.lines).to.deep.equal([]);
  });
});

describe('plugins/helpers: ebpf_bvsnprintf (ubpf_sprintf)', function () {
  // [size, format, values (strings are put in scratch), buffer text, r0]
  const CASES: readonly [number, string, (h: Harness) => bigint[], string, bigint][] = [
    [32, 'as%u-%s', (h) => [65001n, h.cstr('rr')], 'as65001-rr', 10n],
    [11, 'as%u-%s', (h) => [65001n, h.cstr('rr')], 'as65001-rr', 10n], // exactly room for the NUL
    [10, 'as%u-%s', (h) => [65001n, h.cstr('rr')], 'as65001-r', M1], // truncated, NUL-terminated
    [1, 'abc', () => [], '', M1],
    [16, '%d|%ld|%x', () => [M1, M1, 0x1_0000_00ffn], '-1|-1|ff', 8n],
    [16, '%5.1s|%c', (h) => [h.cstr('xyz'), 0x21n], '    x|!', 7n],
    [16, '', () => [], '', 0n],
  ];
  for (const [size, fmt, values, text, r0] of CASES) {
    it(`size ${size}, "${fmt}": "${text}", returns ${BigInt.asIntN(64, r0)}`, function () {
      const h = new Harness();
      const buf = h.put(new Uint8Array(40).fill(0x7e));
      const args = counted(h, values(h));
      expect(h.invoke('ebpf_bvsnprintf', buf, BigInt(size), h.cstr(fmt), args)).to.equal(r0);
      expect(h.stringAt(buf)).to.equal(text);
      // Nothing written past size bytes.
      expect(h.bytesAt(buf + BigInt(size), 1)[0]).to.equal(0x7e);
    });
  }

  // The buffer stays untouched, r0 = -1.
  const REFUSED: readonly [string, bigint, string, (h: Harness) => bigint][] = [
    ['size 0', 0n, 'x', (h) => counted(h, [])],
    ['a negative size', 0xffff_fff0n, 'x', (h) => counted(h, [])],
    ['too few values', 16n, '%d %d', (h) => counted(h, [1n])],
    ['a count above 256', 16n, 'x', (h) => counted(h, [], 1000n)],
    ['an unsupported conversion', 16n, '%n', (h) => counted(h, [h.scratchBase])],
  ];
  for (const [what, size, fmt, args] of REFUSED) {
    it(`${what}: -1, buffer untouched`, function () {
      const h = new Harness();
      const buf = h.put(new Uint8Array(16).fill(0x7e));
      expect(h.invoke('ebpf_bvsnprintf', buf, size, h.cstr(fmt), args(h))).to.equal(M1);
      expect([...h.bytesAt(buf, 16)]).to.deep.equal(Array<number>(16).fill(0x7e));
    });
  }

  it('a NULL argument array is no value; the buffer may not be read-only', function () {
    const h = new Harness();
    const buf = h.room(8);
    expect(h.invoke('ebpf_bvsnprintf', buf, 8n, h.cstr('ok'), 0n)).to.equal(2n);
    const r = h.invoke('ebpf_bvsnprintf', h.rodataBase, 8n, h.cstr('ok'), 0n);
    expect((r as VmFault).code).to.equal('ERR_VM_OUT_OF_BOUNDS_STORE');
  });
});

// The base helpers that work on values (base-values.ts), called directly with a hand-made Call over
// real checked memory: byte order, the clocks, ebpf_sqrt, ebpf_inet_ntop / ebpf_inet_pton.
import { expect } from 'chai';
import { VmFault } from '../../../vm/index.js';
import { AF_INET, AF_INET6 } from '../../../xbgp-api/index.js';
import { isqrt, sqrtScaled } from '../../../daemon/plugins/helpers/base-values.js';
import { prng } from '../../helpers/random.js';
import { Harness } from './harness.js';

const M1 = 0xffff_ffff_ffff_ffffn; // -1 as r0

describe('plugins/helpers: byte order', function () {
  const CASES: readonly [string, bigint, bigint][] = [
    ['ebpf_ntohs', 0x1234n, 0x3412n],
    ['ebpf_ntohs', 0xdead_beef_0000_1234n, 0x3412n], // only the low 16 bits are the argument
    ['ebpf_htons', 0x00ffn, 0xff00n],
    ['ebpf_ntohl', 0x1122_3344n, 0x4433_2211n],
    ['ebpf_htonl', 0xffff_ffff_8000_0001n, 0x0100_0080n],
    ['ebpf_ntohll', 0x0102_0304_0506_0708n, 0x0807_0605_0403_0201n],
    ['ebpf_htonll', 0xff00_0000_0000_0000n, 0xffn],
  ];
  for (const [name, input, expected] of CASES) {
    it(`${name}(0x${input.toString(16)}) = 0x${expected.toString(16)}`, function () {
      expect(new Harness().invoke(name, input)).to.equal(expected);
    });
  }

  it('hton and ntoh are inverse, and agree with a big-endian store read little-endian', function () {
    const h = new Harness();
    const rnd = prng(0xb0);
    for (let i = 0; i < 200; i++) {
      const v = BigInt(Math.floor(rnd() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rnd() * 2 ** 32));
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, v, false);
      expect(h.invoke('ebpf_htonll', v)).to.equal(view.getBigUint64(0, true));
      expect(h.invoke('ebpf_ntohll', h.invoke('ebpf_htonll', v) as bigint)).to.equal(v);
      expect(h.invoke('ebpf_ntohl', h.invoke('ebpf_htonl', v) as bigint)).to.equal(v & 0xffff_ffffn);
      expect(h.invoke('ebpf_htons', v)).to.equal(BigInt(view.getUint16(6, true)));
    }
  });
});

describe('plugins/helpers: get_time and get_realtime', function () {
  const CASES: readonly [string, 'mono' | 'real', number, bigint, bigint][] = [
    ['get_time', 'mono', 12345.678, 12n, 345_678_000n],
    ['get_time', 'mono', 0, 0n, 0n],
    ['get_realtime', 'real', 1_700_000_000_123.5, 1_700_000_000n, 123_500_000n],
    ['get_realtime', 'real', 999.999999, 0n, 999_999_999n],
    ['get_time', 'mono', 1999.9999999, 2n, 0n], // rounds up into the next second
  ];
  for (const [name, clock, ms, sec, nsec] of CASES) {
    it(`${name} at ${ms} ms writes {${sec}, ${nsec}} and returns 0`, function () {
      const h = new Harness();
      h.services[clock] = ms;
      h.services[clock === 'mono' ? 'real' : 'mono'] = 5e9; // the other clock is not read
      const spec = h.room(16);
      expect(h.invoke(name, spec)).to.equal(0n);
      const view = new DataView(h.bytesAt(spec, 16).buffer);
      expect([view.getBigInt64(0, true), view.getBigInt64(8, true)]).to.deep.equal([sec, nsec]);
    });
  }

  it('returns -1 for NULL; a read-only or unmapped pointer faults the run', function () {
    const h = new Harness();
    expect(h.invoke('get_time', 0n)).to.equal(M1);
    expect(h.invoke('get_realtime', 0n)).to.equal(M1);
    const ro = h.invoke('get_time', h.rodataBase);
    expect(ro).to.be.instanceOf(VmFault);
    expect((ro as VmFault).code).to.equal('ERR_VM_OUT_OF_BOUNDS_STORE');
    expect(h.invoke('get_realtime', h.scratchBase + 4090n)).to.be.instanceOf(VmFault);
  });
});

describe('plugins/helpers: ebpf_sqrt', function () {
  const U64_MAX = 2n ** 64n - 1n;
  const CASES: readonly [bigint, number, bigint][] = [
    [2n, 3, 1414n],
    [0n, 30, 0n],
    [1n, 0, 1n],
    [15n, 0, 3n],
    [16n, 0, 4n],
    [16n, 2, 400n],
    [10n, 5, 316227n],
    [U64_MAX, 0, 4294967295n],
    [2n, 19, 14142135623730950488n],
    [2n, 20, U64_MAX], // 1.4e20 does not fit: saturates
    [1n, 4_000_000_000, U64_MAX],
  ];
  for (const [a, p, expected] of CASES) {
    it(`ebpf_sqrt(${a}, ${p}) = ${expected}`, function () {
      expect(new Harness().invoke('ebpf_sqrt', a, BigInt(p))).to.equal(expected);
    });
  }

  it('takes precision from its second argument (xBGP read the third)', function () {
    expect(new Harness().invoke('ebpf_sqrt', 2n, 3n, 7n)).to.equal(1414n);
    expect(new Harness().invoke('ebpf_sqrt', 2n, 0x1_0000_0001n)).to.equal(14n); // unsigned int: low 32 bits
  });

  it('is the exact floor on random inputs (r^2 <= a * 100^p < (r+1)^2)', function () {
    const rnd = prng(0x5a);
    for (let i = 0; i < 300; i++) {
      const a = BigInt(Math.floor(rnd() * 2 ** 32)) * BigInt(Math.floor(rnd() * 2 ** 32));
      const p = Math.floor(rnd() * 10);
      const r = sqrtScaled(a, p);
      const scaled = a * 100n ** BigInt(p);
      if (r === U64_MAX) expect((r + 1n) ** 2n <= scaled).to.equal(true);
      else expect(r * r <= scaled && scaled < (r + 1n) * (r + 1n)).to.equal(true);
      expect(isqrt(a) ** 2n <= a && a < (isqrt(a) + 1n) ** 2n).to.equal(true);
    }
  });
});

describe('plugins/helpers: ebpf_inet_ntop and ebpf_inet_pton', function () {
  const NTOP: readonly [number, number[], string][] = [
    [AF_INET, [192, 0, 2, 1], '192.0.2.1'],
    [AF_INET, [0, 0, 0, 0], '0.0.0.0'],
    [AF_INET6, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    [AF_INET6, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1], '::ffff:c000:201'],
    [AF_INET6, Array<number>(16).fill(0), '::'],
  ];
  for (const [af, bytes, text] of NTOP) {
    it(`inet_ntop(af ${af}) of ${text}, and inet_pton back`, function () {
      const h = new Harness();
      const ip = h.put(Uint8Array.from(bytes));
      const buf = h.room(64);
      // Exactly room for the text and its NUL is enough.
      expect(h.invoke('ebpf_inet_ntop', ip, BigInt(af), buf, BigInt(text.length + 1))).to.equal(0n);
      expect(h.stringAt(buf)).to.equal(text);
      const dst = h.room(16);
      expect(h.invoke('ebpf_inet_pton', BigInt(af), h.cstr(text), dst, 16n)).to.equal(0n);
      expect([...h.bytesAt(dst, bytes.length)]).to.deep.equal(bytes);
    });
  }

  it('inet_ntop: -1 for another family or a buffer one byte short (left untouched)', function () {
    const h = new Harness();
    const ip = h.put(Uint8Array.of(10, 0, 0, 1));
    const buf = h.put(new Uint8Array(16).fill(0x55));
    expect(h.invoke('ebpf_inet_ntop', ip, 3n, buf, 16n)).to.equal(M1);
    expect(h.invoke('ebpf_inet_ntop', ip, BigInt(AF_INET), buf, 8n)).to.equal(M1);
    expect([...h.bytesAt(buf, 16)]).to.deep.equal(Array<number>(16).fill(0x55));
    expect(h.invoke('ebpf_inet_ntop', ip, BigInt(AF_INET), buf, 9n)).to.equal(0n);
  });

  it('inet_ntop: an address that is not readable, or a buffer that is not writable, faults', function () {
    const h = new Harness();
    const ip6 = h.scratchBase + 4090n; // 16 bytes would cross the end of the region
    expect(h.invoke('ebpf_inet_ntop', ip6, BigInt(AF_INET6), h.room(64), 64n)).to.be.instanceOf(VmFault);
    const ip = h.put(Uint8Array.of(1, 2, 3, 4));
    expect(h.invoke('ebpf_inet_ntop', ip, BigInt(AF_INET), h.rodataBase, 16n)).to.be.instanceOf(VmFault);
  });

  const PTON_FAIL: readonly [number, string, bigint][] = [
    [AF_INET, '010.0.0.1', 4n], // leading zero: inet_pton refuses it
    [AF_INET, '10.0.0', 4n],
    [AF_INET, '::1', 16n],
    [AF_INET6, '10.0.0.1', 16n],
    [AF_INET6, 'fe80::1%eth0', 16n],
    [AF_INET6, '1::2::3', 16n],
    [AF_INET, '10.0.0.1', 3n], // buf_len below the address size
    [AF_INET6, '::1', 15n],
    [7, '10.0.0.1', 16n],
  ];
  for (const [af, text, len] of PTON_FAIL) {
    it(`inet_pton(${af}, "${text}", len ${len}) = -1, dst untouched`, function () {
      const h = new Harness();
      const dst = h.put(new Uint8Array(16).fill(0x55));
      expect(h.invoke('ebpf_inet_pton', BigInt(af), h.cstr(text), dst, len)).to.equal(M1);
      expect([...h.bytesAt(dst, 16)]).to.deep.equal(Array<number>(16).fill(0x55));
    });
  }

  it('inet_pton: an unreadable source or an unwritable destination faults', function () {
    const h = new Harness();
    expect(h.invoke('ebpf_inet_pton', BigInt(AF_INET), 0x77_0000_0000n, h.room(4), 4n)).to.be.instanceOf(
      VmFault,
    );
    expect(h.invoke('ebpf_inet_pton', BigInt(AF_INET), h.cstr('1.2.3.4'), h.rodataBase, 4n)).to.be.instanceOf(
      VmFault,
    );
  });

  it('round-trips random IPv6 addresses (ntop, then pton gives the bytes back)', function () {
    const h = new Harness();
    const rnd = prng(0x66);
    for (let i = 0; i < 100; i++) {
      const bytes = Uint8Array.from({ length: 16 }, () => (rnd() < 0.4 ? 0 : Math.floor(rnd() * 256)));
      const ip = h.put(bytes);
      const buf = h.room(48);
      expect(h.invoke('ebpf_inet_ntop', ip, BigInt(AF_INET6), buf, 48n)).to.equal(0n);
      const dst = h.room(16);
      expect(h.invoke('ebpf_inet_pton', BigInt(AF_INET6), buf, dst, 16n)).to.equal(0n);
      expect(h.bytesAt(dst, 16)).to.deep.equal(bytes);
      if (i % 16 === 15) h.reset();
    }
  });
});

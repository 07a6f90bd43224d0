// Address text as bgpdump prints it (its own IPv6 formatter, not inet_ntop), and the parsers the writer
// uses (daemon/net/address.ts, tested fully in test/net).
import { expect } from 'chai';
import { ipv6At } from '../../daemon/mrt/address.js';
import { formatIpv4At as ipv4At, parseIpv4, parseIpv6 } from '../../daemon/net/address.js';

function v6(text: string): Uint8Array {
  const b = parseIpv6(text);
  if (!b) throw new Error(`bad test address ${text}`);
  return b;
}

describe('mrt address text (bgpdump form)', function () {
  const cases: [string, string][] = [
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:0', '2001:db8:0:1::'],
    // bgpdump also compresses a single zero group (RFC 5952 would not).
    ['2001:db8:0:1:1:1:1:1', '2001:db8::1:1:1:1:1'],
    // The first of two equally long runs.
    ['2001:0:0:1:0:0:1:1', '2001::1:0:0:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    // IPv4-mapped and IPv4-compatible forms.
    ['::ffff:193.0.0.56', '::ffff:193.0.0.56'],
    ['::10.1.2.3', '::10.1.2.3'],
    ['2001:7f8:54::188', '2001:7f8:54::188'],
    ['2001:19f0:5001:53f:5400:1ff:fe9c:264e', '2001:19f0:5001:53f:5400:1ff:fe9c:264e'],
  ];
  for (const [input, text] of cases) {
    it(`${input} -> ${text}`, function () {
      expect(ipv6At(v6(input), 0)).to.equal(text);
    });
  }

  it('prints IPv4 dotted quads', function () {
    expect(ipv4At(Uint8Array.from([0, 10, 255, 1, 2]), 1)).to.equal('10.255.1.2');
  });

  it('rejects malformed text in the parsers', function () {
    expect(parseIpv4('1.2.3')).to.equal(undefined);
    expect(parseIpv4('1.2.3.256')).to.equal(undefined);
    expect(parseIpv6('1::2::3')).to.equal(undefined);
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).to.equal(undefined);
    expect(parseIpv6('12345::')).to.equal(undefined);
    expect([...parseIpv6('::ffff:1.2.3.4')!.subarray(10)]).to.deep.equal([0xff, 0xff, 1, 2, 3, 4]);
  });
});

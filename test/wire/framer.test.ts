// MessageFramer: a TCP byte stream cut at any point gives back the same whole messages; header errors
// (RFC 4271 6.1) are reported once and stay (the stream cannot be resynchronised).
import { expect } from 'chai';
import {
  checkHeader,
  isHeaderError,
  MessageFramer,
  toNotification,
  type HeaderError,
} from '../../daemon/wire/index.js';
import { BASE_ATTRS_AS2, concat, hex, message, toHex, update } from './helpers/bytes.js';

const KEEPALIVE = message(4, '');
const UPDATE = update({ attrs: BASE_ATTRS_AS2, nlri: '18 c00002 16 c63364' });
const NOTIFICATION = message(3, '06 02 0b 6d61696e74656e616e6365');
const STREAM = concat(KEEPALIVE, UPDATE, NOTIFICATION);
const EXPECTED = [KEEPALIVE, UPDATE, NOTIFICATION].map(toHex);

function drain(f: MessageFramer): (string | HeaderError)[] {
  const out: (string | HeaderError)[] = [];
  for (let m = f.next(); m !== undefined; m = f.next()) {
    if (!(m instanceof Uint8Array)) {
      out.push(m);
      break;
    }
    out.push(toHex(m));
  }
  return out;
}

describe('wire: MessageFramer', function () {
  it('returns whole messages from one chunk', function () {
    const f = new MessageFramer();
    f.push(STREAM);
    expect(drain(f)).to.deep.equal(EXPECTED);
    expect(f.pending).to.equal(0);
  });

  it('returns the same messages for every single split point', function () {
    for (let i = 1; i < STREAM.length; i++) {
      const f = new MessageFramer();
      const got: (string | HeaderError)[] = [];
      f.push(STREAM.subarray(0, i));
      got.push(...drain(f));
      f.push(STREAM.subarray(i));
      got.push(...drain(f));
      expect(got, `split at ${i}`).to.deep.equal(EXPECTED);
    }
  });

  it('returns the same messages for every pair of split points', function () {
    for (let i = 1; i < STREAM.length; i++) {
      for (let j = i + 1; j < STREAM.length; j++) {
        const f = new MessageFramer();
        const got: (string | HeaderError)[] = [];
        for (const part of [STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]) {
          f.push(part);
          got.push(...drain(f));
        }
        if (got.length !== 3 || got.some((g, k) => g !== EXPECTED[k]))
          expect(got, `splits at ${i}, ${j}`).to.deep.equal(EXPECTED);
      }
    }
  });

  it('parses when fed one octet at a time (split in the middle, at the end, at the beginning)', function () {
    const f = new MessageFramer();
    const got: (string | HeaderError)[] = [];
    for (const b of STREAM) {
      f.push(Uint8Array.of(b));
      got.push(...drain(f));
    }
    expect(got).to.deep.equal(EXPECTED);
  });

  it('keeps returned messages intact while later chunks are appended', function () {
    const f = new MessageFramer();
    const got: Uint8Array[] = [];
    // Split so that the framer owns a buffer and appends into it.
    f.push(STREAM.subarray(0, 25));
    f.push(STREAM.subarray(25, 30));
    for (let m = f.next(); m instanceof Uint8Array; m = f.next()) got.push(m);
    f.push(STREAM.subarray(30, 60));
    for (let m = f.next(); m instanceof Uint8Array; m = f.next()) got.push(m);
    f.push(STREAM.subarray(60));
    for (let m = f.next(); m instanceof Uint8Array; m = f.next()) got.push(m);
    expect(got.map(toHex)).to.deep.equal(EXPECTED);
  });

  it('assembles a 60000-octet UPDATE from 100-octet chunks', function () {
    const big = update({ attrs: BASE_ATTRS_AS2, nlri: new Uint8Array(60000 - 23 - BASE_ATTRS_AS2.length) });
    const f = new MessageFramer(true);
    const got: string[] = [];
    for (let i = 0; i < big.length; i += 100) {
      f.push(big.subarray(i, i + 100));
      for (let m = f.next(); m instanceof Uint8Array; m = f.next()) got.push(toHex(m));
    }
    expect(got).to.deep.equal([toHex(big)]);
    expect(f.pending).to.equal(0);
  });

  it('feed() calls back per message', function () {
    const f = new MessageFramer();
    const got: string[] = [];
    expect(f.feed(STREAM.subarray(0, 30), (m) => got.push(toHex(m)))).to.equal(undefined);
    expect(f.feed(STREAM.subarray(30), (m) => got.push(toHex(m)))).to.equal(undefined);
    expect(got).to.deep.equal(EXPECTED);
  });

  it('reports a bad marker as Connection Not Synchronized, and keeps reporting it', function () {
    const bad = KEEPALIVE.slice();
    bad[3] = 0xfe;
    const f = new MessageFramer();
    f.push(concat(KEEPALIVE, bad, KEEPALIVE));
    expect(toHex(f.next() as Uint8Array)).to.equal(toHex(KEEPALIVE));
    const e = f.next() as HeaderError;
    expect([e.code, toNotification(e).code, toNotification(e).subcode]).to.deep.equal([
      'ERR_BGP_HEADER_MARKER',
      1,
      1,
    ]);
    expect(f.next()).to.equal(e);
  });

  it('rejects a length above 4096 before the body arrives, with the length field as data', function () {
    const f = new MessageFramer();
    f.push(hex('ffffffffffffffffffffffffffffffff 1388 02'));
    const e = f.next() as HeaderError;
    expect([e.code, toHex(toNotification(e).data), toNotification(e).subcode]).to.deep.equal([
      'ERR_BGP_HEADER_LENGTH',
      '1388',
      2,
    ]);
  });

  it('accepts UPDATEs up to 65535 octets with Extended Message (RFC 8654), but not OPENs', function () {
    const big = update({ attrs: BASE_ATTRS_AS2, nlri: new Uint8Array(5000).fill(0) }); // 5000 default routes
    const f = new MessageFramer();
    f.setExtendedMessage(true);
    f.push(big.subarray(0, 100));
    expect(f.next()).to.equal(undefined);
    f.push(big.subarray(100));
    expect(toHex(f.next() as Uint8Array)).to.equal(toHex(big));
    const open = checkHeader(hex('ffffffffffffffffffffffffffffffff 1388 01'), 0, true);
    expect(isHeaderError(open) && open.code).to.equal('ERR_BGP_HEADER_LENGTH');
  });

  it('rejects an unknown type (Bad Message Type, the type as data) and a short KEEPALIVE length', function () {
    const t = checkHeader(hex('ffffffffffffffffffffffffffffffff 0013 07'), 0) as HeaderError;
    expect([t.subcode, toHex(t.data)]).to.deep.equal([3, '07']);
    const k = checkHeader(hex('ffffffffffffffffffffffffffffffff 0014 04'), 0) as HeaderError;
    expect([k.subcode, toHex(k.data)]).to.deep.equal([2, '0014']);
    const s = checkHeader(hex('ffffffffffffffffffffffffffffffff 0012 04'), 0) as HeaderError;
    expect([s.subcode, toHex(s.data)]).to.deep.equal([2, '0012']);
  });
});

// MRT framing (RFC 6396 §2-3) on hand-built records: every split point of a chunked stream, BGP4MP_ET
// microseconds (also from early writers whose Length leaves them out), a cut header or body, an absurd Length.
import { expect } from 'chai';
import { MrtFramer, type MrtHeader } from '../../daemon/mrt/framer.js';
import { MRT_MAX_RECORD_LENGTH } from '../../daemon/mrt/constants.js';

function record(timestamp: number, type: number, subtype: number, body: number[]): Buffer {
  const b = Buffer.alloc(12 + body.length);
  b.writeUInt32BE(timestamp, 0);
  b.writeUInt16BE(type, 4);
  b.writeUInt16BE(subtype, 6);
  b.writeUInt32BE(body.length, 8);
  Buffer.from(body).copy(b, 12);
  return b;
}

interface Seen {
  header: MrtHeader;
  body: number[];
}

function frame(chunks: Buffer[]): { seen: Seen[]; framer: MrtFramer } {
  const seen: Seen[] = [];
  const framer = new MrtFramer((h, data, start, end) => {
    seen.push({ header: { ...h }, body: [...data.subarray(start, end)] });
  });
  for (const c of chunks) framer.push(c);
  return { seen, framer };
}

describe('mrt framer: record framing', function () {
  const stream = Buffer.concat([
    record(1000, 13, 1, [1, 2, 3, 4, 5]),
    record(1001, 16, 4, []),
    // BGP4MP_ET: Length counts the 4-octet microsecond field (RFC 6396 §3).
    record(1002, 17, 4, [0x00, 0x06, 0x7d, 0x7c, 9, 8, 7]),
    record(1003, 12, 1, new Array(300).fill(0xab)),
  ]);

  function check(seen: Seen[]): void {
    expect(seen.map((s) => s.header.timestamp)).to.deep.equal([1000, 1001, 1002, 1003]);
    expect(seen[0]!.header).to.include({ type: 13, subtype: 1, length: 5, microseconds: 0 });
    expect(seen[0]!.body).to.deep.equal([1, 2, 3, 4, 5]);
    expect(seen[1]!.body).to.deep.equal([]);
    expect(seen[2]!.header).to.include({ type: 17, microseconds: 425340, length: 3 });
    expect(seen[2]!.body).to.deep.equal([9, 8, 7]);
    expect(seen[3]!.body).to.have.length(300);
  }

  it('frames records from one chunk', function () {
    const { seen, framer } = frame([stream]);
    check(seen);
    expect(framer.end()).to.equal(undefined);
    expect(framer.records).to.equal(4);
  });

  it('frames the same records when split at every possible point', function () {
    for (let cut = 1; cut < stream.length; cut++) {
      const { seen, framer } = frame([stream.subarray(0, cut), stream.subarray(cut)]);
      check(seen);
      expect(framer.end(), `cut at ${cut}`).to.equal(undefined);
    }
  });

  it('frames the same records when fed one octet at a time', function () {
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1));
    const { seen, framer } = frame(chunks);
    check(seen);
    expect(framer.end()).to.equal(undefined);
  });

  it('delivers complete records, then warns once when the input stops inside a header', function () {
    const { seen, framer } = frame([stream.subarray(0, 17 + 12 + 5)]);
    expect(seen).to.have.length(2);
    const w = framer.end();
    expect(w?.code).to.equal('ERR_MRT_TRUNCATED_RECORD');
    expect(w?.records).to.equal(2);
    expect(w?.message).to.contain('12-octet header');
  });

  it('delivers complete records, then warns when the input stops inside a body', function () {
    const { seen, framer } = frame([stream.subarray(0, stream.length - 1)]);
    expect(seen).to.have.length(3);
    const w = framer.end();
    expect(w?.code).to.equal('ERR_MRT_TRUNCATED_RECORD');
    expect(w?.records).to.equal(3);
    expect(w?.message).to.contain('311 octets of 312 octets');
  });

  it('stops at a Length larger than any real record instead of buffering the rest of the input', function () {
    const bad = Buffer.alloc(12);
    bad.writeUInt16BE(13, 4);
    bad.writeUInt32BE(MRT_MAX_RECORD_LENGTH + 1, 8);
    const framer = new MrtFramer(() => {});
    expect(framer.push(Buffer.concat([record(1, 13, 1, [1]), bad]))).to.equal(false);
    expect(framer.push(Buffer.alloc(100))).to.equal(false);
    const w = framer.end();
    expect(w?.code).to.equal('ERR_MRT_RECORD_TOO_LARGE');
    expect(w?.records).to.equal(1);
  });
});

describe('mrt framer: BGP4MP_ET records of early writers', function () {
  // A BGP4MP_ET MESSAGE_AS4 record carrying a KEEPALIVE: microseconds, peer AS, local AS, interface,
  // AFI 1, peer and local IPv4 address, then the 19-octet BGP message.
  const message = [
    ...[0, 6, 0x7d, 0x7c],
    ...[0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 192, 0, 2, 1, 192, 0, 2, 2],
    ...new Array(16).fill(0xff),
    ...[0, 19, 4],
  ];
  /** The record with Length as RFC 6396 §3 has it (microseconds counted) or as early writers wrote it. */
  function etRecord(timestamp: number, early: boolean): Buffer {
    const b = record(timestamp, 17, 4, message);
    if (early) b.writeUInt32BE(message.length - 4, 8);
    return b;
  }
  const stream = Buffer.concat([etRecord(2000, true), etRecord(2001, false), record(2002, 13, 1, [7])]);

  function check(seen: Seen[]): void {
    expect(seen.map((s) => s.header.timestamp)).to.deep.equal([2000, 2001, 2002]);
    for (const s of seen.slice(0, 2)) {
      expect(s.header).to.include({ type: 17, microseconds: 425340, length: message.length - 4 });
      expect(s.body).to.deep.equal(message.slice(4));
    }
    expect(seen[2]!.body).to.deep.equal([7]);
  }

  it('frames an early record (Length without the microseconds) and a conforming one alike', function () {
    const { seen, framer } = frame([stream]);
    check(seen);
    expect(framer.end()).to.equal(undefined);
  });

  it('frames them alike when split at every possible point', function () {
    for (let cut = 1; cut < stream.length; cut++) {
      const { seen, framer } = frame([stream.subarray(0, cut), stream.subarray(cut)]);
      check(seen);
      expect(framer.end(), `cut at ${cut}`).to.equal(undefined);
    }
  });
});

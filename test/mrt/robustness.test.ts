// Peer input never throws: records of every known type and subtype with random bodies (and random cuts of
// real records) go through decoding, attribute decoding and both line formats without an exception.
import { expect } from 'chai';
import { prng } from '../helpers/random.js';
import type { MrtHeader } from '../../daemon/mrt/framer.js';
import { decodeMrtRecord } from '../../daemon/mrt/records.js';
import { RouteWalker } from '../../daemon/mrt/routes.js';
import { BgpdumpSink, JsonSink } from '../../daemon/mrt/sinks.js';

const TYPES: [number, number[]][] = [
  [12, [1, 2, 3]],
  [13, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
  [16, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
  [17, [0, 1, 4, 5, 6, 7, 8, 9, 10, 11]],
  [99, [0]],
];

/** A body that often looks like the real layout: a plausible BGP4MP head with a BGP marker, or random. */
function body(rand: () => number, type: number): Buffer {
  const n = Math.floor(rand() * 300);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  if ((type === 16 || type === 17) && n > 40 && rand() < 0.7) {
    // Peer AS, Local AS (4+4), ifindex, AFI 1, two IPv4 addresses, marker, length, type UPDATE.
    b.writeUInt16BE(1, 10);
    b.fill(0xff, 20, 36);
    b.writeUInt16BE(n - 20, 36);
    b[38] = 2;
  }
  return b;
}

describe('mrt robustness: random record bodies', function () {
  this.timeout(60_000);

  it('decodes and prints 20,000 random records of every type without throwing', function () {
    const rand = prng(0x5eed);
    const text = new BgpdumpSink();
    const json = new JsonSink();
    const walkers = [new RouteWalker(text), new RouteWalker(json)];
    const h: MrtHeader = { timestamp: 1, microseconds: 0, type: 0, subtype: 0, length: 0 };
    let malformed = 0;
    for (let i = 0; i < 20_000; i++) {
      const [type, subtypes] = TYPES[Math.floor(rand() * TYPES.length)]!;
      h.type = type;
      h.subtype = subtypes[Math.floor(rand() * subtypes.length)]!;
      const b = body(rand, type);
      h.length = b.length;
      if (decodeMrtRecord(h, b, 0, b.length).kind === 'malformed') malformed++;
      for (const w of walkers) w.record(h, b, 0, b.length);
      if (i % 1000 === 0) {
        text.take();
        json.take();
      }
    }
    // The generator must reach both the decoders' error paths and their success paths.
    expect(malformed).to.be.greaterThan(1000);
    expect(malformed).to.be.lessThan(19_000);
    expect(text.lines).to.be.greaterThan(0);
  });
});

// Seeded random test (fast-check): real messages mutated by bit flips, truncation, length-field edits,
// attribute shuffles and byte insertion go through the decoder. No exception may escape, every outcome is
// one of the RFC 7606 results with a consistent NOTIFICATION, and whatever decodes cleanly re-encodes to the
// same bytes.
import { expect } from 'chai';
import fc from 'fast-check';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  ACTION_STRENGTH,
  decodeMessage,
  decodeNotification,
  decodeOpen,
  decodeRouteRefresh,
  decodeUpdate,
  encodeMessage,
  forEachAnnounced,
  forEachWithdrawn,
  formatAttribute,
  strongestAction,
  toNotification,
  type DecodeContext,
} from '../../daemon/wire/index.js';
import { sharedDir } from '../helpers/env.js';
import { BASE_ATTRS_AS4, attr, concat, message, update } from './helpers/bytes.js';
import { bgpMessages, readCompressed } from './helpers/mrt-walk.js';

interface Sample {
  bytes: Uint8Array;
  ctx: DecodeContext;
}

const SEED = 7606;
const OUTCOMES = ['none', 'attribute-discard', 'treat-as-withdraw', 'afisafi-disable', 'session-reset'];

function corpus(): Sample[] {
  const samples: Sample[] = [
    {
      bytes: update({
        attrs: concat(BASE_ATTRS_AS4, attr(0xc0, 8, 'fde90064'), attr(0xc0, 32, 'fa56ea000000000100000002')),
        nlri: '18c00002 10 0a01',
      }),
      ctx: { asn4: true },
    },
    {
      bytes: update({
        attrs: concat(
          BASE_ATTRS_AS4,
          attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 30 20010db80001'),
        ),
      }),
      ctx: { asn4: true },
    },
    {
      bytes: message(1, '04 fde9 00b4 c0000201 14 02 12 0104 00010001 4104 fa56ea00 4504 00010103'),
      ctx: { asn4: true },
    },
    { bytes: message(3, '06 02 0b 6d61696e74656e616e6365'), ctx: { asn4: true } },
    { bytes: message(5, '0001 01 01'), ctx: { asn4: true } },
  ];
  const files = [
    join(sharedDir, 'data', 'ripe-bgpdump', 'test_data', 'updates.20160811.1600.gz'),
    join(sharedDir, 'data', 'ripe-bgpdump', 'test_data', 'updates.20070211.0141.gz'),
  ];
  for (const f of files) {
    if (!existsSync(f)) continue;
    let n = 0;
    for (const m of bgpMessages(readCompressed(f))) {
      if (n++ % 37 !== 0) continue; // a spread of about 600 + 600 real messages
      samples.push({ bytes: m.message.slice(), ctx: m.ctx });
    }
  }
  return samples;
}

/** Attribute TLV boundaries of an UPDATE, or undefined when its structure is not intact. */
function attributeSpans(
  b: Uint8Array,
): { start: number; end: number; spans: [number, number][] } | undefined {
  if (b[18] !== 2 || b.length < 23) return undefined;
  const wl = (b[19]! << 8) | b[20]!;
  const as = 23 + wl;
  if (as > b.length) return undefined;
  const al = (b[as - 2]! << 8) | b[as - 1]!;
  const end = as + al;
  if (end > b.length) return undefined;
  const spans: [number, number][] = [];
  for (let p = as; p < end;) {
    if (p + 3 > end) return undefined;
    const ext = (b[p]! & 0x10) !== 0;
    if (ext && p + 4 > end) return undefined;
    const len = ext ? (b[p + 2]! << 8) | b[p + 3]! : b[p + 2]!;
    const q = p + (ext ? 4 : 3) + len;
    if (q > end) return undefined;
    spans.push([p, q]);
    p = q;
  }
  return { start: as, end, spans };
}

function fixHeaderLength(b: Uint8Array): Uint8Array {
  if (b.length >= 19) {
    b[16] = (b.length >> 8) & 0xff;
    b[17] = b.length & 0xff;
  }
  return b;
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number; fix: boolean }
  | { kind: 'truncate'; keep: number; fix: boolean }
  | { kind: 'length'; at: number; value: number }
  | { kind: 'shuffle'; order: number[] }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'duplicate'; which: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
    fix: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(), fix: fc.boolean() }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 0xffff }),
  }),
  fc.record({
    kind: fc.constant('shuffle' as const),
    order: fc.array(fc.nat(), { minLength: 2, maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat() }),
);

function mutate(src: Uint8Array, m: Mutation): Uint8Array {
  const b = src.slice();
  switch (m.kind) {
    case 'flip': {
      const at = 16 + (m.at % Math.max(1, b.length - 16)); // mostly past the marker
      b[at] = b[at]! ^ (1 << m.bit);
      return m.fix && at !== 16 && at !== 17 ? fixHeaderLength(b) : b;
    }
    case 'truncate': {
      const cut = b.subarray(0, m.keep % b.length).slice();
      return m.fix ? fixHeaderLength(cut) : cut;
    }
    case 'length': {
      // Overwrite a length field: the withdrawn/attribute lengths or an attribute's length octet(s).
      const spans = attributeSpans(b);
      const targets: [number, number][] = [[16, 2]];
      if (b[18] === 2 && b.length >= 23) targets.push([19, 2]);
      if (spans) {
        targets.push([spans.start - 2, 2]);
        for (const [p] of spans.spans) targets.push((b[p]! & 0x10) !== 0 ? [p + 2, 2] : [p + 2, 1]);
      }
      const [at, width] = targets[m.at % targets.length]!;
      if (width === 2) {
        b[at] = m.value >> 8;
        b[at + 1] = m.value & 255;
      } else b[at] = m.value & 255;
      return b;
    }
    case 'shuffle': {
      const spans = attributeSpans(b);
      if (!spans || spans.spans.length < 2) return b;
      const parts = spans.spans.map(([s, e]) => b.subarray(s, e));
      const keyed = parts.map((p, i) => ({ p, k: m.order[i % m.order.length]! * 31 + i }));
      keyed.sort((x, y) => x.k - y.k);
      return concat(b.subarray(0, spans.start), ...keyed.map((x) => x.p), b.subarray(spans.end));
    }
    case 'duplicate': {
      // Repeat one attribute at the end of the attribute section (RFC 7606 3 g territory).
      const spans = attributeSpans(b);
      if (!spans || spans.spans.length === 0) return b;
      const [s0, e0] = spans.spans[m.which % spans.spans.length]!;
      const out = concat(b.subarray(0, spans.end), b.subarray(s0, e0), b.subarray(spans.end));
      const al = spans.end - spans.start + (e0 - s0);
      out[spans.start - 2] = al >> 8;
      out[spans.start - 1] = al & 255;
      return fixHeaderLength(out);
    }
    case 'insert': {
      const at = 19 + (m.at % Math.max(1, b.length - 19));
      return fixHeaderLength(concat(b.subarray(0, at), m.bytes, b.subarray(at)));
    }
  }
}

describe('wire: seeded random mutations of real messages (fast-check)', function () {
  const samples = corpus();

  it('has a corpus', function () {
    expect(samples.length).to.be.at.least(5);
    for (const s of samples) expect(decodeMessage(s.bytes, s.ctx).ok).to.equal(true);
  });

  it('never throws; every outcome is an RFC 7606 result; clean decodes re-encode byte for byte', function () {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.nat({ max: samples.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (index, mutations) => {
          const s = samples[index]!;
          let bytes = s.bytes;
          for (const m of mutations) bytes = mutate(bytes, m);
          const r = decodeMessage(bytes, s.ctx);
          seen.add(r.action);
          if (!OUTCOMES.includes(r.action)) return false;
          if (!r.ok) {
            const n = toNotification(r.error);
            return (
              r.error.action === 'session-reset' &&
              n.code >= 1 &&
              n.code <= 7 &&
              n.subcode >= 0 &&
              n.subcode <= 255
            );
          }
          if (strongestAction(r.errors) !== r.action) return false;
          if (r.errors.some((e) => ACTION_STRENGTH[e.action] >= ACTION_STRENGTH['session-reset']))
            return false;
          const m = r.message;
          if (m.type === 'update') {
            let n = 0;
            forEachAnnounced(m, () => n++);
            forEachWithdrawn(m, () => n++);
            for (const a of m.attributes) formatAttribute(a);
          }
          if (r.action === 'none') {
            const again = encodeMessage(m, { extendedMessage: true });
            if (Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0) return false;
          }
          return true;
        },
      ),
      { seed: SEED, numRuns: 4000 },
    );
    // The mutations reach every kind of outcome, so the property is not vacuous.
    expect([...seen].sort()).to.deep.equal([...OUTCOMES].sort());
  });

  it('shuffled attributes of real UPDATEs still decode cleanly and re-encode in the new order', function () {
    fc.assert(
      fc.property(
        fc.nat({ max: samples.length - 1 }),
        fc.array(fc.nat(), { minLength: 2, maxLength: 16 }),
        (index, order) => {
          const s = samples[index]!;
          const bytes = mutate(s.bytes, { kind: 'shuffle', order });
          const r = decodeMessage(bytes, s.ctx);
          if (!r.ok || r.action !== 'none') return false;
          return (
            Buffer.compare(
              Buffer.from(encodeMessage(r.message, { extendedMessage: true })),
              Buffer.from(bytes),
            ) === 0
          );
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('the body-only decoders never throw, whatever the body length', function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (body, asn4) => {
        const results = [
          decodeUpdate(body, { asn4 }),
          decodeOpen(body),
          decodeNotification(body),
          decodeRouteRefresh(body),
        ];
        return results.every((r) => OUTCOMES.includes(r.action));
      }),
      { seed: SEED, numRuns: 3000 },
    );
    for (const empty of [new Uint8Array(0)]) {
      expect(decodeUpdate(empty, { asn4: true }).action).to.equal('session-reset');
      expect(decodeOpen(empty).action).to.equal('session-reset');
      expect(decodeRouteRefresh(empty).action).to.equal('session-reset');
      expect(decodeNotification(empty).ok).to.equal(true);
    }
  });

  it('random byte strings after a valid header never throw', function () {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 200 }), (type, body) => {
        const r = decodeMessage(message(type, body), { asn4: type % 2 === 0 });
        return OUTCOMES.includes(r.action);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

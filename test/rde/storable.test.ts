// The decoder's fast path (wire cleanSection, UpdateMessage.storableSection) and the RDE's interning of
// such a section without decoding (AttrStore.internSection) against the full decode: on every UPDATE of
// the real BGP4MP files in ../shared/data and on seeded byte mutations of them, under eBGP, iBGP and
// plain contexts. Where the fast path is taken, the full decode must find nothing to report and the set
// must be the one the decoded attributes give; where the full decode finds a clean UPDATE the fast path
// could have taken, it must have been taken. And each descriptor's `valid` agrees with its `decode`.
// Data: RIPE NCC RIS and University of Oregon RouteViews, via ripe-bgpdump, caida-libbgpstream and ryu.
import { expect } from 'chai';
import {
  attributeDescriptor,
  checkMandatory,
  decodeAttributes,
  decodeMessage,
  type DecodeContext,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { AttrStore } from '../../daemon/rde/attr-store.js';
import { normaliseAttributes } from '../../daemon/rde/pipeline.js';
import { requireTools, sharedPath } from '../helpers/env.js';
import { updateFiles } from '../wire/helpers/data-files.js';
import { bgpMessages, readCompressed } from '../wire/helpers/mrt-walk.js';

const CONTEXTS: readonly DecodeContext[] = [
  { asn4: true, peerType: 'ebgp' },
  { asn4: true, peerType: 'ibgp' },
  { asn4: true },
  { asn4: true, peerType: 'ebgp', confedPeer: true },
  { asn4: false, peerType: 'ebgp' },
];

/** Codes the fast path may hold: those whose descriptor has `valid`. */
function storableCode(code: number): boolean {
  return attributeDescriptor(code)?.valid !== undefined;
}

/** Octet values at the edges of the descriptors' checks. */
const EDGE = [0, 1, 2, 3, 4, 5, 128, 255];

interface Tally {
  fast: number;
  full: number;
}

/** Check one message under `ctx` against the full decode; counts the path taken. */
function check(message: Uint8Array, ctx: DecodeContext, store: AttrStore, tally: Tally): void {
  const r = decodeMessage(message, ctx);
  if (!r.ok || r.message.type !== 'update') return;
  const update = r.message as UpdateMessage;
  const attrStart = 19 + 4 + ((message[19]! << 8) | message[20]!);
  const attrLength = (message[attrStart - 2]! << 8) | message[attrStart - 1]!;
  const section = message.subarray(attrStart, attrStart + attrLength);
  const full = decodeAttributes(section, ctx);
  const clean =
    full.action === 'none' &&
    checkMandatory({ ...update, attributes: full.attributes }) === undefined &&
    full.attributes.every((a) => storableCode(a.code)) &&
    full.attributes.length === countAttributes(section);
  const storable = update.storableSection;
  if (storable === undefined) {
    // Not taken: then the full decode has something to say, or the UPDATE is not one the path serves.
    const servable = ctx.asn4 && update.nlri.count > 0;
    expect(clean && servable, 'a clean UPDATE missed the fast path').to.equal(false);
    tally.full++;
    return;
  }
  tally.fast++;
  expect(r.errors).to.deep.equal([]);
  expect(clean, 'the fast path took an UPDATE the full decode finds fault with').to.equal(true);
  expect(Buffer.from(storable).equals(Buffer.from(section))).to.equal(true);
  expect(update.attributes).to.deep.equal(full.attributes);
  const fromSection = store.internSection(storable);
  const fromObjects = store.intern(normaliseAttributes(full.attributes, true));
  expect(fromSection).to.equal(fromObjects);
  store.release(fromSection);
  store.release(fromObjects);
}

/** Attributes in a section by walking the headers (duplicates included, which the decoder drops). */
function countAttributes(section: Uint8Array): number {
  let n = 0;
  for (let p = 0; p + 3 <= section.length; n++) {
    const extended = (section[p]! & 0x10) !== 0;
    p += extended ? 4 + ((section[p + 2]! << 8) | section[p + 3]!) : 3 + section[p + 2]!;
  }
  return n;
}

describe('rde: UPDATEs stored from their attribute section (the decoder fast path)', function () {
  this.timeout(240_000);

  it('agrees with the full decode on every real UPDATE and on byte mutations of them', function () {
    sharedPath(this, 'data', 'ripe-bgpdump', 'test_data');
    requireTools(this, 'bzip2');
    const store = new AttrStore();
    const tally: Tally = { fast: 0, full: 0 };
    let seed = 0x9e3779b9;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    let mutated = 0;
    for (const file of updateFiles()) {
      let i = 0;
      for (const m of bgpMessages(readCompressed(file))) {
        if (m.message[18] !== 2) continue;
        const ctx = CONTEXTS[i++ % CONTEXTS.length]!;
        check(m.message, { ...ctx, ...(m.ctx.addPath ? { addPath: m.ctx.addPath } : {}) }, store, tally);
        // One in eight: a copy with one octet of the attribute section changed.
        if (i % 8 !== 0 || m.message.length <= 23) continue;
        const copy = m.message.slice();
        copy[23 + random(copy.length - 23)] = random(256);
        check(copy, ctx, store, tally);
        mutated++;
      }
    }
    // Both paths are exercised at scale, the mutations too.
    expect(tally.fast).to.be.above(10_000);
    expect(tally.full).to.be.above(10_000);
    expect(mutated).to.be.above(5_000);
    expect(store.size, 'every reference released').to.equal(0);
  });

  it("each descriptor's valid agrees with its decode", function () {
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    const contexts: DecodeContext[] = [...CONTEXTS, { asn4: true, mrtRib: true }, { asn4: false }];
    let checked = 0;
    for (let code = 0; code < 256; code++) {
      const d = attributeDescriptor(code);
      if (d?.valid === undefined) continue;
      for (let k = 0; k < 600; k++) {
        // Every length up to 23 many times; octets all alike (each of EDGE), small (segment types and
        // counts, ORIGIN values) or anything.
        const len = k % 24;
        const bytes = new Uint8Array(len + 6);
        const same = EDGE[Math.floor(k / 24) % EDGE.length]!;
        for (let i = 0; i < bytes.length; i++)
          bytes[i] = k % 3 === 0 ? same : k % 3 === 1 ? random(6) : random(256);
        const ctx = contexts[k % contexts.length]!;
        const raw = bytes.subarray(3, 3 + len);
        const decoded = d.decode(raw, d.flags, ctx);
        const ok = (decoded as { kind?: string }).kind !== 'update';
        expect(
          d.valid(bytes, 3, 3 + len, d.flags, ctx),
          `${d.name} ${Buffer.from(raw).toString('hex')}`,
        ).to.equal(ok);
        checked++;
      }
    }
    expect(checked).to.equal(12 * 600);
  });
});

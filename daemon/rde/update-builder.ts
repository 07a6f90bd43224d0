// Adj-RIB-Out changes -> UPDATE messages (the `encode` stage's native behaviour). Prefixes that share an
// attribute set are packed into as few UPDATEs as the message size allows (4096 octets, or 65535 with
// RFC 8654 extended messages) and withdrawals are batched (End-of-RIB: `makeEndOfRib`, sent by `Rde.pull`).
// Attribute sets carry 4-octet AS numbers; for a peer without the 4-octet AS capability they are
// re-encoded with AS_TRANS and AS4_PATH / AS4_AGGREGATOR (RFC 6793 4.2.2), cached per set.
// For a peer with bgp_encode_attr pluglets (`EncodeOptions.plugin`), the attributes of a set they handle
// are encoded by them (the others natively), per member and per batch: nothing is cached.
// To a 4-octet AS peer without such pluglets, the attribute section is written from the set's key bytes
// with no attribute objects: as it is for IPv4 (the whole message written at once, side by side with the
// others in a shared buffer: `MessageSlab`); for IPv6 with MP_REACH_NLRI (next hop, then the prefixes
// written straight from their keys) put in at its type-code place. Withdrawals (IPv4 in the body, IPv6 as
// one MP_UNREACH_NLRI) are written whole into the same buffers, to every peer.
// Both give the octets the attribute objects would (`objectUpdates`; a test compares them).
import {
  Afi,
  AS_TRANS,
  AttrFlag,
  AttrType,
  HEADER_LENGTH,
  MessageType,
  Safi,
  attributeWireLength,
  makeAs4Path,
  makeAsPath,
  makeMpReach,
  makeMpUnreach,
  makeRawAttribute,
  writeAttributeHeader,
  writeHeader,
  type NlriBlock,
  type PathAttribute,
  type UpdateMessage,
} from '../wire/index.js';
import { KeyReader, type AttrSet, attributeLengthOf, attributesOf, nextHopOf } from './attr-store.js';
import type { AttributeEncodeHook } from './plugin-hook.js';
import { prefixWireLength, writePrefix, type PrefixKey } from './rib.js';

/** Path identifier we send with ADD-PATH (we advertise only the best path). */
export const OWN_PATH_ID = 1;

export interface EncodeOptions {
  ipv6: boolean;
  /** Both sides have the 4-octet AS capability. */
  asn4: boolean;
  /** RFC 7911: we send path identifiers for this family. */
  addPath: boolean;
  /** 4096, or 65535 with extended messages. */
  maxMessageLength: number;
  /** bgp_encode_attr pluglets attached to the peer, if any. */
  plugin?: AttributeEncodeHook | undefined;
}

const EMPTY_IPV4: NlriBlock = {
  afi: Afi.Ipv4,
  safi: Safi.Unicast,
  addPath: false,
  bytes: new Uint8Array(0),
  count: 0,
};
const EMPTY_IPV4_ADD_PATH: NlriBlock = { ...EMPTY_IPV4, addPath: true };

const twoOctetCache = new WeakMap<AttrSet, PathAttribute[]>();

/** The attributes of a set as sent to a peer with (asn4) or without the 4-octet AS capability. */
export function attributesFor(set: AttrSet, asn4: boolean): readonly PathAttribute[] {
  if (asn4) return attributesOf(set);
  let cached = twoOctetCache.get(set);
  if (cached) return cached;
  cached = [];
  let wide = false;
  for (const a of attributesOf(set)) {
    if (a.type === 'as-path') {
      const narrow = a.segments.map((seg) => ({
        type: seg.type,
        asns: seg.asns.map((x) => (x > 0xffff ? AS_TRANS : x)),
      }));
      cached.push(makeAsPath(narrow, false));
      wide = a.segments.some((s) => s.asns.some((x) => x > 0xffff));
      if (wide) cached.push(makeAs4Path(a.segments));
    } else if (a.type === 'aggregator' && a.asn4) {
      // RFC 6793 4.2.2: AGGREGATOR with AS_TRANS and AS4_AGGREGATOR with the real AS when it does not fit.
      const big = a.asn > 0xffff;
      const raw = new Uint8Array(6);
      const asn = big ? AS_TRANS : a.asn;
      raw.set([asn >> 8, asn & 255, a.raw[4]!, a.raw[5]!, a.raw[6]!, a.raw[7]!]);
      cached.push({ ...a, raw, asn, asn4: false });
      if (big) cached.push(makeRawAttribute(AttrType.As4Aggregator, 0xc0, a.raw.slice()));
    } else cached.push(a);
  }
  cached.sort((x, y) => x.code - y.code);
  twoOctetCache.set(set, cached);
  return cached;
}

const reader = new KeyReader();

/** Whether the peer's bgp_encode_attr pluglets handle an attribute of `set`. */
function handlesAny(plugin: AttributeEncodeHook, set: AttrSet): boolean {
  const r = reader.reset(set.key);
  while (r.next()) if (plugin.handles(r.code)) return true;
  return false;
}

/** `attributesFor(set)` with each attribute the pluglets encoded in place of the native one. */
function pluginAttributes(plugin: AttributeEncodeHook, set: AttrSet, o: EncodeOptions): PathAttribute[] {
  const session = { ipv6: o.ipv6, asn4: o.asn4 };
  return attributesFor(set, o.asn4).map(
    (a) => (plugin.handles(a.code) ? plugin.encode(set, a.code, session) : undefined) ?? a,
  );
}

function nlriBlock(
  afi: number,
  keys: readonly PrefixKey[],
  from: number,
  to: number,
  addPath: boolean,
): NlriBlock {
  const bytes = new Uint8Array(nlriLength(keys, from, to, addPath));
  writeNlri(keys, from, to, addPath, bytes, 0);
  return { afi, safi: Safi.Unicast, addPath, bytes, count: to - from };
}

/** The octets of the keys the last `fit` took. */
let fitLength = 0;

/** How many of keys[from..] fit in `room` octets (`fitLength`: the octets they take). */
function fit(keys: readonly PrefixKey[], from: number, room: number, addPath: boolean): number {
  let i = from;
  let used = 0;
  while (i < keys.length) {
    const n = prefixWireLength(keys[i]!) + (addPath ? 4 : 0);
    if (used + n > room) break;
    used += n;
    i++;
  }
  fitLength = used;
  return i;
}

/** UPDATEs withdrawing `keys`, as few as the size allows. */
export function* withdrawalUpdates(keys: readonly PrefixKey[], o: EncodeOptions): Generator<UpdateMessage> {
  // Header, withdrawn length, attribute length; for IPv6 an MP_UNREACH_NLRI header (4) + AFI/SAFI (3).
  const room = o.maxMessageLength - HEADER_LENGTH - 4 - (o.ipv6 ? 7 : 0);
  for (let i = 0; i < keys.length;) {
    const end = fit(keys, i, room, o.addPath);
    if (end === i) return;
    yield o.ipv6 ? heldMpUnreach(keys, i, end, o.addPath) : heldWithdrawal(keys, i, end, o.addPath);
    i = end;
  }
}

/**
 * An IPv4 UPDATE withdrawing prefixes, written whole into the message slab from their keys (`wire`; the
 * withdrawn routes a view of it): the encoder sends it as it is, as it does the announcements.
 */
class HeldWithdrawal implements UpdateMessage {
  readonly type = 'update';
  readonly nlri: NlriBlock;
  readonly #count: number;
  constructor(
    readonly wire: Uint8Array,
    count: number,
    addPath: boolean,
  ) {
    this.#count = count;
    this.nlri = addPath ? EMPTY_IPV4_ADD_PATH : EMPTY_IPV4;
  }

  get withdrawn(): NlriBlock {
    const end = this.wire.length - 2; // the attribute section's length (0) follows the withdrawn routes
    return {
      afi: Afi.Ipv4,
      safi: Safi.Unicast,
      addPath: this.nlri.addPath,
      bytes: this.wire.subarray(HEADER_LENGTH + 2, end),
      count: this.#count,
    };
  }

  get attributes(): PathAttribute[] {
    return [];
  }
}

/** The HeldWithdrawal for keys[from, to) (`fitLength`: their octets, from the `fit` that chose them). */
function heldWithdrawal(
  keys: readonly PrefixKey[],
  from: number,
  to: number,
  addPath: boolean,
): UpdateMessage {
  const length = HEADER_LENGTH + 4 + fitLength;
  const buf = slab.take(length);
  const at = slab.at;
  writeHeader(buf, at, length, MessageType.Update);
  let p = at + HEADER_LENGTH;
  buf[p] = fitLength >> 8;
  buf[p + 1] = fitLength & 255;
  p = writeNlri(keys, from, to, addPath, buf, p + 2);
  buf[p] = 0;
  buf[p + 1] = 0;
  return new HeldWithdrawal(buf.subarray(at, at + length), to - from, addPath);
}

/** UPDATEs announcing `keys` with one attribute set (`nextHop` goes into MP_REACH_NLRI for IPv6). */
export function* announcementUpdates(
  set: AttrSet,
  keys: readonly PrefixKey[],
  o: EncodeOptions,
): Generator<UpdateMessage> {
  const plugin = o.plugin !== undefined && handlesAny(o.plugin, set) ? o.plugin : undefined;
  // To a 4-octet AS peer: the set's key already is the attribute section (IPv6: with MP_REACH_NLRI put
  // in); it is sent as it is and the attribute objects are decoded only if someone looks at them.
  if (o.asn4 && plugin === undefined) {
    yield* sectionUpdates(set, keys, o);
    return;
  }
  yield* objectUpdates(
    set,
    keys,
    o,
    plugin === undefined ? attributesFor(set, o.asn4) : pluginAttributes(plugin, set, o),
  );
}

/**
 * UPDATEs announcing `keys` with `attributes` (the set's, as sent to this peer), built from attribute
 * objects: to 2-octet AS peers and through encode pluglets. Exported for the tests that check the
 * sections written from keys against it.
 */
export function* objectUpdates(
  set: AttrSet,
  keys: readonly PrefixKey[],
  o: EncodeOptions,
  attributes: readonly PathAttribute[],
): Generator<UpdateMessage> {
  let attrLength = 0;
  for (const a of attributes) attrLength += attributeWireLength(a);
  const nh = nextHopOf(set) ?? new Uint8Array(o.ipv6 ? 16 : 4);
  // IPv6: MP_REACH_NLRI header (4, extended length) + AFI/SAFI/next-hop length (4) + next hop + reserved (1).
  const room = o.maxMessageLength - HEADER_LENGTH - 4 - attrLength - (o.ipv6 ? 9 + nh.length : 0);
  for (let i = 0; i < keys.length;) {
    const end = fit(keys, i, room, o.addPath);
    if (end === i) return; // the attributes alone fill the message: nothing can be sent
    if (o.ipv6) {
      const mp = makeMpReach(nh, nlriBlock(Afi.Ipv6, keys, i, end, o.addPath));
      const attrs = attributes.slice();
      let at = attrs.findIndex((a) => a.code > AttrType.MpReachNlri);
      if (at < 0) at = attrs.length;
      attrs.splice(at, 0, mp);
      yield { type: 'update', withdrawn: EMPTY_IPV4, attributes: attrs, nlri: EMPTY_IPV4 };
    } else {
      yield {
        type: 'update',
        withdrawn: { ...EMPTY_IPV4, addPath: o.addPath },
        attributes: attributes as PathAttribute[],
        nlri: nlriBlock(Afi.Ipv4, keys, i, end, o.addPath),
      };
    }
    i = end;
  }
}

/**
 * Where the UPDATEs written from keys are put: consecutive pieces of shared 64 KiB buffers, so that a
 * message costs no allocation of its own, and the messages of one batch lie side by side (the session's
 * transport writes adjacent ones to the socket as one piece). A message is never written to again once
 * handed out; a slab lives as long as a message in it does.
 */
class MessageSlab {
  private static readonly SIZE = 65536;
  private bytes = new Uint8Array(MessageSlab.SIZE);
  /** A Buffer over the same octets, for its native latin1 write (`copyKey`). */
  private text = bufferOver(this.bytes);
  private used = 0;
  /** Offset of the last `take` in its buffer. */
  at = 0;

  /** `length` octets to write one message into, and the buffer they are in (`at` is the offset). */
  take(length: number): Uint8Array {
    if (this.used + length > this.bytes.length) {
      this.bytes = new Uint8Array(Math.max(MessageSlab.SIZE, length));
      this.text = bufferOver(this.bytes);
      this.used = 0;
    }
    this.at = this.used;
    this.used += length;
    return this.bytes;
  }

  /**
   * `take` for an UPDATE of `length` octets with no withdrawn routes: the header and the two length
   * fields written (the attribute section's: `sectionLength`); the section goes at `at + SECTION_AT`.
   */
  update(length: number, sectionLength: number): Uint8Array {
    const buf = this.take(length);
    const at = this.at;
    writeHeader(buf, at, length, MessageType.Update);
    buf[at + HEADER_LENGTH] = 0;
    buf[at + HEADER_LENGTH + 1] = 0;
    buf[at + HEADER_LENGTH + 2] = sectionLength >> 8;
    buf[at + HEADER_LENGTH + 3] = sectionLength & 255;
    return buf;
  }

  /**
   * Copy key[0, n) (one octet per char) to the current buffer at `at`: natively from this many chars on
   * (an 80-char key: about 100 ns against 200 for the loop), by a loop below.
   */
  copyKey(key: string, n: number, at: number): void {
    if (n >= NATIVE_COPY_FROM) this.text.write(key, at, n, 'latin1');
    else copyKey(key, 0, n, this.bytes, at);
  }
}

const NATIVE_COPY_FROM = 24;

function bufferOver(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Where an UPDATE's attribute section starts when it withdraws nothing: header, two length fields. */
const SECTION_AT = HEADER_LENGTH + 4;

const slab = new MessageSlab();

/**
 * An IPv4 UPDATE written whole from an attribute set's key and prefix keys (`wire`): the attribute
 * section and the NLRI are views of it, and the attribute objects are decoded only when read. A class, so
 * the getters live on the prototype (an object literal with a getter is slow to create).
 */
class HeldUpdate implements UpdateMessage {
  readonly type = 'update';
  readonly #set: AttrSet;
  readonly #count: number;
  readonly #addPath: boolean;
  constructor(
    set: AttrSet,
    readonly withdrawn: NlriBlock,
    readonly wire: Uint8Array,
    count: number,
    addPath: boolean,
  ) {
    this.#set = set;
    this.#count = count;
    this.#addPath = addPath;
  }

  get attributeSection(): Uint8Array {
    return sectionOf(this.wire);
  }

  get attributes(): PathAttribute[] {
    return attributesOf(this.#set);
  }

  get nlri(): NlriBlock {
    const section = this.attributeSection;
    const at = section.byteOffset - this.wire.byteOffset + section.length;
    return {
      afi: Afi.Ipv4,
      safi: Safi.Unicast,
      addPath: this.#addPath,
      bytes: this.wire.subarray(at),
      count: this.#count,
    };
  }
}

/**
 * UPDATEs carrying `set`'s attribute section as it is (4-octet AS peers): each written whole into the
 * message slab - header, no withdrawn routes, the section from the key's characters (IPv6: with
 * MP_REACH_NLRI put in), the NLRI from the prefix keys.
 */
function* sectionUpdates(
  set: AttrSet,
  keys: readonly PrefixKey[],
  o: EncodeOptions,
): Generator<UpdateMessage> {
  for (let i = 0; i < keys.length;) {
    const u = familySectionUpdate(set, keys, i, o);
    if (u === undefined) return;
    i = sectionEnd; // read before yielding: other producers call sectionUpdate meanwhile
    yield u;
  }
}

/** The sectionUpdates message for keys[from..] of the options' family (`sectionEnd`: where it stopped). */
function familySectionUpdate(
  set: AttrSet,
  keys: readonly PrefixKey[],
  from: number,
  o: EncodeOptions,
): UpdateMessage | undefined {
  return o.ipv6 ? mpSectionUpdate(set, keys, from, o) : sectionUpdate(set, keys, from, o);
}

/** Where the last `sectionUpdate` or `mpSectionUpdate` stopped in its keys (the next message starts there). */
let sectionEnd = 0;

/**
 * The sectionUpdates message for keys[from..] (as many as fit; `sectionEnd` says where it stopped), or
 * undefined when the attributes alone fill a message and nothing can be sent.
 */
function sectionUpdate(
  set: AttrSet,
  keys: readonly PrefixKey[],
  from: number,
  o: EncodeOptions,
): UpdateMessage | undefined {
  const sectionLength = attributeLengthOf(set);
  const end = fit(keys, from, o.maxMessageLength - HEADER_LENGTH - 4 - sectionLength, o.addPath);
  if (end === from) return undefined;
  sectionEnd = end;
  const length = SECTION_AT + sectionLength + fitLength;
  const buf = slab.update(length, sectionLength);
  const at = slab.at;
  const p = at + SECTION_AT;
  slab.copyKey(set.key, sectionLength, p);
  writeNlri(keys, from, end, o.addPath, buf, p + sectionLength);
  const withdrawn = o.addPath ? EMPTY_IPV4_ADD_PATH : EMPTY_IPV4;
  const wire = buf.subarray(at, at + length);
  return new HeldUpdate(set, withdrawn, wire, end - from, o.addPath);
}

const MP_FLAGS = AttrFlag.Optional;
const ZERO_NEXT_HOP = new Uint8Array(16);

/** Octets of keys[from, to) in wire form (each with a path identifier under ADD-PATH). */
function nlriLength(keys: readonly PrefixKey[], from: number, to: number, addPath: boolean): number {
  let size = 0;
  for (let i = from; i < to; i++) size += prefixWireLength(keys[i]!);
  return size + (addPath ? 4 * (to - from) : 0);
}

/** Write keys[from, to) in wire form at out[p] (RFC 7911: our path identifier first); returns the end. */
function writeNlri(
  keys: readonly PrefixKey[],
  from: number,
  to: number,
  addPath: boolean,
  out: Uint8Array,
  p: number,
): number {
  for (let i = from; i < to; i++) {
    if (addPath) {
      out[p] = 0;
      out[p + 1] = 0;
      out[p + 2] = 0;
      out[p + 3] = OWN_PATH_ID;
      p += 4;
    }
    p = writePrefix(keys[i]!, out, p);
  }
  return p;
}

/**
 * An IPv6 UPDATE written whole into the message slab (`wire`): its attribute section from a set's key,
 * MP_REACH_NLRI included, or (no set) one MP_UNREACH_NLRI; the prefixes are attributeSection[nlriAt,
 * nlriEnd). The attribute objects, and the section's view, are made only when read.
 */
class HeldMpUpdate implements UpdateMessage {
  readonly type = 'update';
  readonly withdrawn = EMPTY_IPV4;
  readonly nlri = EMPTY_IPV4;
  readonly #set: AttrSet | undefined;
  readonly #nlriAt: number;
  readonly #nlriEnd: number;
  readonly #count: number;
  readonly #addPath: boolean;
  constructor(
    set: AttrSet | undefined,
    nlriAt: number,
    nlriEnd: number,
    count: number,
    addPath: boolean,
    readonly wire: Uint8Array,
  ) {
    this.#set = set;
    this.#nlriAt = nlriAt;
    this.#nlriEnd = nlriEnd;
    this.#count = count;
    this.#addPath = addPath;
  }

  get attributeSection(): Uint8Array {
    return sectionOf(this.wire);
  }

  get attributes(): PathAttribute[] {
    const block: NlriBlock = {
      afi: Afi.Ipv6,
      safi: Safi.Unicast,
      addPath: this.#addPath,
      bytes: this.attributeSection.subarray(this.#nlriAt, this.#nlriEnd),
      count: this.#count,
    };
    if (this.#set === undefined) return [makeMpUnreach(block)];
    const attrs = attributesOf(this.#set);
    let at = attrs.findIndex((a) => a.code > AttrType.MpReachNlri);
    if (at < 0) at = attrs.length;
    attrs.splice(at, 0, makeMpReach(nextHopOf(this.#set) ?? ZERO_NEXT_HOP, block));
    return attrs;
  }
}

/** The attribute section of an UPDATE written by `MessageSlab.update` (no withdrawn routes). */
function sectionOf(wire: Uint8Array): Uint8Array {
  const length = (wire[SECTION_AT - 2]! << 8) | wire[SECTION_AT - 1]!;
  return wire.subarray(SECTION_AT, SECTION_AT + length);
}

/** Copy key[from, to) (one octet per char) to out[at]. */
function copyKey(key: string, from: number, to: number, out: Uint8Array, at: number): void {
  for (let i = from; i < to; i++) out[at++] = key.charCodeAt(i);
}

/**
 * The IPv6 UPDATE to a 4-octet AS peer for keys[from..] (as many as fit; `sectionEnd` says where it
 * stopped), or undefined when the attributes alone fill a message: the set's attribute section with
 * MP_REACH_NLRI (RFC 4760 3: AFI, SAFI, next hop length, next hop, reserved octet, then the prefixes) put
 * in before the first attribute whose code is above its own, as `objectUpdates` orders them. Written
 * whole into the message slab from the key's characters (no copy of the set's octets is made).
 */
function mpSectionUpdate(
  set: AttrSet,
  keys: readonly PrefixKey[],
  from: number,
  o: EncodeOptions,
): UpdateMessage | undefined {
  const key = set.key;
  // Where the attributes end, and where those above MP_REACH_NLRI start.
  const r = reader.reset(key);
  let split = -1;
  let attrsEnd = 0;
  while (r.next()) {
    if (split < 0 && r.code > AttrType.MpReachNlri) split = r.start;
    attrsEnd = r.end;
  }
  if (split < 0) split = attrsEnd;
  // The next hop (our own routes have none: zeros, as objectUpdates sends).
  const nh = set.nextHopKey;
  const nhLength = nh.length === 0 ? 16 : nh.length;
  // MP_REACH_NLRI header (4, extended length) + AFI/SAFI/next-hop length (4) + next hop + reserved (1).
  const room = o.maxMessageLength - HEADER_LENGTH - 4 - attrsEnd - 9 - nhLength;
  const end = fit(keys, from, room, o.addPath);
  if (end === from) return undefined;
  sectionEnd = end;
  const valueLength = 5 + nhLength + fitLength;
  const sectionLength = attrsEnd + (valueLength > 255 ? 4 : 3) + valueLength;
  // The whole message in the slab: header, no withdrawn routes, the section.
  const length = SECTION_AT + sectionLength;
  const buf = slab.update(length, sectionLength);
  const at = slab.at;
  const s = at + SECTION_AT;
  slab.copyKey(key, split, s);
  let p = writeAttributeHeader(buf, s + split, MP_FLAGS, AttrType.MpReachNlri, valueLength);
  buf[p] = Afi.Ipv6 >> 8;
  buf[p + 1] = Afi.Ipv6 & 255;
  buf[p + 2] = Safi.Unicast;
  buf[p + 3] = nhLength;
  if (nh.length === 0) buf.fill(0, p + 4, p + 4 + nhLength);
  else copyKey(nh, 0, nh.length, buf, p + 4);
  buf[p + 4 + nhLength] = 0; // reserved
  p += 5 + nhLength;
  const nlriAt = p - s;
  p = writeNlri(keys, from, end, o.addPath, buf, p);
  copyKey(key, split, attrsEnd, buf, p);
  const wire = buf.subarray(at, at + length);
  return new HeldMpUpdate(set, nlriAt, p - s, end - from, o.addPath, wire);
}

/**
 * An IPv6 UPDATE withdrawing keys[from, to) (`fitLength`: their octets, from the `fit` that chose them):
 * one MP_UNREACH_NLRI (RFC 4760 4) written from the keys, the whole message into the message slab.
 */
function heldMpUnreach(
  keys: readonly PrefixKey[],
  from: number,
  to: number,
  addPath: boolean,
): UpdateMessage {
  const valueLength = 3 + fitLength;
  const sectionLength = (valueLength > 255 ? 4 : 3) + valueLength;
  const length = SECTION_AT + sectionLength;
  const buf = slab.update(length, sectionLength);
  const at = slab.at;
  const s = at + SECTION_AT;
  let p = writeAttributeHeader(buf, s, MP_FLAGS, AttrType.MpUnreachNlri, valueLength);
  buf[p] = Afi.Ipv6 >> 8;
  buf[p + 1] = Afi.Ipv6 & 255;
  buf[p + 2] = Safi.Unicast;
  p += 3;
  const end = writeNlri(keys, from, to, addPath, buf, p);
  return new HeldMpUpdate(undefined, p - s, end - s, to - from, addPath, buf.subarray(at, at + length));
}

/** A batch of Adj-RIB-Out changes for one family: withdrawals first, then one group of UPDATEs per set. */
export function* buildUpdates(
  withdrawn: readonly PrefixKey[],
  announced: ReadonlyMap<AttrSet, PrefixKey[]>,
  o: EncodeOptions,
): Generator<UpdateMessage> {
  if (withdrawn.length > 0) yield* withdrawalUpdates(withdrawn, o);
  // To a 4-octet AS peer without encode pluglets (the common case): without a generator per set.
  const sections = o.asn4 && o.plugin === undefined;
  for (const [set, keys] of announced) {
    if (!sections) {
      yield* announcementUpdates(set, keys, o);
      continue;
    }
    for (let i = 0; i < keys.length;) {
      const u = familySectionUpdate(set, keys, i, o);
      if (u === undefined) break;
      i = sectionEnd; // read before yielding: other producers call sectionUpdate meanwhile
      yield u;
    }
  }
}

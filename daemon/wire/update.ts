// UPDATE message (type 2) codec: withdrawn routes, path attributes, NLRI, with the RFC 7606 outcome of any
// error. Prefixes stay in wire form (`NlriBlock`); `forEachAnnounced`/`forEachWithdrawn` walk every prefix of
// an UPDATE (body and MP attributes) without allocating per prefix.
//
// RFC 4271 4.3:
//   +-----------------------------------------------------+
//   |   Withdrawn Routes Length (2 octets)                |
//   +-----------------------------------------------------+
//   |   Withdrawn Routes (variable)                       |
//   +-----------------------------------------------------+
//   |   Total Path Attribute Length (2 octets)            |
//   +-----------------------------------------------------+
//   |   Path Attributes (variable)                        |
//   +-----------------------------------------------------+
//   |   Network Layer Reachability Information (variable) |
//   +-----------------------------------------------------+
import {
  attributeWireLength,
  cleanSection,
  decodeAttributes,
  type MpPlaces,
  writeAttribute,
  writeAttributeHeader,
} from './attributes/index.js';
import { makeMpUnreach } from './attributes/mp.js';
import type { PathAttribute } from './attributes/types.js';
import type { DecodeContext } from './context.js';
import { hasAddPath } from './context.js';
import { strongerAction, updateError, type ErrorAction, type UpdateError } from './errors.js';
import { Afi, AttrType, Safi, UpdateSubcode } from './iana.js';
import { countPrefixes, forEachPrefix, NLRI_BAD_LENGTH, type NlriBlock } from './nlri.js';
import { getU16 } from './reader.js';
import { failed, type DecodeResult } from './result.js';
import type { WireWriter } from './writer.js';

/**
 * An UPDATE. The decoder's clean UPDATEs (storableSection) read their fields through getters: copy a
 * message by field, not by spreading.
 */
export interface UpdateMessage {
  type: 'update';
  /** IPv4 unicast withdrawn routes (the body field). */
  withdrawn: NlriBlock;
  /** Path attributes in received order. */
  attributes: PathAttribute[];
  /** IPv4 unicast announced routes (the body field). */
  nlri: NlriBlock;
  /**
   * The path attribute section in wire form, when the sender already holds it (the RDE keeps attribute
   * sets in wire form). The encoder then writes these octets as they are and does not re-encode
   * `attributes`, which must describe the same attributes (such a producer may decode them only when read,
   * through a getter: copy these messages by field, not by spreading). Never set by the decoder.
   */
  attributeSection?: Uint8Array;
  /**
   * The whole message (header included) when the producer wrote it already, as the RDE does for the
   * UPDATEs it builds from attribute sets in wire form: the encoder returns these octets as they are. The
   * other fields must describe the same message. Never set by the decoder.
   */
  wire?: Uint8Array;
  /**
   * Set by the decoder on an UPDATE whose attribute section passed every check without decoding
   * (`cleanSection`: known attributes only, each valid, none repeated, 4-octet AS session, the mandatory
   * ones present) and whose routes are all IPv4 unicast in the body (no MP attribute), or all IPv6 unicast
   * in MP_REACH_NLRI / MP_UNREACH_NLRI (`storableIpv6`): the section, which the RDE stores as it is
   * (reading it in place, where storableIpv4 / storableIpv6 say it is: this view is made when read).
   * `attributes` is then decoded only when read.
   */
  storableSection?: Uint8Array | undefined;
  /** With storableSection, for an UPDATE whose routes are IPv4 unicast ones in the body: where they are. */
  storableIpv4?: StorableIpv4 | undefined;
  /** With storableSection, for an UPDATE whose routes are IPv6 unicast ones: where they are. */
  storableIpv6?: StorableIpv6 | undefined;
}

/**
 * Where a clean UPDATE's attribute section is in the received octets: body[sectionAt, sectionEnd), the
 * octets of storableSection (read in place by the RDE, without that view).
 */
export interface StorableSection {
  /** The octets the UPDATE was decoded from (the whole message, or its body). */
  readonly body: Uint8Array;
  readonly sectionAt: number;
  readonly sectionEnd: number;
}

/**
 * The routes of a clean IPv4 unicast UPDATE (no MP attribute): offsets in the received octets, validated
 * by the decoder (read without a view or block per UPDATE).
 */
export interface StorableIpv4 extends StorableSection {
  /** RFC 7911: each prefix is preceded by a path identifier (ADD-PATH received for IPv4 unicast). */
  readonly addPath: boolean;
  /** The withdrawn routes field body[withdrawnAt, withdrawnEnd) (empty: equal). */
  readonly withdrawnAt: number;
  readonly withdrawnEnd: number;
  /** The NLRI field body[nlriAt, nlriEnd). */
  readonly nlriAt: number;
  readonly nlriEnd: number;
}

/**
 * The routes of a clean IPv6 unicast UPDATE (no body NLRI or withdrawn routes): offsets in the received
 * octets (`body`, like those of its section), validated by the decoder. (Named apart from UpdateMessage's
 * fields: the decoder's message is its own StorableIpv6.)
 */
export interface StorableIpv6 extends StorableSection {
  /** RFC 7911: each prefix is preceded by a path identifier (ADD-PATH received for IPv6 unicast). */
  readonly addPath: boolean;
  /** MP_REACH_NLRI's next hop (16 octets, or 32: global + link-local) [mpNextHop, mpNextHopEnd); -1 without. */
  readonly mpNextHop: number;
  readonly mpNextHopEnd: number;
  /** MP_REACH_NLRI's NLRI [mpNlri, mpNlriEnd), at least one prefix; -1 without MP_REACH_NLRI. */
  readonly mpNlri: number;
  readonly mpNlriEnd: number;
  /** MP_UNREACH_NLRI's withdrawn routes [mpWithdrawn, mpWithdrawnEnd); -1 without MP_UNREACH_NLRI. */
  readonly mpWithdrawn: number;
  readonly mpWithdrawnEnd: number;
}

/** ORIGIN, AS_PATH and NEXT_HOP: what an UPDATE announcing body NLRI must carry (checkMandatory). */
const MANDATORY_IPV4 = (1 << AttrType.Origin) | (1 << AttrType.AsPath) | (1 << AttrType.NextHop);
/** ORIGIN and AS_PATH: what an UPDATE announcing through MP_REACH_NLRI alone must carry (checkMandatory). */
const MANDATORY_MP = (1 << AttrType.Origin) | (1 << AttrType.AsPath);
const MP_CODES = (1 << AttrType.MpReachNlri) | (1 << AttrType.MpUnreachNlri);
/** cleanSection's report, read right after each call. */
const MP: MpPlaces = { reach: -1, reachEnd: -1, unreach: -1, unreachEnd: -1 };

/**
 * What the decoder's clean UPDATEs (storableSection) share: the received octets and where the attribute
 * section is in them (StorableSection), the attributes decoded when first read. Classes, so that the
 * getters live on the prototype; setting `attributes` replaces them and drops the sections (storableIpv4
 * and storableIpv6 undefined), which would no longer describe them.
 */
abstract class CleanMessage implements UpdateMessage, StorableSection {
  readonly type = 'update';
  #attributes: PathAttribute[] | undefined = undefined;
  storableIpv4: StorableIpv4 | undefined = undefined;
  storableIpv6: StorableIpv6 | undefined = undefined;
  constructor(
    readonly body: Uint8Array,
    readonly sectionAt: number,
    protected readonly ctx: DecodeContext,
  ) {}

  abstract get sectionEnd(): number;
  abstract get withdrawn(): NlriBlock;
  abstract get nlri(): NlriBlock;

  /** The section's octets, a view made when read; undefined once `attributes` was replaced. */
  get attributeSection(): Uint8Array | undefined {
    if (this.storableIpv4 === undefined && this.storableIpv6 === undefined) return undefined;
    return this.body.subarray(this.sectionAt, this.sectionEnd);
  }

  get storableSection(): Uint8Array | undefined {
    return this.attributeSection;
  }

  get attributes(): PathAttribute[] {
    return (this.#attributes ??= decodeAttributes(this.storableSection!, this.ctx).attributes);
  }

  set attributes(list: PathAttribute[]) {
    this.#attributes = list;
    this.storableIpv4 = undefined;
    this.storableIpv6 = undefined;
  }
}

/**
 * A clean UPDATE with IPv4 unicast routes in its body: the withdrawn routes and NLRI are kept as offsets
 * (it is its own StorableIpv4) and made blocks only when read, so that it costs one object.
 */
class CleanUpdate extends CleanMessage implements StorableIpv4 {
  constructor(
    body: Uint8Array,
    readonly addPath: boolean,
    readonly withdrawnAt: number,
    readonly withdrawnEnd: number,
    private readonly withdrawnCount: number,
    sectionAt: number,
    readonly nlriAt: number,
    private readonly nlriCount: number,
    ctx: DecodeContext,
  ) {
    super(body, sectionAt, ctx);
    this.storableIpv4 = this;
  }

  /** The section ends where the NLRI starts. */
  get sectionEnd(): number {
    return this.nlriAt;
  }

  get nlriEnd(): number {
    return this.body.length;
  }

  get withdrawn(): NlriBlock {
    return ipv4Block(this.body, this.withdrawnAt, this.withdrawnEnd, this.withdrawnCount, this.addPath);
  }

  get nlri(): NlriBlock {
    return ipv4Block(this.body, this.nlriAt, this.body.length, this.nlriCount, this.addPath);
  }
}

/**
 * A clean UPDATE whose routes are IPv6 unicast ones in MP_REACH_NLRI / MP_UNREACH_NLRI alone (its body
 * has none): its own StorableIpv6 (where the routes and the next hop are in the body), so that it costs
 * one object.
 */
class CleanIpv6Update extends CleanMessage implements StorableIpv6 {
  constructor(
    body: Uint8Array,
    sectionAt: number,
    readonly sectionEnd: number,
    ctx: DecodeContext,
    readonly addPath: boolean,
    readonly mpNextHop: number,
    readonly mpNextHopEnd: number,
    readonly mpNlri: number,
    readonly mpNlriEnd: number,
    readonly mpWithdrawn: number,
    readonly mpWithdrawnEnd: number,
  ) {
    super(body, sectionAt, ctx);
    this.storableIpv6 = this;
  }

  get withdrawn(): NlriBlock {
    return emptyIpv4Block(hasAddPath(this.ctx, Afi.Ipv4, Safi.Unicast));
  }

  get nlri(): NlriBlock {
    return emptyIpv4Block(hasAddPath(this.ctx, Afi.Ipv4, Safi.Unicast));
  }
}

/** The IPv4 unicast block of bytes[start, end) holding `count` prefixes (the shared empty one when none). */
function ipv4Block(
  bytes: Uint8Array,
  start: number,
  end: number,
  count: number,
  addPath: boolean,
): NlriBlock {
  if (end === start) return emptyIpv4Block(addPath);
  return { afi: Afi.Ipv4, safi: Safi.Unicast, addPath, bytes: bytes.subarray(start, end), count };
}

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_IPV4: readonly NlriBlock[] = [false, true].map((addPath) =>
  Object.freeze({ afi: Afi.Ipv4, safi: Safi.Unicast, addPath, bytes: EMPTY_BYTES, count: 0 }),
);

/** The decoder's block for an empty IPv4 withdrawn routes or NLRI field (shared: never changed). */
function emptyIpv4Block(addPath: boolean): NlriBlock {
  return EMPTY_IPV4[addPath ? 1 : 0]!;
}

/** Whether the MP attribute value at section[at] is of IPv6 unicast (AFI 2, SAFI 1: RFC 4760 3 and 4). */
function ipv6Unicast(section: Uint8Array, at: number): boolean {
  return section[at] === 0 && section[at + 1] === Afi.Ipv6 && section[at + 2] === Safi.Unicast;
}

/**
 * For a clean section (`present`: cleanSection's bitmask, MP its places) of an UPDATE with no body NLRI or
 * withdrawn routes: the message, with where its IPv6 unicast routes are, when the fast path serves it - MP attributes of
 * IPv6 unicast only, and either an MP_REACH_NLRI with at least one prefix and ORIGIN and AS_PATH (RFC 4760
 * 3: NEXT_HOP is not required, and is valid if present), or an MP_UNREACH_NLRI with at least one prefix
 * and no MP_REACH_NLRI (End-of-RIB and empty MP attributes take the full decode).
 */
function cleanIpv6Update(
  bytes: Uint8Array,
  sectionAt: number,
  sectionEnd: number,
  present: number,
  ctx: DecodeContext,
): CleanIpv6Update | undefined {
  const reach = (present & (1 << AttrType.MpReachNlri)) !== 0;
  const unreach = (present & (1 << AttrType.MpUnreachNlri)) !== 0;
  if (unreach && !ipv6Unicast(bytes, MP.unreach)) return undefined;
  let nextHop = -1;
  let nlri = -1;
  if (reach) {
    if (!ipv6Unicast(bytes, MP.reach) || (present & MANDATORY_MP) !== MANDATORY_MP) return undefined;
    // RFC 4760 3: AFI, SAFI, next hop length, next hop, one reserved octet, NLRI (cleanSection checked them).
    nextHop = MP.reach + 4;
    nlri = nextHop + bytes[MP.reach + 3]! + 1;
    if (nlri === MP.reachEnd) return undefined;
  } else if (!unreach || MP.unreach + 3 === MP.unreachEnd) return undefined;
  return new CleanIpv6Update(
    bytes,
    sectionAt,
    sectionEnd,
    ctx,
    hasAddPath(ctx, Afi.Ipv6, Safi.Unicast),
    nextHop,
    reach ? nlri - 1 : -1,
    nlri,
    reach ? MP.reachEnd : -1,
    unreach ? MP.unreach + 3 : -1,
    unreach ? MP.unreachEnd : -1,
  );
}

const NO_ERRORS: readonly UpdateError[] = Object.freeze([]);

function invalidNetwork(field: string, code: number): UpdateError {
  // RFC 7606 5.3 (paraphrased): a syntax error in the NLRI or Withdrawn Routes field of the UPDATE itself is
  // handled with "session reset". RFC 4271 6.3: "If the field is syntactically incorrect, then the Error
  // Subcode MUST be set to Invalid Network Field."
  const reason =
    code === NLRI_BAD_LENGTH ? `${field}: prefix length above 32` : `${field}: prefix overruns the field`;
  return updateError('ERR_BGP_NLRI_INVALID', 'session-reset', UpdateSubcode.InvalidNetworkField, reason);
}

/**
 * Decode an UPDATE body: bytes[start, end of bytes) (`start` 19 for a whole message, after its header).
 * Never throws.
 */
export function decodeUpdate(bytes: Uint8Array, ctx: DecodeContext, start = 0): DecodeResult<UpdateMessage> {
  const len = bytes.length - start;
  // RFC 4271 6.3: "If the Withdrawn Routes Length or Total Attribute Length is too large (i.e., if
  // Withdrawn Routes Length + Total Attribute Length + 23 exceeds the message Length), then the Error
  // Subcode MUST be set to Malformed Attribute List."
  if (len < 4)
    return failed(
      updateError(
        'ERR_BGP_UPDATE_LENGTHS',
        'session-reset',
        UpdateSubcode.MalformedAttributeList,
        `UPDATE body of ${len} octets`,
      ),
    );
  const withdrawnLength = getU16(bytes, start);
  if (2 + withdrawnLength + 2 > len) {
    return failed(
      updateError(
        'ERR_BGP_UPDATE_LENGTHS',
        'session-reset',
        UpdateSubcode.MalformedAttributeList,
        `withdrawn routes length ${withdrawnLength} too large`,
      ),
    );
  }
  // Offsets in `bytes` from here on.
  const withdrawnAt = start + 2;
  const withdrawnEnd = withdrawnAt + withdrawnLength;
  const attrStart = withdrawnEnd + 2;
  const attrLength = getU16(bytes, attrStart - 2);
  const nlriStart = attrStart + attrLength;
  const end = bytes.length;
  if (nlriStart > end) {
    return failed(
      updateError(
        'ERR_BGP_UPDATE_LENGTHS',
        'session-reset',
        UpdateSubcode.MalformedAttributeList,
        `total path attribute length ${attrLength} too large`,
      ),
    );
  }

  const addPath = hasAddPath(ctx, Afi.Ipv4, Safi.Unicast);
  const withdrawnCount = countPrefixes(bytes, withdrawnAt, withdrawnEnd, Afi.Ipv4, addPath);
  if (withdrawnCount < 0) return failed(invalidNetwork('withdrawn routes', withdrawnCount));
  const nlriCount = countPrefixes(bytes, nlriStart, end, Afi.Ipv4, addPath);
  if (nlriCount < 0) return failed(invalidNetwork('NLRI', nlriCount));

  // The fast path: a clean section announcing body NLRI, or with IPv6 unicast routes alone (nothing to
  // report, nothing to decode now). UPDATEs with both take the full decode.
  if (ctx.asn4 && ctx.mrtRib !== true && (nlriCount > 0 || (withdrawnLength === 0 && attrLength > 0))) {
    const present = cleanSection(bytes, attrStart, nlriStart, ctx, MP);
    // IPv4: ORIGIN, AS_PATH and NEXT_HOP, no MP attribute.
    const ipv4 = present >= 0 && nlriCount > 0 && (present & (MANDATORY_IPV4 | MP_CODES)) === MANDATORY_IPV4;
    const message: UpdateMessage | undefined = ipv4
      ? new CleanUpdate(
          bytes,
          addPath,
          withdrawnAt,
          withdrawnEnd,
          withdrawnCount,
          attrStart,
          nlriStart,
          nlriCount,
          ctx,
        )
      : present >= 0 && nlriCount === 0
        ? cleanIpv6Update(bytes, attrStart, nlriStart, present, ctx)
        : undefined;
    if (message !== undefined)
      return { ok: true, message, errors: NO_ERRORS as UpdateError[], action: 'none' };
  }
  // Most UPDATEs announce or withdraw, not both: an empty field is a shared block (no view per UPDATE).
  const withdrawn = ipv4Block(bytes, withdrawnAt, withdrawnEnd, withdrawnCount, addPath);
  const nlri = ipv4Block(bytes, nlriStart, end, nlriCount, addPath);
  const decodedAttrs = decodeAttributes(bytes.subarray(attrStart, nlriStart), ctx);
  if (decodedAttrs.action === 'session-reset') {
    const e = decodedAttrs.errors.find((x) => x.action === 'session-reset')!;
    return failed(e);
  }
  const message: UpdateMessage = { type: 'update', withdrawn, attributes: decodedAttrs.attributes, nlri };
  let errors = decodedAttrs.errors;
  let action: ErrorAction | 'none' = decodedAttrs.action;
  const missing = checkMandatory(message);
  if (missing !== undefined) {
    errors = [...errors, missing];
    action = action === 'none' ? missing.action : strongerAction(action, missing.action);
  }
  const escalated = withoutReachableNlri(message, errors);
  if (escalated !== undefined) return failed(escalated);
  return { ok: true, message, errors, action: action as Exclude<ErrorAction, 'session-reset'> | 'none' };
}

/**
 * RFC 7606 5.2: "if an UPDATE message is encountered that does contain path attributes other than
 * MP_UNREACH_NLRI and doesn't encode any reachable NLRI, we cannot be confident that the NLRI have been
 * successfully parsed as Section 5.1 requires. For this reason, if any path attribute errors are
 * encountered in such an UPDATE message and if any encountered error specifies an error-handling approach
 * other than "attribute discard", then the "session reset" approach MUST be used." (RFC 7606 3 j says the
 * same of an UPDATE whose NLRI cannot be parsed: treat-as-withdraw needs it.)
 *
 * Returns the first treat-as-withdraw error, raised to 'session-reset' with its own NOTIFICATION subcode
 * and data (RFC 4271 6.3 names the subcode of each error; 5.2 names none), when the UPDATE:
 * 1. has a treat-as-withdraw error (an attribute that failed its checks, or an attribute section that
 *    could not be walked to its end, RFC 7606 4);
 * 2. announces nothing: an empty NLRI field and no MP_REACH_NLRI whose NLRI could be located (a
 *    malformed MP_REACH_NLRI is not one; an MP_UNREACH_NLRI, of any family, never is);
 * 3. has a path attribute other than MP_UNREACH_NLRI (a framing error counts: the octets it could not
 *    walk are not one).
 * An 'afisafi-disable' error alone is not raised: the family it names is disabled as a whole, which needs
 * no prefix of the UPDATE (RFC 7606 7.11 and 3 j allow it where the NLRI cannot be located).
 */
function withoutReachableNlri(
  update: UpdateMessage,
  errors: readonly UpdateError[],
): UpdateError | undefined {
  const deciding = errors.find((e) => e.action === 'treat-as-withdraw');
  if (deciding === undefined || update.nlri.bytes.length > 0) return undefined;
  let other = false;
  for (const a of update.attributes) {
    if (a.type === 'mp-reach' && a.nlri.bytes.length > 0) return undefined;
    if (a.code !== AttrType.MpUnreachNlri) other = true;
  }
  if (!other && errors.every((e) => e.attrType === AttrType.MpUnreachNlri)) return undefined;
  return {
    ...deciding,
    action: 'session-reset',
    escalatedFrom: deciding.action,
    reason: `${deciding.reason}; no reachable NLRI to withdraw (RFC 7606 5.2)`,
  };
}

/**
 * RFC 7606 3 d: "If any of the well-known mandatory attributes are not present in an UPDATE message, then
 * "treat-as-withdraw" MUST be used. (Note that [RFC4760] reclassifies NEXT_HOP as what is effectively
 * discretionary.)" Mandatory attributes matter only when the UPDATE announces something (RFC 4271 5:
 * ORIGIN and AS_PATH in every UPDATE carrying NLRI; NEXT_HOP when the NLRI field is used).
 */
export function checkMandatory(update: UpdateMessage): UpdateError | undefined {
  let mpAnnounces = false;
  let origin = false;
  let asPath = false;
  let nextHop = false;
  for (const a of update.attributes) {
    if (a.code === AttrType.Origin) origin = true;
    else if (a.code === AttrType.AsPath) asPath = true;
    else if (a.code === AttrType.NextHop) nextHop = true;
    else if (a.type === 'mp-reach' && a.nlri.bytes.length > 0) mpAnnounces = true;
  }
  const bodyAnnounces = update.nlri.bytes.length > 0;
  if (!bodyAnnounces && !mpAnnounces) return undefined;
  const absent = !origin
    ? AttrType.Origin
    : !asPath
      ? AttrType.AsPath
      : bodyAnnounces && !nextHop
        ? AttrType.NextHop
        : 0;
  if (absent === 0) return undefined;
  return updateError(
    'ERR_BGP_ATTR_MISSING',
    'treat-as-withdraw',
    UpdateSubcode.MissingWellKnownAttribute,
    `missing well-known attribute ${absent}`,
    {
      attrType: absent,
      // RFC 4271 6.3: "The Data field MUST contain the Attribute Type Code of the missing, well-known attribute."
      data: Uint8Array.of(absent),
    },
  );
}

/** Octets of the UPDATE body (no header) as `writeUpdateBodyAt` writes it. */
export function updateBodyLength(msg: UpdateMessage): number {
  let n = 4 + msg.withdrawn.bytes.length + msg.nlri.bytes.length;
  if (msg.attributeSection) return n + msg.attributeSection.length;
  for (const a of msg.attributes) n += attributeWireLength(a);
  return n;
}

/** Write an UPDATE body into out[off..off + updateBodyLength(msg)). Byte-exact for decoded messages. */
export function writeUpdateBodyAt(out: Uint8Array, off: number, msg: UpdateMessage): void {
  let p = off;
  const w = msg.withdrawn.bytes;
  out[p++] = w.length >> 8;
  out[p++] = w.length & 255;
  out.set(w, p);
  p += w.length;
  const lengthAt = p;
  p += 2;
  if (msg.attributeSection) {
    out.set(msg.attributeSection, p);
    p += msg.attributeSection.length;
  } else
    for (const a of msg.attributes) {
      p = writeAttributeHeader(out, p, a.flags, a.code, a.raw.length);
      out.set(a.raw, p);
      p += a.raw.length;
    }
  const attrLength = p - lengthAt - 2;
  out[lengthAt] = attrLength >> 8;
  out[lengthAt + 1] = attrLength & 255;
  out.set(msg.nlri.bytes, p);
}

/** Write an UPDATE body (no header) with a WireWriter. Byte-exact for decoded messages. */
export function writeUpdateBody(w: WireWriter, msg: UpdateMessage): void {
  w.u16(msg.withdrawn.bytes.length).bytes(msg.withdrawn.bytes);
  const lengthAt = w.pos;
  w.u16(0);
  if (msg.attributeSection) w.bytes(msg.attributeSection);
  else for (const a of msg.attributes) writeAttribute(w, a);
  w.patchU16(lengthAt, w.pos - lengthAt - 2);
  w.bytes(msg.nlri.bytes);
}

// ===== Walking the prefixes of an UPDATE =====

/** Visitor with the family: `bytes[offset..]` holds ceil(length/8) address octets. */
export type FamilyPrefixVisitor = (
  afi: number,
  safi: number,
  length: number,
  bytes: Uint8Array,
  offset: number,
  pathId: number,
) => void;

/** Every announced prefix: the NLRI field (IPv4 unicast) and MP_REACH_NLRI (IPv4/IPv6 unicast/multicast only). */
export function forEachAnnounced(update: UpdateMessage, visit: FamilyPrefixVisitor): void {
  if (update.nlri.count > 0)
    forEachPrefix(update.nlri, (l, b, o, p) => visit(Afi.Ipv4, Safi.Unicast, l, b, o, p));
  for (const a of update.attributes) {
    if (a.type === 'mp-reach' && a.nlri.count > 0) {
      const { afi, safi } = a;
      forEachPrefix(a.nlri, (l, b, o, p) => visit(afi, safi, l, b, o, p));
    }
  }
}

/** Every withdrawn prefix: the Withdrawn Routes field and MP_UNREACH_NLRI. */
export function forEachWithdrawn(update: UpdateMessage, visit: FamilyPrefixVisitor): void {
  if (update.withdrawn.count > 0)
    forEachPrefix(update.withdrawn, (l, b, o, p) => visit(Afi.Ipv4, Safi.Unicast, l, b, o, p));
  for (const a of update.attributes) {
    if (a.type === 'mp-unreach' && a.withdrawn.count > 0) {
      const { afi, safi } = a;
      forEachPrefix(a.withdrawn, (l, b, o, p) => visit(afi, safi, l, b, o, p));
    }
  }
}

/** Announced + withdrawn prefix count (opaque families not counted). */
export function prefixCount(update: UpdateMessage): number {
  let n = Math.max(0, update.nlri.count) + Math.max(0, update.withdrawn.count);
  for (const a of update.attributes) {
    if (a.type === 'mp-reach') n += Math.max(0, a.nlri.count);
    else if (a.type === 'mp-unreach') n += Math.max(0, a.withdrawn.count);
  }
  return n;
}

/**
 * RFC 4724 2: "An UPDATE message with no reachable Network Layer Reachability Information (NLRI) and
 * empty withdrawn NLRI is specified as the End-of-RIB marker ... for the IPv4 unicast address family.
 * ... For any other address family, it is an UPDATE message that contains only the MP_UNREACH_NLRI
 * attribute with no withdrawn routes for that <AFI, SAFI>."
 */
export function makeEndOfRib(afi: number, safi: number = Safi.Unicast): UpdateMessage {
  const empty = (a: number, s: number): NlriBlock => ({
    afi: a,
    safi: s,
    addPath: false,
    bytes: new Uint8Array(0),
    count: 0,
  });
  const ipv4 = empty(Afi.Ipv4, Safi.Unicast);
  if (afi === Afi.Ipv4 && safi === Safi.Unicast)
    return { type: 'update', withdrawn: ipv4, attributes: [], nlri: ipv4 };
  return { type: 'update', withdrawn: ipv4, attributes: [makeMpUnreach(empty(afi, safi))], nlri: ipv4 };
}

/**
 * RFC 4724 2: End-of-RIB is an UPDATE with no withdrawn routes, attributes or NLRI (IPv4 unicast), or one
 * whose only attribute is an empty MP_UNREACH_NLRI. Returns the family, or undefined.
 */
export function endOfRibFamily(update: UpdateMessage): { afi: number; safi: number } | undefined {
  // The fast path's UPDATEs announce or withdraw at least one prefix (and their attributes are decoded
  // only when read).
  if (update.storableSection !== undefined) return undefined;
  if (update.withdrawn.bytes.length !== 0 || update.nlri.bytes.length !== 0) return undefined;
  if (update.attributes.length === 0) return { afi: Afi.Ipv4, safi: Safi.Unicast };
  const only = update.attributes[0]!;
  if (update.attributes.length === 1 && only.type === 'mp-unreach' && only.withdrawn.bytes.length === 0)
    return { afi: only.afi, safi: only.safi };
  return undefined;
}

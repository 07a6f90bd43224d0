// The route a point's pluglets read and change through the attribute helpers (get_attr_from_code,
// add_attr, set_attr): an interned attribute set plus the changes made in this call, kept apart until
// the call ends so that a fault can drop them (the native path then sees the route as it came). An
// attribute a pluglet writes must be a valid wire encoding of its code (flags included): the codec
// checks it as it checks a peer's; MP_REACH_NLRI / MP_UNREACH_NLRI are never written. On an IPv6 route,
// NEXT_HOP stands for the MP next hop (16 or 32 octets): an xbgpd extension, so that one helper changes
// the next hop in both families (IPv4 keeps it in NEXT_HOP; see rde/attr-store.ts).
import {
  AttrFlag,
  AttrType,
  attributeValueError,
  decodeAttributes,
  type PathAttribute,
} from '../wire/index.js';
import { type AttrSet, type AttrStore, type StoredAttribute, mpNextHopOf } from '../rde/attr-store.js';

const AS4 = { asn4: true } as const;
const NO_EDITS: ReadonlyMap<number, StoredAttribute | null> = new Map();
const AS2 = { asn4: false } as const;

export class RouteState {
  set: AttrSet | undefined = undefined;
  ipv6 = false;
  private store: AttrStore | undefined = undefined;
  private edits: Map<number, StoredAttribute | null> | undefined = undefined;
  private mpNextHop: Uint8Array | undefined = undefined;

  /** Start a call on `set` (not referenced here: the caller holds it for the call). */
  reset(set: AttrSet, ipv6: boolean, store: AttrStore): void {
    this.set = set;
    this.ipv6 = ipv6;
    this.store = store;
    this.edits = undefined;
    this.mpNextHop = undefined;
  }

  /** Whether a pluglet changed anything in this call. */
  get changed(): boolean {
    return this.edits !== undefined || this.mpNextHop !== undefined;
  }

  /** Drop this call's changes (after a fault). */
  discard(): void {
    this.edits = undefined;
    this.mpNextHop = undefined;
  }

  /** The attribute with type code `code` as the route has it now, or undefined. */
  get(code: number): StoredAttribute | undefined {
    if (this.ipv6 && code === AttrType.NextHop) {
      const nh = this.mpNextHop ?? mpNextHopOf(this.set!);
      return nh === undefined ? undefined : { flags: AttrFlag.Transitive, value: nh };
    }
    const edit = this.edits?.get(code);
    if (edit !== undefined) return edit ?? undefined;
    return this.store!.attributeOf(this.set!, code);
  }

  /**
   * get(code) without allocating when the route's set holds the attribute unchanged (the common case):
   * flags * 65536 + value length, or -1 when the route has none; `copyValue` then copies the octets.
   */
  header(code: number): number {
    if (this.edits === undefined && !(this.ipv6 && code === AttrType.NextHop))
      return this.store!.attributeHeaderOf(this.set!, code);
    const a = this.get(code);
    return a === undefined ? -1 : a.flags * 65536 + a.value.length;
  }

  /** The value octets of attribute `code` (present: `header` said so) copied to out[at]. */
  copyValue(code: number, out: Uint8Array, at: number): void {
    if (this.edits === undefined && !(this.ipv6 && code === AttrType.NextHop))
      this.store!.copyAttributeValue(this.set!, code, out, at);
    else out.set(this.get(code)!.value, at);
  }

  /** The type codes the route has now, ascending (NEXT_HOP included for an IPv6 route with a next hop). */
  codes(): number[] {
    const codes = new Set(this.store!.codesOf(this.set!));
    for (const [code, edit] of this.edits ?? []) {
      if (edit === null) codes.delete(code);
      else codes.add(code);
    }
    if (this.ipv6 && this.get(AttrType.NextHop) !== undefined) codes.add(AttrType.NextHop);
    return [...codes].sort((a, b) => a - b);
  }

  /**
   * add_attr / set_attr: 0, or -1 when the value is not a valid attribute of its code (nothing changes).
   * The route keeps `value` (no copy): callers hand over octets nobody changes afterwards (the helpers'
   * copies out of VM memory).
   */
  put(code: number, flags: number, value: Uint8Array): number {
    if (code === AttrType.MpReachNlri || code === AttrType.MpUnreachNlri) return -1;
    if (this.ipv6 && code === AttrType.NextHop) {
      if (value.length !== 16 && value.length !== 32) return -1;
      this.mpNextHop = value;
      return 0;
    }
    const clean = flags & ~AttrFlag.ExtendedLength & 0xff;
    if (!validAttribute(code, clean, value)) return -1;
    (this.edits ??= new Map()).set(code, { flags: clean, value });
    return 0;
  }

  /**
   * `target` (the route's set, or what the native rules made of it) with this call's changes applied: the
   * same set with one more reference when nothing changed, else the changed set, interned.
   */
  applyTo(target: AttrSet): AttrSet {
    const store = this.store!;
    if (!this.changed) return store.acquire(target);
    return store.internEdited(target, this.edits ?? NO_EDITS, this.mpNextHop);
  }

  /** applyTo on the set the store's writer holds, not interned (the native rules' output, written but not stored). */
  applyToWritten(): AttrSet {
    const store = this.store!;
    if (!this.changed) return store.internWritten();
    return store.internWrittenEdited(this.edits ?? NO_EDITS, this.mpNextHop);
  }
}

/** Whether `value` is a valid wire encoding of attribute `code` with `flags` (the codec's own checks). */
export function validAttribute(code: number, flags: number, value: Uint8Array): boolean {
  return attributeValueError(code, flags, value, AS4) === undefined;
}

/**
 * The attribute `section` holds, when it is exactly one attribute of type `code` that the codec takes
 * without error (`asn4`: the AS_PATH width); else why not. An unknown non-transitive attribute is dropped
 * by the codec, so it is not one attribute here.
 */
export function oneAttribute(section: Uint8Array, code: number, asn4: boolean): PathAttribute | string {
  const decoded = decodeAttributes(section, asn4 ? AS4 : AS2);
  const a = decoded.attributes[0];
  if (decoded.action === 'none' && decoded.attributes.length === 1 && a!.code === code) return a!;
  return decoded.errors[0]?.reason ?? 'not one attribute of that code';
}

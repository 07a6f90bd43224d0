// The attribute rewriting of `exportAttributes` (propagation.ts) done on the interning key itself: the
// exported set's key is written straight from the source set's key (attributes copied, AS_PATH prepended,
// NEXT_HOP replaced, LOCAL_PREF / MED / RFC 4456 attributes kept or dropped), with no attribute objects
// built. The outbound filter uses it when the group has no export policy; a test checks that it yields
// exactly the set `exportAttributes` + `AttrStore.intern` would. The key is read and written through the
// attribute store's KeyReader / KeyWriter, which own its layout.
import { AttrFlag, AttrType, AsPathSegmentType } from '../wire/index.js';
import {
  DEFAULT_LOCAL_PREF,
  KeyReader,
  nextHopKeyOf,
  type AttrSet,
  type AttrStore,
  neighborAsOf,
} from './attr-store.js';
import type { ExportSettings, SourceKind } from './propagation.js';

/** Flags of the attributes built here (well-known, transitive). */
const WELL_KNOWN = AttrFlag.Transitive;

/** Interns exported sets for one outbound context; holds the reader it walks source keys with. */
export class ExportKeyWriter {
  private readonly reader = new KeyReader();

  // The state of the key being written, for `pending` (fields, not variables captured by a closure made
  // per call: that closure and its context were a third of the time of a write).
  private group: ExportSettings | undefined = undefined;
  /** The next hop sent: ours (octets) or the route's (its latin1 string). */
  private nextHop: Uint8Array | string = '';
  private asPathDone = false;
  private nextHopDone = false;
  private localPrefDone = false;

  /** The next hop's octets as AttrSet.nextHopKey has them, of the key last written. */
  private nextHopKey = '';
  /** Our next hops last written (per family) and their key strings: a group's change only with its settings. */
  private self4: Uint8Array | undefined = undefined;
  private self4Key = '';
  private self6: Uint8Array | undefined = undefined;
  private self6Key = '';

  constructor(private readonly store: AttrStore) {}

  /** nextHopKeyOf our next hop as the key holds it (IPv4: the 4 octets of NEXT_HOP). */
  private selfKey(self: Uint8Array, ipv6: boolean): string {
    if (ipv6) {
      if (self !== this.self6) {
        this.self6 = self;
        this.self6Key = nextHopKeyOf(self);
      }
      return this.self6Key;
    }
    if (self !== this.self4) {
      this.self4 = self;
      this.self4Key = nextHopKeyOf(self.subarray(0, 4));
    }
    return this.self4Key;
  }

  /**
   * A set with the attributes `exportAttributes(source, set, ipv6, group)` describes, with one reference;
   * not shared (AttrStore.unsharedExported): two calls give two sets with the same key.
   */
  exported(source: SourceKind, set: AttrSet, ipv6: boolean, group: ExportSettings): AttrSet {
    this.write(source, set, ipv6, group);
    const ibgp = group.ibgp;
    // The decision fields as the rewriting left them: to an external peer LOCAL_PREF is dropped, MED unless
    // send-med, ORIGINATOR_ID and CLUSTER_LIST too, and our AS leads a path one AS longer; to an internal
    // peer LOCAL_PREF is the default when the source had none.
    return this.store.unsharedExported(
      set,
      this.nextHopKey,
      ibgp ? (set.localPref ?? DEFAULT_LOCAL_PREF) : undefined,
      ibgp ? set.asPathLength : set.asPathLength + 1,
      ibgp ? neighborAsOf(set) : group.localAsn,
      ibgp || group.sendMed ? set.med : undefined,
      ibgp,
    );
  }

  /**
   * Write that set's key with the store's writer, ended and not interned (for a caller that changes it
   * further first: `AttrStore.internWritten` / `internWrittenEdited` next).
   */
  write(source: SourceKind, set: AttrSet, ipv6: boolean, group: ExportSettings): void {
    const w = this.store.writer;
    const r = this.reader.reset(set.key);
    const key = set.key;
    w.begin(key.length + 16);
    const nhIn = set.nextHopKey;
    // RFC 4271 5.1.3: the next hop to an external peer is our address; to an internal peer it is passed on
    // unless next-hop-self, or ours for our own routes (as exportAttributes).
    const own =
      !group.ibgp ||
      group.nextHopSelf ||
      nhIn.length === 0 ||
      source === 'local' ||
      !(ipv6 ? nhIn.length >= 16 : nhIn.length === 4);
    const self = ipv6 ? group.nextHopIpv6 : group.nextHopIpv4;
    this.group = group;
    this.nextHop = own ? self : nhIn;
    this.nextHopKey = own ? this.selfKey(self, ipv6) : nhIn;
    this.asPathDone = false;
    this.nextHopDone = ipv6; // IPv6 carries its next hop in MP_REACH_NLRI, not in NEXT_HOP
    this.localPrefDone = !group.ibgp; // RFC 4271 5.1.5: LOCAL_PREF only to internal peers

    while (r.next()) {
      const code = r.code;
      const at = r.value;
      const len = r.length;
      this.pending(code);
      switch (code) {
        case AttrType.AsPath:
          this.asPathDone = true;
          if (group.ibgp) w.copy(key, r.start, r.end);
          // RFC 4271 5.1.2 b): to an external peer, our AS first in the leading AS_SEQUENCE (a new segment
          // when the path does not start with one, or it is full).
          else if (len >= 2 && r.u8(at) === AsPathSegmentType.Sequence && r.u8(at + 1) < 255) {
            w.header(WELL_KNOWN, AttrType.AsPath, len + 4);
            w.byte(AsPathSegmentType.Sequence);
            w.byte(r.u8(at + 1) + 1);
            w.u32(group.localAsn);
            w.copy(key, at + 2, r.end);
          } else {
            w.header(WELL_KNOWN, AttrType.AsPath, len + 6);
            w.byte(AsPathSegmentType.Sequence);
            w.byte(1);
            w.u32(group.localAsn);
            w.copy(key, at, r.end);
          }
          break;
        case AttrType.NextHop:
          break; // written by `pending`
        case AttrType.Med:
          // RFC 4271 5.1.4: not passed to other ASes (unless send-med).
          if (group.ibgp || group.sendMed) w.copy(key, r.start, r.end);
          break;
        case AttrType.LocalPref:
          if (group.ibgp) {
            this.localPrefDone = true;
            w.copy(key, r.start, r.end);
          }
          break;
        case AttrType.OriginatorId:
        case AttrType.ClusterList:
          // RFC 4456 8: never outside the AS.
          if (group.ibgp) w.copy(key, r.start, r.end);
          break;
        default:
          w.copy(key, r.start, r.end);
      }
    }
    this.pending(256);
    // IPv6: the MP next hop (ours, or the route's passed on); IPv4 has it in NEXT_HOP.
    w.end(ipv6 ? this.nextHop : undefined);
  }

  /** Attributes the output has but the input may lack, written before the first code above theirs. */
  private pending(upTo: number): void {
    const w = this.store.writer;
    const group = this.group!;
    if (!this.asPathDone && upTo > AttrType.AsPath) {
      this.asPathDone = true;
      if (group.ibgp) w.header(WELL_KNOWN, AttrType.AsPath, 0);
      else {
        w.header(WELL_KNOWN, AttrType.AsPath, 6);
        w.byte(AsPathSegmentType.Sequence);
        w.byte(1);
        w.u32(group.localAsn);
      }
    }
    if (!this.nextHopDone && upTo > AttrType.NextHop) {
      this.nextHopDone = true;
      w.header(WELL_KNOWN, AttrType.NextHop, 4);
      const nh = this.nextHop;
      if (typeof nh === 'string') w.copy(nh, 0, 4);
      else w.bytesOf(nh, 0, 4);
    }
    if (!this.localPrefDone && upTo > AttrType.LocalPref) {
      this.localPrefDone = true;
      w.header(WELL_KNOWN, AttrType.LocalPref, 4);
      w.u32(DEFAULT_LOCAL_PREF);
    }
  }
}

// The attribute rewriting of `exportAttributes` (propagation.ts) done on the interning key itself: the
// exported set's key is written straight from the source set's key bytes (attributes copied, AS_PATH
// prepended, NEXT_HOP replaced, LOCAL_PREF / MED / RFC 4456 attributes kept or dropped), with no attribute
// objects built. The outbound filter uses it when the group has no export policy; a test checks that it
// yields exactly the key `exportAttributes` + `AttrStore.intern` would.
import { AttrFlag, AttrType, AsPathSegmentType } from '../wire/index.js';
import { DEFAULT_LOCAL_PREF, type AttrSet } from './attr-store.js';
import type { ExportSettings, SourceKind } from './propagation.js';

/** Flags of the attributes built here (well-known, transitive). */
const WELL_KNOWN = AttrFlag.Transitive;

let out = new Uint8Array(1024);
let n = 0;

function header(flags: number, code: number, len: number): void {
  const ext = len > 255;
  out[n++] = ext ? flags | AttrFlag.ExtendedLength : flags & ~AttrFlag.ExtendedLength;
  out[n++] = code;
  if (ext) {
    out[n++] = len >> 8;
    out[n++] = len & 255;
  } else out[n++] = len;
}

function u32(v: number): void {
  out[n++] = v >>> 24;
  out[n++] = (v >>> 16) & 255;
  out[n++] = (v >>> 8) & 255;
  out[n++] = v & 255;
}

/** Copy key[from, to) (latin1 chars are octets). */
function copy(key: string, from: number, to: number): void {
  for (let i = from; i < to; i++) out[n++] = key.charCodeAt(i);
}

/**
 * The key of the set `exportAttributes(source, set, ipv6, group)` describes, written into a shared buffer;
 * returns a view of it (valid until the next call).
 */
export function writeExportKey(
  source: SourceKind,
  set: AttrSet,
  ipv6: boolean,
  group: ExportSettings,
): Uint8Array {
  const key = set.key;
  const nhIn = set.nextHopKey.length;
  const attrEnd = key.length - 1 - nhIn;
  if (out.length < key.length + 64) out = new Uint8Array((key.length + 64) * 2);
  n = 0;
  let asPathDone = false;
  let nextHopDone = ipv6; // IPv6 carries its next hop in MP_REACH_NLRI, not in NEXT_HOP
  let localPrefDone = !group.ibgp; // RFC 4271 5.1.5: LOCAL_PREF only to internal peers
  // RFC 4271 5.1.3: the next hop to an external peer is our address; to an internal peer it is passed on
  // unless next-hop-self, or ours for our own routes (as exportAttributes).
  const own =
    !group.ibgp || group.nextHopSelf || nhIn === 0 || source === 'local' || !(ipv6 ? nhIn >= 16 : nhIn === 4);
  const self = ipv6 ? group.nextHopIpv6 : group.nextHopIpv4;

  /** Attributes the output has but the input may lack, written before the first code above theirs. */
  const pending = (upTo: number): void => {
    if (!asPathDone && upTo > AttrType.AsPath) {
      asPathDone = true;
      if (group.ibgp) header(WELL_KNOWN, AttrType.AsPath, 0);
      else {
        header(WELL_KNOWN, AttrType.AsPath, 6);
        out[n++] = AsPathSegmentType.Sequence;
        out[n++] = 1;
        u32(group.localAsn);
      }
    }
    if (!nextHopDone && upTo > AttrType.NextHop) {
      nextHopDone = true;
      header(WELL_KNOWN, AttrType.NextHop, 4);
      if (own) for (let i = 0; i < 4; i++) out[n++] = self[i]!;
      else copy(key, attrEnd, attrEnd + 4);
    }
    if (!localPrefDone && upTo > AttrType.LocalPref) {
      localPrefDone = true;
      header(WELL_KNOWN, AttrType.LocalPref, 4);
      u32(DEFAULT_LOCAL_PREF);
    }
  };

  for (let p = 0; p < attrEnd;) {
    const flags = key.charCodeAt(p);
    const code = key.charCodeAt(p + 1);
    const extended = (flags & AttrFlag.ExtendedLength) !== 0;
    const len = extended ? (key.charCodeAt(p + 2) << 8) | key.charCodeAt(p + 3) : key.charCodeAt(p + 2);
    const start = p;
    const at = p + (extended ? 4 : 3);
    p = at + len;
    pending(code);
    switch (code) {
      case AttrType.AsPath:
        asPathDone = true;
        if (group.ibgp) copy(key, start, p);
        // RFC 4271 5.1.2 b): to an external peer, our AS first in the leading AS_SEQUENCE (a new segment
        // when the path does not start with one, or it is full).
        else if (
          len >= 2 &&
          key.charCodeAt(at) === AsPathSegmentType.Sequence &&
          key.charCodeAt(at + 1) < 255
        ) {
          header(WELL_KNOWN, AttrType.AsPath, len + 4);
          out[n++] = AsPathSegmentType.Sequence;
          out[n++] = key.charCodeAt(at + 1) + 1;
          u32(group.localAsn);
          copy(key, at + 2, p);
        } else {
          header(WELL_KNOWN, AttrType.AsPath, len + 6);
          out[n++] = AsPathSegmentType.Sequence;
          out[n++] = 1;
          u32(group.localAsn);
          copy(key, at, p);
        }
        break;
      case AttrType.NextHop:
        break; // written by `pending`
      case AttrType.Med:
        // RFC 4271 5.1.4: not passed to other ASes (unless send-med).
        if (group.ibgp || group.sendMed) copy(key, start, p);
        break;
      case AttrType.LocalPref:
        if (group.ibgp) {
          localPrefDone = true;
          copy(key, start, p);
        }
        break;
      case AttrType.OriginatorId:
      case AttrType.ClusterList:
        // RFC 4456 8: never outside the AS.
        if (group.ibgp) copy(key, start, p);
        break;
      default:
        copy(key, start, p);
    }
  }
  pending(256);
  // The next hop, then its length (the key layout of attr-store.ts).
  let nhLen: number;
  if (own) {
    for (let i = 0; i < self.length; i++) out[n++] = self[i]!;
    nhLen = self.length;
  } else {
    copy(key, attrEnd, attrEnd + nhIn);
    nhLen = nhIn;
  }
  out[n++] = nhLen;
  return out.subarray(0, n);
}

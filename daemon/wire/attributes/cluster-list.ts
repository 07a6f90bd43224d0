// CLUSTER_LIST (type 10, optional non-transitive, RFC 4456 8): the route reflection cluster ids a route
// went through, each 4 octets.
import { AttrType } from '../iana.js';
import { formatIpv4 } from '../../net/address.js';
import {
  attrError,
  OPTIONAL_NON_TRANSITIVE,
  readWords,
  wordsToBytes,
  type AttributeDescriptor,
} from './descriptor.js';
import type { ClusterListAttribute, PathAttribute } from './types.js';

export const clusterListDescriptor: AttributeDescriptor = {
  code: AttrType.ClusterList,
  name: 'CLUSTER_LIST',
  flags: OPTIONAL_NON_TRANSITIVE,
  decode(raw, flags, ctx) {
    // RFC 7606 7.10: "if the CLUSTER_LIST attribute is received from an external neighbor, it SHALL be
    // discarded using the approach of "attribute discard"; or if received from an internal neighbor, it
    // SHALL be considered malformed if its length is not a non-zero multiple of 4. If malformed, the UPDATE
    // message SHALL be handled using the approach of "treat-as-withdraw"."
    if (ctx.peerType === 'ebgp') {
      return attrError(
        AttrType.ClusterList,
        'ERR_BGP_ATTR_EBGP_ONLY_IBGP',
        'attribute-discard',
        'CLUSTER_LIST from an external peer',
        0,
      );
    }
    if (raw.length === 0 || raw.length % 4 !== 0) {
      return attrError(
        AttrType.ClusterList,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `CLUSTER_LIST length ${raw.length}`,
      );
    }
    return {
      type: 'cluster-list',
      code: AttrType.ClusterList,
      flags,
      raw,
      clusterIds: readWords(raw, raw.length >> 2),
    };
  },
  format: (a: PathAttribute) => Array.from((a as ClusterListAttribute).clusterIds, formatIpv4).join(' '),
  valid: (_b, start, end, _flags, ctx) => ctx.peerType !== 'ebgp' && end > start && (end - start) % 4 === 0,
};

export function makeClusterList(ids: readonly number[]): ClusterListAttribute {
  const words = Uint32Array.from(ids);
  return {
    type: 'cluster-list',
    code: AttrType.ClusterList,
    flags: OPTIONAL_NON_TRANSITIVE,
    raw: wordsToBytes(words),
    clusterIds: words,
  };
}

// Address families as the configuration names them ('ipv4-unicast', 'ipv6-unicast') and as BGP carries
// them (RFC 4760 AFI/SAFI): the names, the numbers, and the mapping both ways.
import { Afi, Safi } from '../wire/iana.js';

/** The families xbgpd routes, named as in the YAML configuration (`families`). */
export type Family = 'ipv4-unicast' | 'ipv6-unicast';
export const allFamilies: readonly Family[] = ['ipv4-unicast', 'ipv6-unicast'];

export interface AfiSafi {
  afi: number;
  safi: number;
}

/** RFC 4760 AFI/SAFI of each family (the Multiprotocol capability, MP_REACH_NLRI, End-of-RIB). */
export const familyAfiSafi: Readonly<Record<Family, AfiSafi>> = {
  'ipv4-unicast': { afi: Afi.Ipv4, safi: Safi.Unicast },
  'ipv6-unicast': { afi: Afi.Ipv6, safi: Safi.Unicast },
};

/** The family of an AFI/SAFI pair, or undefined for one xbgpd does not route. */
export function familyOfAfiSafi(afi: number, safi: number): Family | undefined {
  if (safi !== Safi.Unicast) return undefined;
  return afi === Afi.Ipv4 ? 'ipv4-unicast' : afi === Afi.Ipv6 ? 'ipv6-unicast' : undefined;
}

export function familyAfi(family: Family): 1 | 2 {
  return family === 'ipv4-unicast' ? Afi.Ipv4 : Afi.Ipv6;
}

/** The family of an address's octets: 16 octets are IPv6, anything else IPv4. */
export function familyOfAddress(bytes: Uint8Array): Family {
  return bytes.length === 16 ? 'ipv6-unicast' : 'ipv4-unicast';
}

/** Bits in an address of the family: the longest prefix. */
export function addressBits(family: Family): 32 | 128 {
  return family === 'ipv4-unicast' ? 32 : 128;
}

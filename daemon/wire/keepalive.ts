// KEEPALIVE message (type 4): RFC 4271 4.4, "A KEEPALIVE message consists of only the message header and
// has a length of 19 octets." The header check (`checkHeader`) enforces the length.
export interface KeepaliveMessage {
  type: 'keepalive';
}

export const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: 'keepalive' as const });

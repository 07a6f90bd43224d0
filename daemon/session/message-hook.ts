// The session's view of the plugin points on whole messages, bgp_decode_message and bgp_encode_message
// (daemon/plugins/points/message.ts implements it). Types only: the session imports no plugin code, and
// daemon/speaker.ts hands each session its peer's hook.

/** The peer of a session as the message points describe it (routerId 0 before its OPEN). */
export interface MessagePeer {
  readonly name: string;
  readonly asn: number;
  readonly routerId: number;
  readonly ibgp: boolean;
  readonly address: string;
  readonly localAddress: string;
}

export interface MessageHook {
  /** Whether messages of types other than 1..5 are offered to `received` (else Bad Message Type). */
  readonly customTypes: boolean;
  /**
   * Every message received (header included). For a type other than 1..5 received while Established
   * (`custom`), true = a plugin handled it: the session drops it without error. Ignored otherwise.
   */
  received(peer: MessagePeer, type: number, message: Uint8Array, custom: boolean): boolean;
  /**
   * Every message sent (header included): the bytes to send. `message` itself, except for a type other
   * than 1..5 (`custom`, scheduled by a plugin) that a plugin rewrote: a whole message of at most
   * `maxLength` octets.
   */
  sending(
    peer: MessagePeer,
    type: number,
    message: Uint8Array,
    custom: boolean,
    maxLength: number,
  ): Uint8Array;
}

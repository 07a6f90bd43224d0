// The message insertion points, bgp_decode_message and bgp_encode_message, as the session's MessageHook
// (daemon/session/message-hook.ts), one per peer.
//
// bgp_decode_message, for every message received from the peer: get_arg gives ARG_BGP_MESSAGE (the whole
// message, header included), ARG_LENGTH (u16) and ARG_TYPE (u8); get_src_peer_info the peer. pre and post
// observe. replace runs only for a type xbgpd does not handle (not 1..5) received while Established:
// EXIT_SUCCESS = handled, the session drops the message without error; any other value, a fault or the
// end of the chain = native handling (NOTIFICATION Message Header Error / Bad Message Type).
//
// bgp_encode_message, for every message sent to the peer: ARG_TYPE, ARG_BGP_MESSAGE (as xbgpd built it,
// header included), ARG_LENGTH; get_peer_info the peer. pre and post observe. replace runs only for the
// types xbgpd does not build itself (messages scheduled with schedule_bgp_message): EXIT_SUCCESS with
// bytes written by the same pluglet with write_to_buffer (a whole message: marker, a length equal to the
// bytes written, the same type, within the session's maximum) = those bytes are sent instead. Any other
// value, the end of the chain = the message as built; a fault, or bytes that are not such a message = as
// built too, and the fault is counted. A plugin never resets the session.
import { ArgType, EXIT_FAILURE, EXIT_SUCCESS } from '../../../xbgp-api/index.js';
import { HEADER_LENGTH } from '../../wire/index.js';
import type { MessageHook, MessagePeer } from '../../session/message-hook.js';
import { Call, type EncodeOutput, type PeerInfo, type PluginServices } from '../call.js';
import type { PluginHost } from '../host.js';
import { failed, runPost, runPre, runReplace, type Chain, type Plugin, type Pluglet } from '../runtime.js';
import { pointByName } from '../../../xbgp-api/index.js';
import { peerInfoOf } from './filters.js';

export const DECODE_MESSAGE_POINT = 'bgp_decode_message';
export const ENCODE_MESSAGE_POINT = 'bgp_encode_message';

const anyValue = (): boolean => true;

/** What write_to_buffer appends to at bgp_encode_message: the bytes of the pluglet that wrote last. */
class MessageBuffer implements EncodeOutput {
  bytes = new Uint8Array(0);
  length = 0;
  writer: Pluglet | undefined = undefined;
  max = 0;

  constructor(private readonly call: Call) {}

  reset(max: number): void {
    this.length = 0;
    this.writer = undefined;
    this.max = max;
  }

  append(bytes: Uint8Array): boolean {
    const p = this.call.pluglet;
    if (p !== this.writer) {
      this.writer = p;
      this.length = 0;
    }
    if (this.length + bytes.length > this.max) return false;
    if (this.bytes.length < this.length + bytes.length) {
      const grown = new Uint8Array(Math.min(this.max, Math.max(256, 2 * (this.length + bytes.length))));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
    return true;
  }
}

class PeerMessages implements MessageHook {
  private readonly decodeCall: Call;
  private readonly encodeCall: Call;
  private readonly output: MessageBuffer;
  private readonly infos = new WeakMap<MessagePeer, PeerInfo>();

  constructor(
    private readonly decode: Chain | undefined,
    private readonly encode: Chain | undefined,
    private readonly host: PluginHost,
    private readonly local: { asn: number; routerId: number },
    services: (plugin: Plugin) => PluginServices,
  ) {
    this.decodeCall = new Call(pointByName(DECODE_MESSAGE_POINT)!, services);
    this.encodeCall = new Call(pointByName(ENCODE_MESSAGE_POINT)!, services);
    this.output = new MessageBuffer(this.encodeCall);
  }

  get customTypes(): boolean {
    return this.decode !== undefined && this.decode.replace.length > 0;
  }

  received(peer: MessagePeer, type: number, message: Uint8Array, custom: boolean): boolean {
    const chain = this.decode;
    if (chain === undefined) return false;
    const call = this.decodeCall;
    call.sourcePeer = this.info(peer);
    setMessageArgs(call, type, message);
    runPre(chain, call, this.host, call.writeInfo);
    const value = custom ? runReplace(chain, call, this.host, call.writeInfo, anyValue) : undefined;
    const handled = value === BigInt(EXIT_SUCCESS);
    runPost(chain, call, this.host, call.writeInfo, BigInt(handled ? EXIT_SUCCESS : EXIT_FAILURE));
    return handled;
  }

  sending(
    peer: MessagePeer,
    type: number,
    message: Uint8Array,
    custom: boolean,
    maxLength: number,
  ): Uint8Array {
    const chain = this.encode;
    if (chain === undefined) return message;
    const call = this.encodeCall;
    call.destinationPeers = [this.info(peer)];
    setMessageArgs(call, type, message);
    runPre(chain, call, this.host, call.writeInfo);
    let sent = message;
    let value: bigint | undefined;
    if (custom) {
      this.output.reset(maxLength);
      call.output = this.output;
      value = runReplace(chain, call, this.host, call.writeInfo, anyValue);
      call.output = undefined;
      if (value === BigInt(EXIT_SUCCESS)) sent = this.written(call.pluglet!, type) ?? message;
    }
    runPost(chain, call, this.host, call.writeInfo, BigInt(sent !== message ? EXIT_SUCCESS : EXIT_FAILURE));
    return sent;
  }

  /** The message pluglet `p` wrote, if it is a whole message of `type`; else undefined and a fault. */
  private written(p: Pluglet, type: number): Uint8Array | undefined {
    const out = this.output;
    const n = out.writer === p ? out.length : 0;
    const b = out.bytes;
    let why: string | undefined;
    if (n < HEADER_LENGTH) why = `${n} bytes written, less than a header`;
    else if (!b.subarray(0, 16).every((x) => x === 0xff)) why = 'the marker is not all ones';
    else if (((b[16]! << 8) | b[17]!) !== n) why = `the header's length is not the ${n} bytes written`;
    else if (b[18] !== type) why = `type ${b[18]} instead of ${type}`;
    if (why === undefined) return b.slice(0, n);
    failed(
      p,
      { code: 'ERR_PLUGIN_BAD_MESSAGE', pc: -1, message: `not a message to send: ${why}` },
      this.host,
    );
    return undefined;
  }

  private info(peer: MessagePeer): PeerInfo {
    let i = this.infos.get(peer);
    if (i === undefined) this.infos.set(peer, (i = peerInfoOf(peer, this.local.asn, this.local.routerId)));
    return i;
  }
}

function setMessageArgs(call: Call, type: number, message: Uint8Array): void {
  const n = message.length;
  call.args.set(ArgType.ARG_BGP_MESSAGE, message);
  call.args.set(ArgType.ARG_LENGTH, Uint8Array.of(n & 0xff, n >>> 8)); // u16, the VM's order
  call.args.set(ArgType.ARG_TYPE, Uint8Array.of(type));
}

/** bgp_decode_message and bgp_encode_message for peer `peer`, or undefined when no pluglet is attached. */
export function messageHook(
  host: PluginHost,
  services: (plugin: Plugin) => PluginServices,
  local: { asn: number; routerId: number },
  peer: string,
): MessageHook | undefined {
  const decode = host.chain(DECODE_MESSAGE_POINT, peer);
  const encode = host.chain(ENCODE_MESSAGE_POINT, peer);
  if (decode === undefined && encode === undefined) return undefined;
  return new PeerMessages(decode, encode, host, local, services);
}

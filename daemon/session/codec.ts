// The session layer's view of the wire codec (daemon/wire): whole-message encode/decode for the
// messages a connection sends and receives, and the translation between the wire OPEN and the
// session's OpenSummary (negotiate.ts). No codec logic lives here, only adaptation.
import {
  decodeMessage,
  decodeUpdate,
  HEADER_LENGTH,
  encodeMessage,
  makeOpen,
  makeMultiprotocol,
  makeRouteRefreshCapability,
  makeEnhancedRouteRefreshCapability,
  makeExtendedMessageCapability,
  makeFourOctetAs,
  makeAddPathCapability,
  makeGracefulRestartCapability,
  makeNotification,
  makeRouteRefresh,
  KEEPALIVE,
  toNotification,
  PLAIN_CONTEXT,
  ErrorCode,
  HeaderSubcode,
  type Capability,
  type DecodeContext,
  type DecodeResult,
  type NotificationMessage,
  type OpenMessage,
  type RouteRefreshMessage,
  type UpdateMessage,
} from '../wire/index.js';
import type { NotificationSpec } from './fsm.js';
import type { OpenSummary } from './negotiate.js';

const EMPTY = new Uint8Array(0);
const keepaliveBytes = encodeMessage(KEEPALIVE);

/** OpenSummary -> wire OPEN capabilities, in the usual order. */
function capabilitiesOf(open: OpenSummary): Capability[] {
  const c = open.capabilities;
  const caps: Capability[] = c.multiprotocol.map((f) => makeMultiprotocol(f.afi, f.safi));
  if (c.routeRefresh) caps.push(makeRouteRefreshCapability());
  if (c.enhancedRouteRefresh) caps.push(makeEnhancedRouteRefreshCapability());
  if (c.extendedMessage) caps.push(makeExtendedMessageCapability());
  if (c.gracefulRestart) {
    const gr = c.gracefulRestart;
    caps.push(
      makeGracefulRestartCapability(
        gr.restarting ? 0x8 : 0,
        gr.restartTime,
        gr.families.map((f) => ({ afi: f.afi, safi: f.safi, flags: f.forwarding ? 0x80 : 0 })),
      ),
    );
  }
  if (c.fourOctetAs !== undefined) caps.push(makeFourOctetAs(c.fourOctetAs));
  if (c.addPath.length > 0) {
    caps.push(
      makeAddPathCapability(c.addPath.map((a) => ({ afi: a.afi, safi: a.safi, sendReceive: a.mode }))),
    );
  }
  return caps;
}

/** Wire OPEN -> OpenSummary (capabilities we do not use are ignored, RFC 5492 3). */
export function summarizeOpen(msg: OpenMessage): OpenSummary {
  const summary: OpenSummary = {
    version: msg.version,
    myAs: msg.myAs,
    holdTime: msg.holdTime,
    bgpId: msg.bgpId,
    capabilities: {
      multiprotocol: [],
      routeRefresh: false,
      enhancedRouteRefresh: false,
      extendedMessage: false,
      addPath: [],
    },
  };
  const c = summary.capabilities;
  for (const cap of msg.capabilities) {
    switch (cap.type) {
      case 'multiprotocol':
        c.multiprotocol.push({ afi: cap.afi, safi: cap.safi });
        break;
      case 'route-refresh':
        c.routeRefresh = true;
        break;
      case 'enhanced-route-refresh':
        c.enhancedRouteRefresh = true;
        break;
      case 'extended-message':
        c.extendedMessage = true;
        break;
      case 'four-octet-as':
        c.fourOctetAs = cap.asn;
        break;
      case 'add-path':
        for (const f of cap.families) c.addPath.push({ afi: f.afi, safi: f.safi, mode: f.sendReceive });
        break;
      case 'graceful-restart':
        c.gracefulRestart = {
          restarting: (cap.flags & 0x8) !== 0,
          restartTime: cap.restartTime,
          families: cap.families.map((f) => ({
            afi: f.afi,
            safi: f.safi,
            forwarding: (f.flags & 0x80) !== 0,
          })),
        };
        break;
      default:
        break;
    }
  }
  return summary;
}

export type OpenDecodeResult =
  { ok: true; open: OpenSummary } | { ok: false; notification: NotificationSpec; reason: string };

/** encodeMessage's options per UPDATE, made once. */
const EXTENDED = { extendedMessage: true } as const;
const NOT_EXTENDED = { extendedMessage: false } as const;

export const codec = {
  encodeOpen(open: OpenSummary): Uint8Array {
    return encodeMessage(
      makeOpen({
        myAs: open.myAs,
        holdTime: open.holdTime,
        bgpId: open.bgpId,
        capabilities: capabilitiesOf(open),
      }),
    );
  },

  decodeOpen(message: Uint8Array): OpenDecodeResult {
    const r = decodeMessage(message, PLAIN_CONTEXT);
    if (!r.ok) return { ok: false, notification: toNotification(r.error), reason: r.error.reason };
    if (r.message.type !== 'open')
      return {
        ok: false,
        notification: { code: ErrorCode.MessageHeader, subcode: HeaderSubcode.BadMessageType },
        reason: 'not an OPEN',
      };
    return { ok: true, open: summarizeOpen(r.message) };
  },

  encodeKeepalive(): Uint8Array {
    return keepaliveBytes;
  },

  encodeNotification(n: NotificationSpec): Uint8Array {
    return encodeMessage(makeNotification({ code: n.code, subcode: n.subcode, data: n.data ?? EMPTY }));
  },

  /** A NOTIFICATION never fails to decode (RFC 4271 6.4: no NOTIFICATION is sent about one). */
  decodeNotification(message: Uint8Array): NotificationMessage {
    const r = decodeMessage(message, PLAIN_CONTEXT);
    if (r.ok && r.message.type === 'notification') return r.message;
    return { type: 'notification', code: message[19] ?? 0, subcode: message[20] ?? 0, data: EMPTY };
  },

  encodeUpdate(update: UpdateMessage, extendedMessage: boolean): Uint8Array {
    return encodeMessage(update, extendedMessage ? EXTENDED : NOT_EXTENDED);
  },

  /** A whole UPDATE as the transport's framer cut it (its header checked there): the body decoded. */
  decodeUpdate(message: Uint8Array, ctx: DecodeContext): DecodeResult<UpdateMessage> {
    return decodeUpdate(message, ctx, HEADER_LENGTH);
  },

  encodeRouteRefresh(afi: number, safi: number, subtype = 0): Uint8Array {
    return encodeMessage(makeRouteRefresh(afi, safi, subtype));
  },

  decodeRouteRefresh(message: Uint8Array): DecodeResult<RouteRefreshMessage> {
    return decodeMessage(message, PLAIN_CONTEXT) as DecodeResult<RouteRefreshMessage>;
  },
};

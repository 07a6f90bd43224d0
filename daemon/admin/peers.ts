// The admin API's peer routes: GET /peers and /peers/{name} (state and since when, last error, negotiated
// capabilities, message and prefix counters), POST /peers/{name}/reset (hard, soft-in, soft-out),
// /shutdown (RFC 9003 message) and /enable, and each peer's Adj-RIB-In (pre or post policy) and
// Adj-RIB-Out per family.
import type { FastifyInstance } from 'fastify';
import type { Family } from '../config/types.js';
import { XbgpdError, errorCodes } from '../errors.js';
import type { ResetMode } from '../speaker.js';
import type { Session } from '../session/session.js';
import { attributesJson, attributesSchema, peerJson, peerSchema, type PeerTimes } from './describe.js';
import type { AdminContext } from './server.js';
import {
  InvalidField,
  errorResponses,
  familySchema,
  pageSchema,
  pagingQuery,
  peerParams,
} from './schemas.js';
import { formatKey, pathIdOf, rejectionOf } from '../rde/rib.js';
import { pageOf, type Page } from './paging.js';

const peerFamilyParams = {
  type: 'object',
  required: ['name', 'family'],
  additionalProperties: false,
  properties: { name: peerParams.properties.name, family: familySchema },
} as const;

const adjRibEntry = {
  type: 'object',
  required: ['prefix', 'attributes'],
  properties: {
    prefix: { type: 'string' },
    pathId: { type: 'integer' },
    rejected: { type: 'string', description: 'pre view: why import did not accept it' },
    attributes: attributesSchema,
  },
} as const;

/** RFC 9003: a shutdown communication is at most 255 octets of UTF-8 (checked again in bytes below). */
const messageSchema = { type: 'string', maxLength: 255 } as const;

export function peerRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const times = (): PeerTimes => ({ now: ctx.speaker.now(), wallNow: Date.now() });
  const sessionOf = (name: string): Session => {
    const s = ctx.speaker.session(name);
    if (s === undefined) throw new XbgpdError(errorCodes.ERR_BGP_UNKNOWN_PEER, `no peer named '${name}'`);
    return s;
  };

  app.get(
    '/peers',
    {
      schema: {
        summary: 'Every configured peer',
        tags: ['peers'],
        response: {
          200: {
            type: 'object',
            required: ['peers'],
            properties: { peers: { type: 'array', items: peerSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async () => {
      const counts = ctx.speaker.rde.prefixCounts();
      const t = times();
      return { peers: ctx.speaker.sessions().map((s) => peerJson(s, counts.get(s.peer.name), t, false)) };
    },
  );

  app.get(
    '/peers/:name',
    {
      schema: {
        summary: 'One peer, with its negotiated capabilities and message counters',
        tags: ['peers'],
        params: peerParams,
        response: { 200: peerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const session = sessionOf(name);
      return peerJson(session, ctx.speaker.rde.prefixCounts().get(name), times(), true);
    },
  );

  app.post(
    '/peers/:name/reset',
    {
      schema: {
        summary:
          'Reset a peer: hard (a new session), soft-in (import re-run on the kept routes), soft-out (resend)',
        tags: ['peers'],
        params: peerParams,
        body: {
          type: 'object',
          required: ['mode'],
          additionalProperties: false,
          properties: {
            mode: { type: 'string', enum: ['hard', 'soft-in', 'soft-out'] },
            message: { ...messageSchema, description: 'hard: the RFC 9003 shutdown communication' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['peer', 'mode'],
            properties: {
              peer: { type: 'string' },
              mode: { type: 'string' },
              changed: { type: 'integer', description: 'soft-in: paths whose import outcome changed' },
              queued: { type: 'integer', description: 'soft-out: prefixes queued to be sent again' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { mode, message } = request.body as { mode: ResetMode; message?: string };
      sessionOf(name);
      checkMessage(message);
      const n = await ctx.speaker.resetPeer(name, mode, message ?? '');
      if (mode === 'soft-in') return { peer: name, mode, changed: n };
      if (mode === 'soft-out') return { peer: name, mode, queued: n };
      return { peer: name, mode };
    },
  );

  app.post(
    '/peers/:name/shutdown',
    {
      schema: {
        summary: 'Stop a peer with CEASE / Administrative Shutdown; it stays down until enabled',
        tags: ['peers'],
        params: peerParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { message: { ...messageSchema, description: 'RFC 9003 shutdown communication' } },
        },
        response: { 200: peerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const message = (request.body as { message?: string } | null | undefined)?.message;
      const session = sessionOf(name);
      checkMessage(message);
      await ctx.speaker.shutdownPeer(name, message ?? '');
      return peerJson(session, undefined, times(), false);
    },
  );

  app.post(
    '/peers/:name/enable',
    {
      schema: {
        summary: 'Start a peer that was shut down through the API',
        tags: ['peers'],
        params: peerParams,
        response: { 200: peerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const session = sessionOf(name);
      ctx.speaker.enablePeer(name);
      return peerJson(session, undefined, times(), false);
    },
  );

  app.get(
    '/peers/:name/adj-rib-in/:family',
    {
      schema: {
        summary: "A peer's Adj-RIB-In: pre-policy (every path, rejected ones with why) or post-policy",
        tags: ['rib'],
        params: peerFamilyParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { view: { type: 'string', enum: ['pre', 'post'], default: 'post' }, ...pagingQuery },
        },
        response: { 200: pageSchema(adjRibEntry), ...errorResponses },
      },
    },
    async (request) => {
      const { name, family } = request.params as { name: string; family: Family };
      const q = request.query as { view: 'pre' | 'post'; limit: number; cursor?: string };
      sessionOf(name);
      const rows: { key: number | string; row: Record<string, unknown> }[] = [];
      const rib = ctx.speaker.rde.ribs[family];
      for (const d of rib.all()) {
        for (let p = d.first; p !== undefined; p = p.next) {
          if (p.peer.local || p.peer.name !== name) continue;
          if (q.view === 'post' && p.attrs === null) continue;
          const key = rib.keyOf(d);
          const row: Record<string, unknown> = { prefix: formatKey(key) };
          const pathId = pathIdOf(p);
          const rejected = rejectionOf(p);
          if (pathId !== 0) row.pathId = pathId;
          if (q.view === 'pre' && rejected !== undefined) row.rejected = rejected;
          row.attributes = attributesJson(q.view === 'pre' ? p.pre : p.attrs!);
          rows.push({ key, row });
        }
      }
      return pageJson(family, pageOf(rows, family, q.cursor, q.limit));
    },
  );

  app.get(
    '/peers/:name/adj-rib-out/:family',
    {
      schema: {
        summary: "A peer's Adj-RIB-Out: what it is sent (attributes as exported, before per-peer encoding)",
        tags: ['rib'],
        params: peerFamilyParams,
        querystring: { type: 'object', additionalProperties: false, properties: { ...pagingQuery } },
        response: { 200: pageSchema(adjRibEntry), ...errorResponses },
      },
    },
    async (request) => {
      const { name, family } = request.params as { name: string; family: Family };
      const q = request.query as { limit: number; cursor?: string };
      sessionOf(name);
      const entries = ctx.speaker.rde.adjRibOut(name, family) ?? [];
      const rows = entries.map((e) => ({
        key: e.key,
        row: { prefix: formatKey(e.key), attributes: attributesJson(e.attrs) } as Record<string, unknown>,
      }));
      return pageJson(family, pageOf(rows, family, q.cursor, q.limit));
    },
  );
}

function pageJson(family: Family, page: Page<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { family, entries: page.entries };
  if (page.next !== undefined) out.next = page.next;
  return out;
}

/** RFC 9003 2: the shutdown communication is at most 255 octets of UTF-8. */
function checkMessage(message: string | undefined): void {
  if (message !== undefined && Buffer.byteLength(message, 'utf8') > 255)
    throw new InvalidField('body.message', 'must be at most 255 octets of UTF-8 (RFC 9003)');
}

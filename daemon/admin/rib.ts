// The admin API's Loc-RIB routes: GET /rib/{family} (best paths, filtered by prefix with exact, longer or
// shorter match and by the peer they came from, paged with a cursor, each with its decoded attributes and
// the decision step that chose it) and GET /rib/{family}/{prefix} (every candidate path of one prefix and
// why each lost: the decision step at which the best beat it, or why it is not a candidate).
import type { FastifyInstance } from 'fastify';
import type { Family } from '../config/types.js';
import { XbgpdError, errorCodes } from '../errors.js';
import { formatKey, pathIdOf, type Destination, type PrefixKey } from '../rde/rib.js';
import { attributesJson, attributesSchema, pathPeer } from './describe.js';
import type { AdminContext } from './server.js';
import { errorResponses, familySchema, pageSchema, pagingQuery } from './schemas.js';
import { covers, pageOf, prefixParam } from './paging.js';

const decisionReasons = [
  'only-path',
  'plugin',
  'next-hop-reachable',
  'local-pref',
  'as-path-length',
  'origin',
  'med',
  'ebgp-over-ibgp',
  'igp-cost',
  'cluster-list-length',
  'router-id',
  'peer-address',
] as const;

const bestEntry = {
  type: 'object',
  required: ['prefix', 'peer', 'reason', 'paths', 'attributes'],
  properties: {
    prefix: { type: 'string' },
    peer: { type: 'string', description: "the peer the best path came from; '(local)' for our own routes" },
    pathId: { type: 'integer' },
    reason: { type: 'string', enum: [...decisionReasons], description: 'the decision step that chose it' },
    paths: { type: 'integer', description: 'candidate paths for the prefix' },
    attributes: attributesSchema,
  },
} as const;

const candidate = {
  type: 'object',
  required: ['peer', 'best', 'attributes'],
  properties: {
    peer: { type: 'string' },
    pathId: { type: 'integer' },
    best: { type: 'boolean' },
    reason: { type: 'string', enum: [...decisionReasons], description: 'best: the step that chose it' },
    lostAt: {
      type: 'string',
      enum: [...decisionReasons, 'unreachable', 'not-selected'],
      description: 'the decision step at which the best path beat it',
    },
    rejected: {
      type: 'string',
      enum: ['as-loop', 'policy', 'no-policy', 'plugin'],
      description: 'not a candidate: why import did not accept it',
    },
    attributes: { ...attributesSchema, description: 'post-policy (pre-policy when rejected)' },
  },
} as const;

export function ribRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get(
    '/rib/:family',
    {
      schema: {
        summary: 'Best paths (the Loc-RIB), with the decision step that chose each',
        tags: ['rib'],
        params: {
          type: 'object',
          required: ['family'],
          additionalProperties: false,
          properties: { family: familySchema },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            prefix: { type: 'string', maxLength: 64, description: 'ADDRESS/LENGTH' },
            match: {
              type: 'string',
              enum: ['exact', 'longer', 'shorter'],
              default: 'exact',
              description: 'with prefix: that prefix, the prefixes within it, or those covering it',
            },
            peer: { type: 'string', maxLength: 128, description: 'best paths from this peer only' },
            ...pagingQuery,
          },
        },
        response: { 200: pageSchema(bestEntry), ...errorResponses },
      },
    },
    async (request) => {
      const { family } = request.params as { family: Family };
      const q = request.query as {
        prefix?: string;
        match: 'exact' | 'longer' | 'shorter';
        peer?: string;
        limit: number;
        cursor?: string;
      };
      const rib = ctx.speaker.rde.ribs[family];
      if (q.peer !== undefined && q.peer !== '(local)' && ctx.speaker.session(q.peer) === undefined)
        throw new XbgpdError(errorCodes.ERR_BGP_UNKNOWN_PEER, `no peer named '${q.peer}'`);
      let candidates: Iterable<Destination>;
      const wanted = q.prefix === undefined ? undefined : prefixParam(q.prefix, family, 'query.prefix');
      if (wanted !== undefined && q.match === 'exact') {
        const d = rib.get(wanted);
        candidates = d === undefined ? [] : [d];
      } else candidates = rib.all();
      const rows: { key: PrefixKey; row: Record<string, unknown> }[] = [];
      for (const d of candidates) {
        const best = d.best;
        if (best?.attrs == null) continue;
        if (q.peer !== undefined && pathPeer(best) !== q.peer) continue;
        const key = rib.keyOf(d);
        if (wanted !== undefined && q.match === 'longer' && !covers(wanted, key)) continue;
        if (wanted !== undefined && q.match === 'shorter' && !covers(key, wanted)) continue;
        let paths = 0;
        for (let p = d.first; p !== undefined; p = p.next) paths++;
        const row: Record<string, unknown> = { prefix: formatKey(key), peer: pathPeer(best) };
        const pathId = pathIdOf(best);
        if (pathId !== 0) row.pathId = pathId;
        row.reason = rib.reasonOf(d) ?? 'only-path';
        row.paths = paths;
        row.attributes = attributesJson(best.attrs);
        rows.push({ key, row });
      }
      const page = pageOf(rows, family, q.cursor, q.limit);
      return { family, entries: page.entries, ...(page.next !== undefined ? { next: page.next } : {}) };
    },
  );

  app.get(
    '/rib/:family/:prefix',
    {
      schema: {
        summary: 'Every candidate path of one prefix (its / URL-encoded) and why each lost',
        tags: ['rib'],
        params: {
          type: 'object',
          required: ['family', 'prefix'],
          additionalProperties: false,
          properties: {
            family: familySchema,
            prefix: { type: 'string', maxLength: 64, description: 'ADDRESS/LENGTH, the / as %2F' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['family', 'prefix', 'paths'],
            properties: {
              family: familySchema,
              prefix: { type: 'string' },
              reason: { type: 'string', enum: [...decisionReasons] },
              paths: { type: 'array', items: candidate },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { family, prefix } = request.params as { family: Family; prefix: string };
      const key = prefixParam(prefix, family, 'params.prefix');
      const explained = ctx.speaker.rde.explain(family, key);
      if (explained === undefined || explained.length === 0)
        throw new XbgpdError(errorCodes.ERR_API_NOT_FOUND, `no path for ${formatKey(key)} in ${family}`);
      const rib = ctx.speaker.rde.ribs[family];
      const d = rib.get(key)!;
      const paths = explained.map(({ path, verdict }) => {
        const row: Record<string, unknown> = { peer: pathPeer(path) };
        const pathId = pathIdOf(path);
        if (pathId !== 0) row.pathId = pathId;
        row.best = verdict.best;
        if (verdict.best) row.reason = verdict.reason;
        else if ('rejected' in verdict) row.rejected = verdict.rejected;
        else row.lostAt = verdict.lostAt;
        row.attributes = attributesJson(path.attrs ?? path.pre);
        return row;
      });
      const out: Record<string, unknown> = { family, prefix: formatKey(key), paths };
      const reason = rib.reasonOf(d);
      if (d.best?.attrs && reason !== undefined) out.reason = reason;
      return out;
    },
  );
}

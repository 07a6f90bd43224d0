// The admin API's daemon-wide routes: GET /status (identity, uptime, counts, memory), POST /config/reload
// (as SIGHUP: the answer says what changed, or every problem of the file), GET /openapi.json (the
// document @fastify/swagger generates from every route's schemas).
import type { FastifyInstance } from 'fastify';
import { allFamilies } from '../config/types.js';
import { XbgpdError, errorCodes } from '../errors.js';
import type { AdminContext } from './server.js';
import { errorResponses } from './schemas.js';

const familyCounts = {
  type: 'object',
  required: ['prefixes', 'paths'],
  properties: { prefixes: { type: 'integer' }, paths: { type: 'integer' } },
} as const;

const statusSchema = {
  type: 'object',
  required: [
    'routerId',
    'asn',
    'version',
    'startedAt',
    'uptimeSeconds',
    'peers',
    'rib',
    'attributeSets',
    'plugins',
    'memory',
  ],
  properties: {
    routerId: { type: 'string' },
    asn: { type: 'integer' },
    version: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    uptimeSeconds: { type: 'integer' },
    peers: {
      type: 'object',
      required: ['configured', 'established'],
      properties: { configured: { type: 'integer' }, established: { type: 'integer' } },
    },
    rib: {
      type: 'object',
      description: 'per family: destinations and Adj-RIB-In paths',
      properties: Object.fromEntries(allFamilies.map((f) => [f, familyCounts])),
    },
    attributeSets: { type: 'integer', description: 'distinct attribute sets interned' },
    plugins: {
      type: 'object',
      required: ['loaded', 'pluglets'],
      properties: { loaded: { type: 'integer' }, pluglets: { type: 'integer' } },
    },
    memory: {
      type: 'object',
      required: ['rss', 'heapUsed', 'heapTotal', 'external'],
      properties: {
        rss: { type: 'integer' },
        heapUsed: { type: 'integer' },
        heapTotal: { type: 'integer' },
        external: { type: 'integer' },
      },
    },
  },
} as const;

const summarySchema = {
  type: 'object',
  properties: Object.fromEntries([
    ...[
      'added',
      'removed',
      'changed',
      'policyChanged',
      'unchanged',
      'listenersAdded',
      'listenersRemoved',
    ].map((k) => [k, { type: 'array', items: { type: 'string' } }]),
    ['originateChanged', { type: 'boolean' }],
    ['pluginsChanged', { type: 'boolean' }],
  ]),
};

export function systemRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get(
    '/status',
    {
      schema: {
        summary: 'The daemon: identity, uptime, peer and RIB counts, plugins, memory',
        tags: ['daemon'],
        response: { 200: statusSchema, ...errorResponses },
      },
    },
    async () => {
      const { speaker } = ctx;
      const rde = speaker.rde;
      const rib: Record<string, { prefixes: number; paths: number }> = {};
      for (const f of allFamilies) {
        let paths = 0;
        for (const d of rde.ribs[f].all()) for (let p = d.first; p !== undefined; p = p.next) paths++;
        rib[f] = { prefixes: rde.ribs[f].size, paths };
      }
      const sessions = speaker.sessions();
      const uptimeMs = speaker.now() - speaker.startedAt;
      const mem = process.memoryUsage();
      return {
        routerId: speaker.local.routerId,
        asn: speaker.local.asn,
        version: ctx.version,
        startedAt: new Date(Date.now() - uptimeMs).toISOString(),
        uptimeSeconds: Math.floor(uptimeMs / 1000),
        peers: {
          configured: sessions.length,
          established: sessions.filter((s) => s.state === 'Established').length,
        },
        rib,
        attributeSets: rde.store.size,
        plugins: {
          loaded: speaker.plugins?.plugins.length ?? 0,
          pluglets: speaker.plugins?.pluglets().length ?? 0,
        },
        memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external },
      };
    },
  );

  app.post(
    '/config/reload',
    {
      schema: {
        summary: 'Read the configuration file again and apply it, as SIGHUP does',
        description:
          'With soft: true, peers whose policy alone changed keep the running policy until a soft reset.',
        tags: ['daemon'],
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { soft: { type: 'boolean', default: false } },
        },
        response: {
          200: {
            type: 'object',
            required: ['ok', 'summary'],
            properties: { ok: { type: 'boolean' }, summary: summarySchema },
          },
          422: { $ref: 'ApiError#' },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      if (ctx.reloader === undefined)
        throw new XbgpdError(
          errorCodes.ERR_API_CONFLICT,
          'this daemon was not started from a configuration file',
        );
      const body = request.body as { soft?: boolean } | null | undefined;
      const outcome = await ctx.reloader.reload({ soft: body?.soft === true });
      if (!outcome.ok) {
        const err = new XbgpdError(
          errorCodes.ERR_API_RELOAD,
          `reload rejected, nothing changed: ${outcome.problems.length} problem(s)`,
        );
        throw Object.assign(err, { problems: outcome.problems });
      }
      return { ok: true, summary: outcome.summary };
    },
  );

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This OpenAPI 3 document',
        tags: ['daemon'],
        response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
      },
    },
    async () => app.swagger(),
  );
}

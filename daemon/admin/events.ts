// GET /api/v1/events: a server-sent event stream of what the speaker tells (Speaker.events): peer state
// changes and sessions going down, plugin faults and plugins disabled, configuration reloads, and, asked
// with a prefix filter, best-path changes within it. Listeners are added per open stream and removed
// when it closes, so nothing is done for events nobody watches (the RDE reports best paths only while a
// stream asks for them: Speaker.watchBest).
import type { FastifyInstance } from 'fastify';
import type { SpeakerEvents } from '../speaker.js';
import type { AdminContext } from './server.js';
import { InvalidField, errorResponses } from './schemas.js';
import { covers, prefixParam } from './paging.js';
import { allFamilies, type Family } from '../config/types.js';
import type { PrefixKey } from '../rde/rib.js';

/** Stream event names per `types` value. */
const kinds = {
  peer: ['peer-state', 'peer-down'],
  plugin: ['plugin'],
  reload: ['reload'],
  best: ['best'],
} as const satisfies Record<string, readonly (keyof SpeakerEvents)[]>;

/** A comment line this often keeps proxies and idle timeouts from closing a quiet stream (ms). */
const KEEPALIVE_MS = 15_000;

export function eventRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get(
    '/events',
    {
      schema: {
        summary: 'Server-sent events: peer-state, peer-down, plugin, reload (each data line one JSON object)',
        tags: ['daemon'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            types: {
              type: 'array',
              items: { type: 'string', enum: Object.keys(kinds) },
              description: 'which kinds (repeat the parameter); default all but best',
            },
            prefix: {
              type: 'string',
              maxLength: 64,
              description: 'best: the prefixes within this one (required with types=best)',
            },
            family: { type: 'string', enum: [...allFamilies], default: 'ipv4-unicast' },
          },
        },
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    (request, reply) => {
      const q = request.query as { types?: (keyof typeof kinds)[]; prefix?: string; family: Family };
      const types = q.types ?? (['peer', 'plugin', 'reload'] as const);
      const names: string[] = types.flatMap((t) => [...kinds[t]]);
      let within: PrefixKey | undefined;
      if (types.includes('best')) {
        // Best-path changes only for the prefixes asked about: a full table must not stream by.
        if (q.prefix === undefined) throw new InvalidField('query.prefix', 'is required with types=best');
        within = prefixParam(q.prefix, q.family, 'query.prefix');
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(': xbgpd events\n\n');
      const events = ctx.speaker.events;
      const handlers = names.map((name) => {
        const handler = (data: unknown): void => {
          if (name === 'best') {
            const { key, ...best } = data as SpeakerEvents['best'][0];
            if (best.family !== q.family || !covers(within!, key)) return;
            data = best;
          }
          res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        events.on(name, handler as never);
        return [name, handler] as const;
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      const unwatch = within === undefined ? undefined : ctx.speaker.watchBest();
      const close = (): void => {
        unwatch?.();
        clearInterval(keepalive);
        for (const [name, handler] of handlers) events.off(name, handler as never);
      };
      request.raw.on('close', close);
      res.on('close', close);
    },
  );
}

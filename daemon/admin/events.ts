// GET /api/v1/events: a server-sent event stream of what the speaker tells (Speaker.events): peer state
// changes and sessions going down, plugin faults and plugins disabled, configuration reloads. Listeners
// are added per open stream and removed when it closes, so nothing is done for events nobody watches.
import type { FastifyInstance } from 'fastify';
import type { SpeakerEvents } from '../speaker.js';
import type { AdminContext } from './server.js';
import { errorResponses } from './schemas.js';

/** Stream event names per `types` value. */
const kinds = {
  peer: ['peer-state', 'peer-down'],
  plugin: ['plugin'],
  reload: ['reload'],
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
              description: 'which kinds (repeat or comma-free list); default all',
            },
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
      const { types } = request.query as { types?: (keyof typeof kinds)[] };
      const names = (types ?? (Object.keys(kinds) as (keyof typeof kinds)[])).flatMap((t) => kinds[t]);
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
          res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        events.on(name, handler as never);
        return [name, handler] as const;
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      const close = (): void => {
        clearInterval(keepalive);
        for (const [name, handler] of handlers) events.off(name, handler as never);
      };
      request.raw.on('close', close);
      res.on('close', close);
    },
  );
}

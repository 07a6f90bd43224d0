// The admin API: a Fastify server under /api/v1 (and /metrics), started by xbgpd when the configuration has
// an `admin` section. Every request needs `Authorization: Bearer TOKEN` (compared in constant time, auth.ts),
// except /metrics with `public-metrics`; every route declares JSON schemas for its parameters, query, body
// and answers, from which @fastify/swagger generates the OpenAPI 3 document at /api/v1/openapi.json. Bad
// input is answered 400 with the field at fault and changes nothing; every error carries a stable code.
// Nothing here runs unless a request arrives: the routes read the speaker's state when asked.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import multipart from '@fastify/multipart';
import type { Speaker } from '../speaker.js';
import type { ConfigReloader } from '../reload.js';
import type { Logger } from '../log.js';
import type { AdminConfig } from '../config/types.js';
import { XbgpdError, errorCodes, isXbgpdError } from '../errors.js';
import { adminToken, bearerChecker } from './auth.js';
import { errorSchema, httpStatus, InvalidField } from './schemas.js';
import { systemRoutes } from './system.js';
import { peerRoutes } from './peers.js';
import { ribRoutes } from './rib.js';
import { eventRoutes } from './events.js';
import { metricsRoute } from './metrics.js';
import { pluginRoutes } from './plugins.js';

/** What the routes act on. */
export interface AdminContext {
  speaker: Speaker;
  /** Configuration reloads (undefined: the daemon was not started from a file; reload answers 409). */
  reloader?: ConfigReloader | undefined;
  log: Logger;
  /** xbgpd's version, for the status and the OpenAPI document. */
  version: string;
  /** Where plugins loaded over the API are kept (`admin.state-dir`). */
  stateDir: string;
}

export interface AdminAuth {
  /** The bearer token; undefined: none required (loopback only, see auth.ts). */
  token: string | undefined;
  /** /metrics answers without the token. */
  publicMetrics: boolean;
}

export const API_PREFIX = '/api/v1';

/** The Fastify application with every route, not listening (tests use `inject`). */
export async function buildAdminApp(
  ctx: AdminContext,
  auth: AdminAuth,
  serverOptions: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // Open event streams must not hold the server open at shutdown.
    forceCloseConnections: true,
    // Bad input is refused, never altered: no removal of unknown keys, no coercion of bodies.
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: 'array' } },
    ...serverOptions,
  });
  app.addSchema(errorSchema);
  // Plugin uploads: a manifest and its objects (limits well above any plugin's).
  await app.register(multipart, { limits: { fileSize: 16 * 1024 * 1024, files: 64, fields: 8 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'xbgpd admin API',
        version: ctx.version,
        description: 'Peers, RIBs, configuration reloads and events of a running xbgpd.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  const authorized = bearerChecker(auth.token);
  app.addHook('onRequest', async (request, reply) => {
    if (auth.publicMetrics && request.url.split('?')[0] === '/metrics') return;
    if (authorized(request.headers.authorization)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="xbgpd"')
      .send({ code: errorCodes.ERR_API_UNAUTHORIZED, message: 'missing or wrong bearer token' });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) {
      const { field, message } = validationField(error);
      return reply
        .code(400)
        .send({ code: errorCodes.ERR_API_INVALID, message: `${field}: ${message}`, field });
    }
    if (error instanceof InvalidField)
      return reply.code(400).send({ code: error.code, message: error.message, field: error.field });
    if (isXbgpdError(error)) {
      const extra = error as XbgpdError & { problems?: unknown; vmCode?: unknown; pc?: unknown };
      const body: Record<string, unknown> = { code: error.code, message: error.message };
      if (Array.isArray(extra.problems)) body.problems = extra.problems.map(String);
      if (typeof extra.vmCode === 'string') body.vmCode = extra.vmCode;
      if (typeof extra.pc === 'number') body.pc = extra.pc;
      return reply.code(httpStatus(error.code)).send(body);
    }
    const status = error.statusCode ?? 500;
    if (status < 500)
      // Fastify's own refusals: malformed JSON, a wrong content type, a body too large.
      return reply
        .code(status)
        .send({ code: errorCodes.ERR_API_INVALID, message: error.message, field: 'body' });
    ctx.log.error({ err: error, url: request.url }, 'admin api internal error');
    return reply.code(500).send({ code: errorCodes.ERR_API_INTERNAL, message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ code: errorCodes.ERR_API_NOT_FOUND, message: `no route ${request.method} ${request.url}` }),
  );

  await app.register(
    async (api) => {
      systemRoutes(api, ctx);
      peerRoutes(api, ctx);
      ribRoutes(api, ctx);
      eventRoutes(api, ctx);
      pluginRoutes(api, ctx);
    },
    { prefix: API_PREFIX },
  );
  metricsRoute(app, ctx);
  await app.ready();
  return app;
}

/** `body.mode`, `query.limit`, `params.family` and ajv's message, from a validation error. */
function validationField(error: FastifyError): { field: string; message: string } {
  const v = error.validation![0]!;
  const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  const segments = v.instancePath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = v.params as Record<string, unknown>;
  if (v.keyword === 'required') segments.push(String(params.missingProperty));
  if (v.keyword === 'additionalProperties') segments.push(String(params.additionalProperty));
  const field = [where, ...segments].join('.');
  let message = v.message ?? 'is invalid';
  if (v.keyword === 'additionalProperties') message = 'unknown field';
  if (v.keyword === 'required') message = 'is required';
  if (v.keyword === 'enum') message = `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
  return { field, message };
}

/** A listening admin API. */
export interface AdminServer {
  readonly app: FastifyInstance;
  readonly address: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Check the settings (auth.ts: ERR_ADMIN_CONFIG), read the TLS files, build the app and listen
 * (ERR_ADMIN_LISTEN when the address cannot be bound).
 */
export async function startAdmin(
  ctx: Omit<AdminContext, 'stateDir'> & { stateDir?: string },
  config: AdminConfig,
): Promise<AdminServer> {
  const token = adminToken(config);
  const context: AdminContext = { ...ctx, stateDir: config.stateDir };
  let https: { cert: Buffer; key: Buffer } | undefined;
  if (config.tls !== undefined) {
    try {
      https = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
    } catch (err) {
      throw new XbgpdError(errorCodes.ERR_ADMIN_CONFIG, `admin.tls: ${(err as Error).message}`);
    }
  }
  const app = await buildAdminApp(
    context,
    { token, publicMetrics: config.publicMetrics },
    https === undefined ? {} : ({ https } as FastifyServerOptions),
  );
  try {
    await app.listen({ host: config.address, port: config.port });
  } catch (err) {
    await app.close();
    throw new XbgpdError(
      errorCodes.ERR_ADMIN_LISTEN,
      `cannot listen on ${config.address} port ${config.port}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : config.port;
  const host = config.address.includes(':') ? `[${config.address}]` : config.address;
  const url = `${https === undefined ? 'http' : 'https'}://${host}:${port}`;
  if (token === undefined)
    ctx.log.warn(
      { address: config.address },
      'admin api without a token (loopback only): anyone on this host may use it',
    );
  ctx.log.info({ url, tls: https !== undefined, publicMetrics: config.publicMetrics }, 'admin api listening');
  return { app, address: config.address, port, url, close: () => app.close() };
}

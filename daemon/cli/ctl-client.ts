// How xbgpctl reaches a running xbgpd's admin API: where it is (`--url`, XBGPD_URL, or the `admin`
// section of a configuration file given with `-c`), the token (`--token`, XBGPD_TOKEN, or the section's
// `token` / `token-file`), and one JSON request (node:http / node:https; a TLS certificate named by the
// configuration is trusted as its own authority, for self-signed certificates). Each failure maps to an
// exit status of its own (`exitCodes`), so scripts can tell what went wrong.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';

/** xbgpctl's exit statuses for the API commands. */
export const exitCodes = {
  ok: 0,
  /** Anything else: an unexpected answer. */
  failed: 1,
  /** The command line was not understood. */
  usage: 2,
  /** No daemon answered at the URL (connection refused, timeout, TLS failure). */
  unreachable: 3,
  /** 401: no token, or a wrong one. */
  unauthorized: 4,
  /** 404: no such peer, prefix or route. */
  notFound: 5,
  /** 400 or 422: the request (or the configuration file, on reload) is invalid. */
  invalid: 6,
  /** 409: not possible now (a soft reset of a peer that is not Established...). */
  conflict: 7,
  /** 5xx: the daemon failed. */
  server: 8,
} as const;

export class CtlError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'CtlError';
  }
}

export interface Target {
  url: string;
  token?: string;
  /** A CA certificate (PEM) to trust, from the configuration's `admin.tls.cert`. */
  ca?: Buffer;
  /** Accept any TLS certificate (`-k`). */
  insecure?: boolean;
}

export interface TargetOptions {
  url?: string;
  token?: string;
  config?: string;
  insecure?: boolean;
}

/** The daemon and token from the flags, then the environment, then the configuration file. */
export async function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv): Promise<Target> {
  let url = options.url ?? env.XBGPD_URL;
  let token = options.token ?? env.XBGPD_TOKEN;
  let ca: Buffer | undefined;
  if (options.config !== undefined) {
    const loaded = await loadConfigFile(options.config);
    if (!loaded.ok)
      throw new CtlError(
        exitCodes.usage,
        `${options.config}: ${loaded.issues.map((i) => i.message).join('; ')}`,
      );
    const admin = loaded.config.admin;
    if (admin === undefined) throw new CtlError(exitCodes.usage, `${options.config} has no admin section`);
    const host = admin.address === '0.0.0.0' ? '127.0.0.1' : admin.address === '::' ? '::1' : admin.address;
    url ??= `${admin.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${admin.port}`;
    if (token === undefined && admin.tokenFile !== undefined)
      token = readFileSync(admin.tokenFile, 'utf8').trim();
    token ??= admin.token;
    if (admin.tls !== undefined) ca = readFileSync(admin.tls.cert);
  }
  if (url === undefined)
    throw new CtlError(
      exitCodes.usage,
      'where is xbgpd? give --url URL, XBGPD_URL, or -c CONFIG with an admin section',
    );
  const target: Target = { url: url.replace(/\/+$/, '') };
  if (token !== undefined) target.token = token;
  if (ca !== undefined) target.ca = ca;
  if (options.insecure === true) target.insecure = true;
  return target;
}

export interface Answer {
  status: number;
  body: any;
}

/** One request; resolves with any HTTP answer, rejects with CtlError(unreachable) when there is none. */
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A body sent as it is (multipart uploads), instead of JSON. */
export interface RawBody {
  raw: Buffer;
  contentType: string;
}

export function request(target: Target, method: Method, path: string, body?: unknown): Promise<Answer> {
  const url = new URL(target.url + path);
  const raw = body as RawBody | undefined;
  const isRaw = typeof raw === 'object' && raw !== null && Buffer.isBuffer(raw.raw);
  const payload = body === undefined ? undefined : isRaw ? raw.raw : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  if (payload !== undefined) headers['content-type'] = isRaw ? raw.contentType : 'application/json';
  const client = url.protocol === 'https:' ? https : http;
  const options: https.RequestOptions = { method, headers, timeout: 30_000 };
  if (target.ca !== undefined) options.ca = target.ca;
  if (target.insecure === true) options.rejectUnauthorized = false;
  return new Promise((resolve, reject) => {
    const req = client.request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        if (String(res.headers['content-type'] ?? '').includes('json')) {
          try {
            parsed = JSON.parse(text);
          } catch {
            // left as text
          }
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (err) =>
      reject(new CtlError(exitCodes.unreachable, `cannot reach ${target.url}: ${err.message}`)),
    );
    req.end(payload);
  });
}

/** The answer's body, or CtlError with the exit status of its HTTP status and the API's message. */
export async function call(target: Target, method: Method, path: string, body?: unknown): Promise<any> {
  const answer = await request(target, method, path, body);
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const b = answer.body as { code?: string; message?: string; problems?: string[] } | string;
  const text =
    typeof b === 'object' && b !== null
      ? [`${b.code ?? answer.status}: ${b.message ?? ''}`, ...(b.problems ?? []).map((p) => `  ${p}`)].join(
          '\n',
        )
      : `HTTP ${answer.status}: ${String(b)}`;
  const code =
    answer.status === 401
      ? exitCodes.unauthorized
      : answer.status === 404
        ? exitCodes.notFound
        : answer.status === 400 || answer.status === 422
          ? exitCodes.invalid
          : answer.status === 409
            ? exitCodes.conflict
            : answer.status >= 500
              ? exitCodes.server
              : exitCodes.failed;
  throw new CtlError(code, text, answer.body);
}

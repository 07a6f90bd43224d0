// The admin API's plugin routes, on the speaker's in-place plugin API (Speaker.applyPlugins,
// dryRunPlugins, reenablePlugin): GET /insertion-points; GET /plugins and /plugins/{name} (pluglets,
// points, anchors, seq, peers, statistics); POST /plugins (a manifest and its objects as
// multipart/form-data, kept in the state directory, loaded, verified and attached at once, or 422 with
// the VM's error code and pc and nothing changed; `?dry-run=true` only answers what it would change);
// PATCH /plugins/{name} (enabled, seq, peers, extra configuration); DELETE /plugins/{name};
// POST /plugins/{name}/stats/reset; POST /plugins/{name}/dry-run. No change ever resets a session: the
// speaker re-evaluates the routes the plugins touch and sends peers only the differences.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { POINTS } from '../../xbgp-api/index.js';
import { XbgpdError, errorCodes } from '../errors.js';
import type { PluginEntry } from '../plugins/host.js';
import { parseExtraConf, formatExtraConfError } from '../plugins/extra-conf.js';
import { PluginLoadFailure } from '../speaker.js';
import type { AdminContext } from './server.js';
import { InvalidField, errorResponses } from './schemas.js';

const nameParams = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } },
} as const;

const statsSchema = {
  type: 'object',
  required: ['calls', 'faults', 'instructions', 'timeNs'],
  properties: {
    calls: { type: 'integer' },
    faults: { type: 'integer' },
    instructions: { type: 'integer' },
    timeNs: { type: 'integer' },
    returns: { type: 'object', additionalProperties: { type: 'integer' }, description: 'value -> count' },
  },
} as const;

const pluginSchema = {
  type: 'object',
  required: ['name', 'enabled', 'disabledByFaults', 'source', 'pluglets', 'stats'],
  properties: {
    name: { type: 'string' },
    enabled: { type: 'boolean', description: 'attached (false: loaded and verified, attached nowhere)' },
    disabledByFaults: {
      type: 'boolean',
      description: 'disabled past its fault limit; PATCH enabled: true re-enables',
    },
    peers: { type: 'array', items: { type: 'string' }, description: 'absent: every peer' },
    source: { type: 'string', enum: ['config', 'api'] },
    manifest: { type: 'string' },
    stats: statsSchema,
    pluglets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'point', 'anchor', 'seq', 'stats'],
        properties: {
          name: { type: 'string' },
          point: { type: 'string' },
          anchor: { type: 'string', enum: ['pre', 'replace', 'post'] },
          seq: { type: 'integer' },
          stats: statsSchema,
        },
      },
    },
  },
} as const;

const changeBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    seq: { type: 'object', additionalProperties: { type: 'integer', minimum: 0, maximum: 1000000 } },
    peers: {
      type: ['array', 'null'],
      items: { type: 'string', minLength: 1 },
      description: 'the peers it applies to; null: every peer',
    },
    conf: { type: 'object', description: 'typed extra configuration ({key: {type_arg, arg}})' },
  },
} as const;

const dryRunSchema = {
  type: 'object',
  required: ['destinations', 'imported', 'bestChanged', 'exported', 'changes', 'truncated'],
  properties: {
    destinations: { type: 'integer' },
    imported: {
      type: 'object',
      properties: {
        rejected: { type: 'integer' },
        accepted: { type: 'integer' },
        modified: { type: 'integer' },
      },
    },
    bestChanged: { type: 'integer' },
    exported: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          announced: { type: 'integer' },
          withdrawn: { type: 'integer' },
          modified: { type: 'integer' },
        },
      },
    },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          stage: { type: 'string' },
          family: { type: 'string' },
          prefix: { type: 'string' },
          peer: { type: 'string' },
          change: { type: 'string' },
        },
      },
    },
    truncated: { type: 'boolean' },
    notSimulated: { type: 'array', items: { type: 'string' } },
  },
} as const;

const appliedSchema = {
  type: 'object',
  required: ['plugin', 'reimported', 'redecided', 'resent'],
  properties: {
    plugin: { type: 'string' },
    reimported: { type: 'integer', description: 'paths whose import outcome changed' },
    redecided: { type: 'integer', description: 'destinations decided again' },
    resent: { type: 'integer', description: 'peers sent their whole Adj-RIB-Out again' },
  },
} as const;

type Change = { enabled?: boolean; seq?: Record<string, number>; peers?: string[] | null; conf?: unknown };

export function pluginRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { speaker } = ctx;
  /** Manifests the API stored, by plugin name (entries it added). */
  const uploaded = new Map<string, string>();

  /** The running entry that loaded plugin `name`, with its index; 404 when none did. */
  const entryOf = (name: string): { index: number; entry: PluginEntry } => {
    const host = speaker.plugins;
    const loaded = host?.plugins.find((p) => p.plugin.name === name);
    if (host === undefined || loaded === undefined)
      throw new XbgpdError(errorCodes.ERR_API_NOT_FOUND, `no plugin named '${name}'`);
    const entries = speaker.pluginEntries;
    // Entries load their plugins in order, a .meta entry several: count each entry's plugins.
    const index = entryIndexOf(
      entries,
      name,
      host.plugins.map((p) => p.plugin.name),
    );
    if (index === undefined)
      throw new XbgpdError(errorCodes.ERR_API_CONFLICT, `plugin '${name}' is not one entry's alone`);
    return { index, entry: entries[index]! };
  };

  /** Apply `entries`, answering 422 with each problem (code and pc) when they do not load. */
  const apply = (entries: readonly PluginEntry[], plugin: string): Record<string, unknown> => {
    try {
      return { plugin, ...speaker.applyPlugins(entries) };
    } catch (err) {
      throw loadProblem(err);
    }
  };
  const dryRun = async (entries: readonly PluginEntry[]): Promise<unknown> => {
    try {
      return await speaker.dryRunPlugins(entries);
    } catch (err) {
      throw loadProblem(err);
    }
  };

  app.get(
    '/insertion-points',
    {
      schema: {
        summary: 'The insertion points of the xBGP API and whether xbgpd runs each',
        tags: ['plugins'],
        response: {
          200: {
            type: 'object',
            required: ['points'],
            properties: {
              points: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'name', 'runs', 'when'],
                  properties: {
                    id: { type: 'integer' },
                    name: { type: 'string' },
                    family: { type: 'string' },
                    runs: { type: 'boolean' },
                    when: { type: 'string' },
                    args: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({
      points: POINTS.map((p) => ({
        id: p.id,
        name: p.name,
        family: p.family,
        runs: p.runs,
        when: p.when,
        args: [...p.args],
      })),
    }),
  );

  const describe = (name: string): Record<string, unknown> => {
    const host = speaker.plugins!;
    const loaded = host.plugins.find((p) => p.plugin.name === name)!;
    const where = host.attachment(name)!;
    const pluglets = loaded.pluglets.map((p) => ({
      name: p.name,
      point: p.point,
      anchor: p.anchor,
      seq: where.seq.get(p.name) ?? p.seq,
      stats: statsJson([p.stats]),
    }));
    const out: Record<string, unknown> = {
      name,
      enabled: where.enabled,
      disabledByFaults: loaded.plugin.disabled,
      source: uploaded.has(name) ? 'api' : 'config',
      stats: statsJson(loaded.pluglets.map((p) => p.stats)),
      pluglets,
    };
    if (where.peers !== undefined) out.peers = where.peers;
    const index = entryIndexOf(
      speaker.pluginEntries,
      name,
      host.plugins.map((p) => p.plugin.name),
    );
    if (index !== undefined) out.manifest = speaker.pluginEntries[index]!.manifest;
    return out;
  };

  app.get(
    '/plugins',
    {
      schema: {
        summary: 'The loaded plugins with their statistics',
        tags: ['plugins'],
        response: {
          200: {
            type: 'object',
            required: ['plugins'],
            properties: { plugins: { type: 'array', items: pluginSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ plugins: (speaker.plugins?.plugins ?? []).map((p) => describe(p.plugin.name)) }),
  );

  app.get(
    '/plugins/:name',
    {
      schema: {
        summary: 'One plugin: pluglets, points, anchors, seq, peers, statistics',
        tags: ['plugins'],
        params: nameParams,
        response: { 200: pluginSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      entryOf(name);
      return describe(name);
    },
  );

  app.post(
    '/plugins',
    {
      schema: {
        summary: 'Load a plugin: its manifest and object files as multipart/form-data, attached at once',
        description:
          'Parts: `manifest` (the .plugin JSON file), one file part per object it names, optionally `settings` ' +
          '(JSON: peers, conf, budget, enabled, seq, jit). A plugin that does not load or verify is refused with ' +
          '422 and the VM error code and pc of each problem; nothing changes. With dry-run=true nothing is ' +
          'loaded: the answer is what loading would change.',
        tags: ['plugins'],
        consumes: ['multipart/form-data'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { 'dry-run': { type: 'boolean', default: false } },
        },
        response: {
          200: { oneOf: [appliedSchema, dryRunSchema] },
          422: { $ref: 'ApiError#' },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { 'dry-run': dry } = request.query as { 'dry-run': boolean };
      if (!request.isMultipart()) throw new InvalidField('body', 'must be multipart/form-data');
      const upload = await readUpload(request);
      const name = manifestName(upload.manifest);
      if (speaker.plugins?.plugins.some((p) => p.plugin.name === name))
        throw new XbgpdError(
          errorCodes.ERR_API_CONFLICT,
          `a plugin named '${name}' is loaded; DELETE it first`,
        );
      const dir = join(ctx.stateDir, 'plugins', `${name}-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      const manifestFile = join(dir, `${name}.plugin`);
      const manifest = JSON.parse(upload.manifest.toString('utf8')) as Record<string, unknown>;
      delete manifest.obj_dir;
      writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
      for (const [file, bytes] of upload.files) writeFileSync(join(dir, file), bytes);
      const entry = newEntry(
        manifestFile,
        dir,
        upload.settings,
        speaker.sessions().map((s) => s.peer.name),
      );
      const entries = [...speaker.pluginEntries, entry];
      try {
        if (dry) return await dryRun(entries);
        const applied = apply(entries, name);
        uploaded.set(name, dir);
        return applied;
      } finally {
        if (dry || !uploaded.has(name)) rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  app.patch(
    '/plugins/:name',
    {
      schema: {
        summary:
          'Change a plugin: enable or disable it, its pluglets seq, its peers, its extra configuration',
        tags: ['plugins'],
        params: nameParams,
        body: changeBody,
        response: { 200: appliedSchema, 422: { $ref: 'ApiError#' }, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const change = request.body as Change;
      const { index, entry } = entryOf(name);
      if (
        change.enabled === true &&
        speaker.plugins?.plugins.find((p) => p.plugin.name === name)?.plugin.disabled
      )
        speaker.reenablePlugin(name);
      const entries = [...speaker.pluginEntries];
      entries[index] = changed(
        entry,
        change,
        speaker.sessions().map((s) => s.peer.name),
        name,
      );
      return apply(entries, name);
    },
  );

  app.delete(
    '/plugins/:name',
    {
      schema: {
        summary: 'Unload a plugin (its routes re-evaluated, no session reset)',
        tags: ['plugins'],
        params: nameParams,
        response: { 200: appliedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { index } = entryOf(name);
      const applied = apply(
        speaker.pluginEntries.filter((_, i) => i !== index),
        name,
      );
      const dir = uploaded.get(name);
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      uploaded.delete(name);
      return applied;
    },
  );

  app.post(
    '/plugins/:name/stats/reset',
    {
      schema: {
        summary: "Zero the plugin's pluglet statistics",
        tags: ['plugins'],
        params: nameParams,
        response: { 200: pluginSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      entryOf(name);
      for (const p of speaker.plugins!.plugins.find((x) => x.plugin.name === name)!.pluglets) {
        p.stats.reset();
      }
      return describe(name);
    },
  );

  app.post(
    '/plugins/:name/dry-run',
    {
      schema: {
        summary: 'What a change of the plugin would do to the routes, without doing it',
        description:
          'The body is a PATCH body; empty, it means enabled: true (what attaching a loaded, unattached plugin does).',
        tags: ['plugins'],
        params: nameParams,
        body: { ...changeBody, type: ['object', 'null'] },
        response: { 200: dryRunSchema, 422: { $ref: 'ApiError#' }, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const body = (request.body ?? {}) as Change;
      const change = Object.keys(body).length === 0 ? { enabled: true } : body;
      const { index, entry } = entryOf(name);
      const entries = [...speaker.pluginEntries];
      entries[index] = changed(
        entry,
        change,
        speaker.sessions().map((s) => s.peer.name),
        name,
      );
      return dryRun(entries);
    },
  );
}

/** The index of the entry that loaded `name`: entries load their plugins in order (`names`, host order). */
function entryIndexOf(
  entries: readonly PluginEntry[],
  name: string,
  names: readonly string[],
): number | undefined {
  if (entries.length === names.length) {
    const i = names.indexOf(name);
    return i < 0 ? undefined : i;
  }
  // A .meta entry loaded several plugins: match by manifest file name when it is the plugin's own.
  const i = entries.findIndex((e) => basename(e.manifest).replace(/\.(plugin|json)$/, '') === name);
  return i < 0 ? undefined : i;
}

function statsJson(
  stats: readonly {
    calls: number;
    faults: number;
    steps: number;
    timeNs: number;
    returns: ReadonlyMap<bigint, number>;
  }[],
) {
  const out = { calls: 0, faults: 0, instructions: 0, timeNs: 0, returns: {} as Record<string, number> };
  for (const s of stats) {
    out.calls += s.calls;
    out.faults += s.faults;
    out.instructions += s.steps;
    out.timeNs += Math.round(s.timeNs);
    for (const [v, n] of s.returns) out.returns[String(v)] = (out.returns[String(v)] ?? 0) + n;
  }
  return out;
}

/** A 422 with each problem, its VM error code and pc when it has them; anything else as it is. */
function loadProblem(err: unknown): unknown {
  if (!(err instanceof PluginLoadFailure)) return err;
  const problems = err.problems.map((p) => p.message);
  const first = /\b(ERR_[A-Z0-9_]+)(?: at pc (\d+))?/.exec(problems.join('\n'));
  const e = new XbgpdError(
    errorCodes.ERR_PLUGIN_LOAD,
    `the plugin did not load, nothing changed${first ? `: ${first[1]}${first[2] ? ` at pc ${first[2]}` : ''}` : ''}`,
  );
  return Object.assign(e, {
    problems,
    vmCode: first?.[1],
    ...(first?.[2] !== undefined ? { pc: Number(first[2]) } : {}),
  });
}

interface Upload {
  manifest: Buffer;
  files: Map<string, Buffer>;
  settings: Change & { budget?: number; jit?: boolean };
}

/** The multipart parts: `manifest`, `settings` (JSON), and object files (any other file part). */
async function readUpload(request: FastifyRequest): Promise<Upload> {
  let manifest: Buffer | undefined;
  let settings: Upload['settings'] = {};
  const files = new Map<string, Buffer>();
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.fieldname === 'manifest') manifest = bytes;
      else {
        const file = basename(part.filename || part.fieldname);
        if (!/^[A-Za-z0-9_.-]+$/.test(file) || file.startsWith('.'))
          throw new InvalidField(`body.${part.fieldname}`, `'${part.filename}' is not a plain file name`);
        files.set(file, bytes);
      }
    } else if (part.fieldname === 'settings') {
      try {
        settings = JSON.parse(String(part.value)) as Upload['settings'];
      } catch {
        throw new InvalidField('body.settings', 'must be JSON');
      }
      if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
        throw new InvalidField('body.settings', 'must be a JSON object');
    } else if (part.fieldname === 'manifest') manifest = Buffer.from(String(part.value));
    else throw new InvalidField(`body.${part.fieldname}`, 'unknown field');
  }
  if (manifest === undefined) throw new InvalidField('body.manifest', 'is required');
  return { manifest, files, settings };
}

function manifestName(bytes: Buffer): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidField('body.manifest', 'must be a .plugin JSON manifest');
  }
  const name = (parsed as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name))
    throw new InvalidField('body.manifest', "needs a 'name' of letters, digits, _ . -");
  return name;
}

/** The entry of an uploaded plugin, with its settings checked (each problem naming its field). */
function newEntry(
  manifest: string,
  dir: string,
  s: Upload['settings'],
  peers: readonly string[],
): PluginEntry {
  let entry: PluginEntry = { manifest, objDir: dir };
  for (const key of Object.keys(s))
    if (!['peers', 'conf', 'budget', 'enabled', 'seq', 'jit'].includes(key))
      throw new InvalidField(`body.settings.${key}`, 'unknown field');
  if (s.budget !== undefined) {
    if (!Number.isInteger(s.budget) || s.budget < 1 || s.budget > 100_000_000)
      throw new InvalidField('body.settings.budget', 'must be an integer from 1 to 100000000');
    entry = { ...entry, budget: s.budget };
  }
  if (s.jit !== undefined) {
    if (typeof s.jit !== 'boolean') throw new InvalidField('body.settings.jit', 'must be true or false');
    entry = { ...entry, jit: s.jit };
  }
  return changed(entry, s, peers, undefined, 'body.settings');
}

/** `entry` with a PATCH-like change applied, each problem naming its field under `at`. */
function changed(
  entry: PluginEntry,
  change: Change,
  peers: readonly string[],
  _name: string | undefined,
  at = 'body',
): PluginEntry {
  let next: PluginEntry = { ...entry };
  if (change.enabled !== undefined) {
    if (typeof change.enabled !== 'boolean') throw new InvalidField(`${at}.enabled`, 'must be true or false');
    next = { ...next, enabled: change.enabled };
  }
  if (change.seq !== undefined) {
    const seq = change.seq as unknown;
    if (typeof seq !== 'object' || seq === null || Array.isArray(seq))
      throw new InvalidField(`${at}.seq`, 'must be an object of pluglet name -> seq');
    for (const [k, v] of Object.entries(seq))
      if (!Number.isInteger(v) || (v as number) < 0)
        throw new InvalidField(`${at}.seq.${k}`, 'must be an integer >= 0');
    next = { ...next, seq: { ...(entry.seq ?? {}), ...(seq as Record<string, number>) } };
  }
  if (change.peers !== undefined) {
    if (change.peers === null) next = { ...next, peers: undefined };
    else {
      if (!Array.isArray(change.peers) || change.peers.length === 0)
        throw new InvalidField(`${at}.peers`, 'must be a non-empty list of peer names, or null');
      change.peers.forEach((p, i) => {
        if (!peers.includes(p)) throw new InvalidField(`${at}.peers.${i}`, `unknown peer '${String(p)}'`);
      });
      next = { ...next, peers: [...change.peers] };
    }
  }
  if (change.conf !== undefined) {
    const conf = parseExtraConf(change.conf, `${at}.conf`);
    if (!conf.ok)
      throw new InvalidField(`${at}.conf`, conf.errors.map((e) => formatExtraConfError(e)).join('; '));
    next = { ...next, extraConf: { inline: change.conf } };
  }
  return next;
}

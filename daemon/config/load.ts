// YAML configuration -> validated, typed SpeakerConfig (daemon/config/types.ts).
// Three passes, each reporting every problem it finds, never just the first:
//   1. YAML syntax (the `yaml` package; duplicate keys are errors),
//   2. shape against config/schema.json (all errors; ajv's code compiled ahead of time: schema-validator.ts),
//   3. semantic checks JSON schema cannot express, with the defaults filled in (`buildConfig`, one step
//      per part of the file: IP addresses and prefixes (daemon/net), unique names, policy rules in
//      ./policy.ts, policy names peers refer to, an `originate-mrt` file that must be readable, the
//      `plugins` entries in ./plugins.ts: their files, peer names and inline extra configuration; `rpki` in
//      ./rpki.ts).
// Each issue names the key path in the file (`peers[1].hold-time`) and its line. Nothing here touches
// the running daemon: a caller applies a config only when `ok` is true, so bad config changes nothing.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isSeq, isNode, type Document } from 'yaml';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate as generatedValidator } from './schema-validator.js';
import { errorCodes } from '../errors.js';
import {
  EXAMPLE_ADMIN_TOKEN,
  defaults,
  type AddPathMode,
  type AdminConfig,
  type Family,
  type ListenConfig,
  type OriginatedPrefix,
  type PeerConfig,
  type PolicyRule,
  type SpeakerConfig,
} from './types.js';
import { parsePolicyRules, type RawRule } from './policy.js';
import { buildPlugins, type RawPlugin } from './plugins.js';
import { buildRpki, type RawRpki } from './rpki.js';
import { configPath, pathProblem, unreadableFile } from './files.js';
import { ipVersion, isLoopback, parseIpv4, parseIpv6, parsePrefix } from '../net/address.js';

export interface ConfigIssue {
  code: typeof errorCodes.ERR_CFG_READ | typeof errorCodes.ERR_CFG_YAML | typeof errorCodes.ERR_CFG_INVALID;
  /** Key path in the file, e.g. `peers[0].asn`; '' for the whole file. */
  path: string;
  message: string;
  line?: number;
}

export type ConfigResult =
  | {
      ok: true;
      config: SpeakerConfig;
      /** The line of the value at a key path (`['plugins', 0]`), for problems found later (plugin loading). */
      lineOf(path: (string | number)[]): number | undefined;
    }
  | { ok: false; issues: ConfigIssue[] };

/** One line per issue: `FILE:LINE: PATH: MESSAGE`. */
export function formatIssue(issue: ConfigIssue, source: string): string {
  const where = issue.line === undefined ? source : `${source}:${issue.line}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** Read and validate a configuration file. Never throws. */
export async function loadConfigFile(file: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      issues: [{ code: errorCodes.ERR_CFG_READ, path: '', message: `cannot read: ${reason}` }],
    };
  }
  return parseConfig(text, { baseDir: dirname(resolve(file)) });
}

export interface ParseOptions {
  /** Directory that relative paths in the file (`originate-mrt`) are resolved against; default the
   *  current directory. loadConfigFile passes the config file's directory. */
  baseDir?: string;
}

/** Validate configuration text. Never throws. */
export function parseConfig(text: string, options: ParseOptions = {}): ConfigResult {
  // ===== 1. YAML syntax =====
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        code: errorCodes.ERR_CFG_YAML,
        path: '',
        message: `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        line: e.linePos?.[0].line,
      })),
    };
  }
  const raw: unknown = doc.toJS();
  const lineOf = (path: (string | number)[]): number | undefined => lineOfPath(doc, lineCounter, path);

  // ===== 2. shape (config/schema.json) =====
  const validate = schemaValidator();
  if (!validate(raw)) {
    const issues = schemaIssues(validate.errors ?? []).map((i) => ({ ...i, line: lineOf(i.segments) }));
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { ok: false, issues: issues.map(({ segments: _s, ...issue }) => issue) };
  }

  // ===== 3. semantics =====
  const issues: ConfigIssue[] = [];
  const report = (segments: (string | number)[], message: string): void => {
    issues.push({
      code: errorCodes.ERR_CFG_INVALID,
      path: pathText(segments),
      message,
      line: lineOf(segments),
    });
  };
  const config = buildConfig(raw as RawConfig, report, options.baseDir ?? process.cwd());
  if (issues.length > 0) return { ok: false, issues: issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
  return { ok: true, config, lineOf };
}

// ===== schema validation =====

/** Where config/schema.json is: walk up from this file to the package root (works from src and dist). */
export function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'config', 'schema.json');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('config/schema.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The schema's validator (generated from config/schema.json: schema-codegen.ts). */
function schemaValidator(): ValidateFunction {
  return generatedValidator as unknown as ValidateFunction;
}

interface SchemaIssue extends ConfigIssue {
  segments: (string | number)[];
}

const typeNames: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
};

/** Turn ajv errors into one readable issue per bad field. */
function schemaIssues(errors: ErrorObject[]): SchemaIssue[] {
  // A failed oneOf reports every branch's errors too. Keep the deeper, specific ones when there are
  // any; when only type mismatches of the branches remain, report the oneOf with its x-message.
  const choiceFailures = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const kept = errors.filter((e) => {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      return !errors.some((o) => o !== e && isUnder(o.instancePath, e.instancePath) && !isBranchNoise(o, e));
    }
    return !choiceFailures.some(
      (c) => c !== e && isUnder(e.instancePath, c.instancePath) && isBranchNoise(e, c),
    );
  });
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of kept) {
    const segments = pointerSegments(e.instancePath);
    const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
    let message: string;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        segments.push(String(params.missingProperty));
        message = 'is required';
        break;
      case 'additionalProperties':
        segments.push(String(params.additionalProperty));
        message = 'unknown key';
        break;
      case 'type':
        message = `must be ${typeNames[String(params.type)] ?? String(params.type)}`;
        break;
      case 'minimum':
      case 'maximum':
        message =
          typeof parent.minimum === 'number' && typeof parent.maximum === 'number'
            ? `must be from ${parent.minimum} to ${parent.maximum}`
            : `must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`;
        break;
      case 'enum':
        message = `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
        break;
      case 'minItems':
        message = `must have at least ${String(params.limit)} item(s)`;
        break;
      case 'uniqueItems':
        message = `must not repeat items (items ${String(params.j)} and ${String(params.i)} are equal)`;
        break;
      case 'minLength':
        message = 'must not be empty';
        break;
      default:
        message = typeof parent['x-message'] === 'string' ? parent['x-message'] : (e.message ?? 'is invalid');
    }
    if (typeof parent['x-message'] === 'string' && (e.keyword === 'not' || e.keyword === 'pattern')) {
      message = parent['x-message'];
    }
    const path = pathText(segments);
    const key = `${path}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code: errorCodes.ERR_CFG_INVALID, path, message, segments });
  }
  return out;
}

/** A branch error of a failed oneOf that says only "this branch's type does not fit". */
function isBranchNoise(e: ErrorObject, choice: ErrorObject): boolean {
  return (e.keyword === 'type' || e.keyword === 'oneOf') && e.instancePath === choice.instancePath;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `peers[0].asn` from ['peers', 0, 'asn']. */
export function pathText(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** Line of the node at `path`, or of its nearest existing ancestor. */
function lineOfPath(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      // For a key whose value is missing entirely, point at the key of the parent mapping instead.
      return counter.linePos(node.range[0]).line;
    }
    if (n > 0 && (isMap(node) || isSeq(node))) continue;
  }
  return undefined;
}

// ===== semantic checks and defaults =====

interface RawPeer {
  name: string;
  description?: string;
  address: string;
  asn: number;
  port?: number;
  'local-address'?: string;
  passive?: boolean;
  shutdown?: boolean;
  multihop?: number;
  'ttl-security'?: boolean;
  'hold-time'?: number;
  'connect-retry-time'?: number;
  'delay-open-time'?: number;
  'idle-hold-time'?: number;
  families?: Family[];
  'next-hop-ipv4'?: string;
  'next-hop-ipv6'?: string;
  'next-hop-self'?: boolean;
  'send-med'?: boolean;
  'min-route-advertisement-interval'?: number;
  import?: string | RawRule[];
  export?: string | RawRule[];
  capabilities?: {
    'four-octet-as'?: boolean;
    'route-refresh'?: boolean;
    'enhanced-route-refresh'?: boolean;
    'extended-message'?: boolean;
    'add-path'?: AddPathMode;
    'graceful-restart'?: boolean | { 'restart-time'?: number };
  };
}

interface RawConfig {
  'router-id': string;
  asn: number;
  'log-level'?: SpeakerConfig['logLevel'];
  listen?: { address: string; port?: number } | { address: string; port?: number }[];
  admin?: {
    address: string;
    port: number;
    token?: string;
    'token-file'?: string;
    tls?: { cert: string; key: string };
    'public-metrics'?: boolean;
    'state-dir'?: string;
  };
  peers?: RawPeer[];
  originate?: { prefix: string }[];
  'originate-mrt'?: string;
  policies?: Record<string, RawRule[]>;
  'ebgp-requires-policy'?: boolean;
  decision?: { 'always-compare-med'?: boolean; 'deterministic-med'?: boolean };
  plugins?: RawPlugin[];
  rpki?: RawRpki;
}

type Segments = (string | number)[];
type Report = (segments: Segments, message: string) => void;
/** A peer's `import` / `export` value resolved to its rule list (undefined when absent or unknown). */
type PolicyResolver = (value: string | RawRule[] | undefined, at: Segments) => PolicyRule[] | undefined;

/** Step 3: the checks a schema cannot make, and the defaults. Every step reports all it finds. */
function buildConfig(raw: RawConfig, report: Report, baseDir: string): SpeakerConfig {
  checkRouterId(raw['router-id'], report);
  const listen = buildListeners(raw.listen, report);
  // Named policies first: peers refer to them by name.
  const policies = buildPolicies(raw.policies ?? {}, report);
  const peers = buildPeers(raw.peers ?? [], raw.asn, policyResolver(policies, report), report);
  const originate = buildOriginate(raw.originate ?? [], report);
  const config: SpeakerConfig = {
    routerId: raw['router-id'],
    asn: raw.asn,
    logLevel: raw['log-level'] ?? 'info',
    listen,
    peers,
    originate,
    policies,
    ebgpRequiresPolicy: raw['ebgp-requires-policy'] ?? false,
    decision: {
      alwaysCompareMed: raw.decision?.['always-compare-med'] ?? false,
      deterministicMed: raw.decision?.['deterministic-med'] ?? false,
    },
    plugins: buildPlugins(
      raw.plugins ?? [],
      peers.map((p) => p.name),
      baseDir,
      report,
    ),
  };
  if (raw['originate-mrt'] !== undefined)
    config.originateMrt = originateMrtFile(raw['originate-mrt'], baseDir, report);
  if (raw.admin) config.admin = buildAdmin(raw.admin, baseDir, report);
  if (raw.rpki !== undefined) config.rpki = buildRpki(raw.rpki, report);
  return config;
}

/**
 * `admin`: the address, one way to give the token, readable TLS files. Off loopback the API must have a
 * token, and not the example one (a token in `token-file` is checked when the API starts).
 */
function buildAdmin(raw: NonNullable<RawConfig['admin']>, baseDir: string, report: Report): AdminConfig {
  const version = ipVersion(raw.address);
  if (version === 0) report(['admin', 'address'], 'must be an IPv4 or IPv6 address');
  const admin: AdminConfig = {
    address: raw.address,
    port: raw.port,
    publicMetrics: raw['public-metrics'] ?? false,
    stateDir: configPath(baseDir, raw['state-dir'] ?? 'xbgpd-state'),
  };
  if (raw.token !== undefined && raw['token-file'] !== undefined)
    report(['admin', 'token-file'], "give either 'token' or 'token-file', not both");
  if (raw.token !== undefined) admin.token = raw.token;
  if (raw['token-file'] !== undefined)
    admin.tokenFile = adminFile(raw['token-file'], 'token-file', baseDir, report);
  if (raw.tls !== undefined)
    admin.tls = {
      cert: adminFile(raw.tls.cert, 'tls.cert', baseDir, report),
      key: adminFile(raw.tls.key, 'tls.key', baseDir, report),
    };
  if (version !== 0 && !isLoopback(raw.address)) {
    if (raw.token === undefined && raw['token-file'] === undefined)
      report(['admin', 'token'], `is required when admin.address (${raw.address}) is not a loopback address`);
    else if (raw.token === EXAMPLE_ADMIN_TOKEN)
      report(
        ['admin', 'token'],
        `is the example token '${EXAMPLE_ADMIN_TOKEN}': choose your own when admin.address is not a loopback address`,
      );
  }
  return admin;
}

/** A file of the `admin` section (`token-file`, `tls.cert`, `tls.key`), absolute, reported when unreadable. */
function adminFile(name: string, key: string, baseDir: string, report: Report): string {
  const file = configPath(baseDir, name);
  const problem = unreadableFile(file);
  if (problem !== undefined) report(['admin', ...key.split('.')], pathProblem(name, problem));
  return file;
}

function checkRouterId(routerId: string, report: Report): void {
  // RFC 4271 4.2: "BGP Identifier: ... set to an IP address assigned to that BGP speaker"; RFC 6286
  // relaxes it to any non-zero 4-octet value, which we still write as dotted quad.
  if (parseIpv4(routerId) === undefined) report(['router-id'], 'must be an IPv4 address (dotted quad)');
  else if (routerId === '0.0.0.0') report(['router-id'], 'must not be 0.0.0.0 (RFC 6286)');
}

/** `listen`: one mapping or a list of them; addresses checked, ports defaulted, duplicates reported. */
function buildListeners(raw: RawConfig['listen'], report: Report): ListenConfig[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const at = (i: number): Segments => (Array.isArray(raw) ? ['listen', i] : ['listen']);
  const listen: ListenConfig[] = list.map((l, i) => {
    if (ipVersion(l.address) === 0) report([...at(i), 'address'], 'must be an IPv4 or IPv6 address');
    return { address: l.address, port: l.port ?? defaults.port };
  });
  const seen = new Set<string>();
  listen.forEach((l, i) => {
    const key = `${l.address}|${l.port}`;
    if (seen.has(key)) report(at(i), `duplicate listener ${l.address} port ${l.port}`);
    seen.add(key);
  });
  return listen;
}

function buildPolicies(raw: Record<string, RawRule[]>, report: Report): Record<string, PolicyRule[]> {
  const policies: Record<string, PolicyRule[]> = {};
  for (const [name, rules] of Object.entries(raw)) {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      report(['policies', name], 'policy name must be letters, digits, _ and - only');
    policies[name] = parsePolicyRules(rules, ['policies', name], report);
  }
  return policies;
}

/** A peer's `import` / `export`: a policy name (resolved to that policy's rule list) or an inline list. */
function policyResolver(policies: Record<string, PolicyRule[]>, report: Report): PolicyResolver {
  return (value, at) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return parsePolicyRules(value, at, report);
    const named = Object.hasOwn(policies, value) ? policies[value] : undefined;
    if (named === undefined) {
      const known = Object.keys(policies);
      report(
        at,
        `unknown policy '${value}' (${known.length === 0 ? 'no policies are defined' : `policies: ${known.join(', ')}`})`,
      );
    }
    return named;
  };
}

function buildPeers(
  raw: RawPeer[],
  localAsn: number,
  policyOf: PolicyResolver,
  report: Report,
): PeerConfig[] {
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  return raw.map((p, i) => {
    const at = (...rest: string[]): Segments => ['peers', i, ...rest];
    const firstName = names.get(p.name);
    if (firstName !== undefined)
      report(at('name'), `duplicate peer name '${p.name}' (also peers[${firstName}])`);
    else names.set(p.name, i);
    const version = ipVersion(p.address);
    if (version === 0) report(at('address'), 'must be an IPv4 or IPv6 address');
    const firstAddress = addresses.get(p.address);
    if (firstAddress !== undefined)
      report(at('address'), `duplicate peer address (also peers[${firstAddress}])`);
    else addresses.set(p.address, i);
    checkPeerAddresses(p, version, at, report);
    const peer = peerSettings(p, version);
    const importPolicy = policyOf(p.import, at('import'));
    const exportPolicy = policyOf(p.export, at('export'));
    if (importPolicy !== undefined) peer.importPolicy = importPolicy;
    if (exportPolicy !== undefined) peer.exportPolicy = exportPolicy;
    // RFC 6793 9: a speaker without the capability cannot peer with a 4-octet-only AS number.
    if (!peer.capabilities.fourOctetAs && (p.asn > 0xffff || localAsn > 0xffff)) {
      report(at('capabilities', 'four-octet-as'), 'must be true when either AS number is above 65535');
    }
    return peer;
  });
}

/** `local-address` (the peer's family) and the configured next hops (octets: no zone). */
function checkPeerAddresses(
  p: RawPeer,
  version: 0 | 4 | 6,
  at: (...rest: string[]) => Segments,
  report: Report,
): void {
  const local = p['local-address'];
  if (local !== undefined && ipVersion(local) === 0)
    report(at('local-address'), 'must be an IPv4 or IPv6 address');
  else if (local !== undefined && version !== 0 && ipVersion(local) !== version) {
    report(at('local-address'), `must be an IPv${version} address like the peer address`);
  }
  if (p['next-hop-ipv4'] !== undefined && parseIpv4(p['next-hop-ipv4']) === undefined) {
    report(at('next-hop-ipv4'), 'must be an IPv4 address');
  }
  if (p['next-hop-ipv6'] !== undefined && parseIpv6(p['next-hop-ipv6']) === undefined) {
    report(at('next-hop-ipv6'), 'must be an IPv6 address');
  }
}

/** A peer's settings with the defaults filled in (policies are added by the caller). */
function peerSettings(p: RawPeer, version: 0 | 4 | 6): PeerConfig {
  const caps = p.capabilities ?? {};
  const gr = caps['graceful-restart'];
  const peer: PeerConfig = {
    name: p.name,
    address: p.address,
    asn: p.asn,
    port: p.port ?? defaults.port,
    passive: p.passive ?? false,
    shutdown: p.shutdown ?? false,
    ttlSecurity: p['ttl-security'] ?? false,
    holdTime: p['hold-time'] ?? defaults.holdTime,
    connectRetryTime: p['connect-retry-time'] ?? defaults.connectRetryTime,
    delayOpenTime: p['delay-open-time'] ?? defaults.delayOpenTime,
    idleHoldTime: p['idle-hold-time'] ?? defaults.idleHoldTime,
    families: p.families ?? [version === 6 ? 'ipv6-unicast' : 'ipv4-unicast'],
    nextHopSelf: p['next-hop-self'] ?? false,
    sendMed: p['send-med'] ?? false,
    minRouteAdvertisementInterval: p['min-route-advertisement-interval'] ?? 0,
    capabilities: {
      fourOctetAs: caps['four-octet-as'] ?? true,
      routeRefresh: caps['route-refresh'] ?? true,
      enhancedRouteRefresh: caps['enhanced-route-refresh'] ?? true,
      extendedMessage: caps['extended-message'] ?? true,
      addPath: caps['add-path'] ?? 'none',
      gracefulRestart:
        gr === false
          ? null
          : {
              restartTime:
                (typeof gr === 'object' ? gr['restart-time'] : undefined) ?? defaults.gracefulRestartTime,
            },
    },
  };
  if (p.description !== undefined) peer.description = p.description;
  if (p['local-address'] !== undefined) peer.localAddress = p['local-address'];
  if (p.multihop !== undefined) peer.multihop = p.multihop;
  if (p['next-hop-ipv4'] !== undefined) peer.nextHopIpv4 = p['next-hop-ipv4'];
  if (p['next-hop-ipv6'] !== undefined) peer.nextHopIpv6 = p['next-hop-ipv6'];
  return peer;
}

function buildOriginate(raw: { prefix: string }[], report: Report): OriginatedPrefix[] {
  const originate: OriginatedPrefix[] = [];
  raw.forEach((o, i) => {
    const parsed = parsePrefix(o.prefix);
    if (typeof parsed === 'string') report(['originate', i, 'prefix'], parsed);
    else originate.push(parsed);
  });
  return originate;
}

/** `originate-mrt` as an absolute path (relative to the config file's directory), reported when unreadable. */
function originateMrtFile(name: string, baseDir: string, report: Report): string {
  const file = configPath(baseDir, name);
  const problem = unreadableFile(file);
  if (problem !== undefined) report(['originate-mrt'], pathProblem(name, problem));
  return file;
}

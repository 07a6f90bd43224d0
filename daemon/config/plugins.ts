// YAML `plugins` -> typed PluginConfig entries (daemon/config/types.ts), with the checks config/schema.json
// cannot make: the files an entry names exist (manifest, obj-dir, conf-file; relative paths are from the
// config file's directory, made absolute here), `peers` names configured peers, `conf` and `conf-file`
// are not both given, and an inline `conf` is valid typed extra configuration (daemon/plugins/extra-conf.ts),
// each problem at its key path (`plugins[0].peers[1]`, `plugins[0].conf.rr_clients.arg[1].arg`). What is
// inside the manifests and objects is checked when the plugins load (daemon/plugins/configured.ts).
import { parseExtraConf } from '../plugins/extra-conf.js';
import { configPath, pathProblem, unreadableDirectory, unreadableFile } from './files.js';
import { defaults, type PluginConfig } from './types.js';

type Segments = (string | number)[];
type Report = (segments: Segments, message: string) => void;

/** One `plugins` entry as config/schema.json lets it through. */
export interface RawPlugin {
  manifest: string;
  'obj-dir'?: string;
  conf?: Record<string, unknown>;
  'conf-file'?: string;
  peers?: string[];
  budget?: number;
  'fault-limit'?: { max?: number; window?: number };
  jit?: boolean;
  enabled?: boolean;
  seq?: Record<string, number>;
}

/** The entries with absolute paths and defaults; every problem reported (entries are still returned). */
export function buildPlugins(
  raw: readonly RawPlugin[],
  peerNames: readonly string[],
  baseDir: string,
  report: Report,
): PluginConfig[] {
  return raw.map((p, i) => {
    const at = (...rest: Segments): Segments => ['plugins', i, ...rest];
    const file = (key: 'manifest' | 'conf-file', name: string): string => {
      const path = configPath(baseDir, name);
      const problem = unreadableFile(path);
      if (problem !== undefined) report(at(key), pathProblem(name, problem));
      return path;
    };
    const limit = p['fault-limit'];
    const entry: PluginConfig = {
      manifest: file('manifest', p.manifest),
      faultLimit: {
        max: limit?.max ?? defaults.pluginFaultMax,
        windowMs: (limit?.window ?? defaults.pluginFaultWindow) * 1000,
      },
      jit: p.jit ?? true,
    };
    const objDir = p['obj-dir'];
    if (objDir !== undefined) {
      entry.objDir = configPath(baseDir, objDir);
      const problem = unreadableDirectory(entry.objDir);
      if (problem !== undefined) report(at('obj-dir'), pathProblem(objDir, problem));
    }
    if (p.conf !== undefined && p['conf-file'] !== undefined)
      report(at('conf-file'), 'give conf or conf-file, not both');
    if (p.conf !== undefined) {
      checkInlineConf(p.conf, at('conf'), report);
      entry.extraConf = { inline: p.conf };
    } else if (p['conf-file'] !== undefined) {
      entry.extraConf = { file: file('conf-file', p['conf-file']) };
    }
    if (p.peers !== undefined) {
      p.peers.forEach((name, j) => {
        if (peerNames.includes(name)) return;
        const known = peerNames.length === 0 ? 'no peers are configured' : `peers: ${peerNames.join(', ')}`;
        report(at('peers', j), `unknown peer '${name}' (${known})`);
      });
      entry.peers = [...p.peers];
    }
    if (p.budget !== undefined) entry.budget = p.budget;
    if (p.enabled !== undefined) entry.enabled = p.enabled;
    if (p.seq !== undefined) entry.seq = { ...p.seq };
    return entry;
  });
}

/** An inline `conf`, checked as the plugin host will read it; errors at their key path below `at`. */
function checkInlineConf(conf: Record<string, unknown>, at: Segments, report: Report): void {
  const parsed = parseExtraConf(conf, '');
  if (parsed.ok) return;
  for (const e of parsed.errors) report([...at, ...keyPathSegments(e.path)], e.message);
}

/** `a.b."x y"[2]` (daemon/plugins/strict-json.ts keyPath) back to its segments. */
export function keyPathSegments(path: string): Segments {
  const out: Segments = [];
  const token = /(?:^|\.)([A-Za-z_][A-Za-z0-9_-]*)|(?:^|\.)("(?:[^"\\]|\\.)*")|\[(\d+)\]/y;
  while (token.lastIndex < path.length) {
    const start = token.lastIndex;
    const m = token.exec(path);
    if (m === null) {
      out.push(path.slice(start));
      break;
    }
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else out.push(Number(m[3]));
  }
  return out;
}

// The xbgpd image's HEALTHCHECK (Containerfile): exit 0 when the daemon is healthy, 1 when not.
//
// It asks the admin API, `GET /api/v1/status` (XBGPD_URL, default http://127.0.0.1:8179) with the
// bearer token of XBGPD_TOKEN or of the file XBGPD_TOKEN_FILE: 200 is healthy, any other answer is
// not. When nothing listens there (a configuration without `admin:`, or a daemon without the admin
// API), it falls back to what needs no API: a TCP socket listening on the BGP port (XBGPD_BGP_PORT,
// default 179) in the container's network namespace, read from /proc/net/tcp and tcp6 (no connection
// is opened, so no peer sees a stray BGP connection).
import { readFileSync } from 'node:fs';

const base = process.env.XBGPD_URL ?? 'http://127.0.0.1:8179';
const bgpPort = Number(process.env.XBGPD_BGP_PORT ?? 179);

function token() {
  if (process.env.XBGPD_TOKEN) return process.env.XBGPD_TOKEN;
  if (process.env.XBGPD_TOKEN_FILE) return readFileSync(process.env.XBGPD_TOKEN_FILE, 'utf8').trim();
  return undefined;
}

/** Whether a socket in state LISTEN (0A) is bound to `port` (the local address's hex port). */
function listening(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hex}`)) return true;
    }
  }
  return false;
}

function refused(err) {
  const code = err?.cause?.code ?? err?.code;
  return code === 'ECONNREFUSED' || code === 'EADDRNOTAVAIL';
}

try {
  const auth = token();
  const res = await fetch(new URL('/api/v1/status', base), {
    headers: auth ? { authorization: `Bearer ${auth}` } : {},
    signal: AbortSignal.timeout(2500),
  });
  if (res.status !== 200) {
    console.error(`xbgpd health: ${base}/api/v1/status answered ${res.status}`);
    process.exit(1);
  }
  console.log('xbgpd health: admin API status 200');
  process.exit(0);
} catch (err) {
  if (!refused(err)) {
    console.error(`xbgpd health: ${base}/api/v1/status: ${err?.cause?.message ?? err?.message ?? err}`);
    process.exit(1);
  }
}
if (listening(bgpPort)) {
  console.log(`xbgpd health: no admin API at ${base}; BGP port ${bgpPort} is listening`);
  process.exit(0);
}
console.error(`xbgpd health: no admin API at ${base} and nothing listening on BGP port ${bgpPort}`);
process.exit(1);

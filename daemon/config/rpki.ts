// The `rpki` section -> RpkiConfig (daemon/rpki): defaults filled in (port 323, the timers RFC 8210 6
// recommends), with the checks the schema cannot make, each naming its field: the cache's address is an
// IP address, and the Expire Interval is longer than the Refresh and Retry Intervals (RFC 8210 6: data
// must outlive the attempts to refresh it).
import { defaults, type RpkiConfig } from './types.js';
import { ipVersion } from '../net/address.js';

export interface RawRpki {
  address: string;
  port?: number;
  refresh?: number;
  retry?: number;
  expire?: number;
  'keep-timers'?: boolean;
  reconnect?: number;
  version?: 0 | 1;
}

type Report = (segments: (string | number)[], message: string) => void;

export function buildRpki(raw: RawRpki, report: Report): RpkiConfig {
  if (ipVersion(raw.address) === 0) report(['rpki', 'address'], 'must be an IPv4 or IPv6 address');
  const config: RpkiConfig = {
    address: raw.address,
    port: raw.port ?? defaults.rpkiPort,
    refresh: raw.refresh ?? defaults.rpkiRefresh,
    retry: raw.retry ?? defaults.rpkiRetry,
    expire: raw.expire ?? defaults.rpkiExpire,
    keepTimers: raw['keep-timers'] ?? false,
    reconnect: raw.reconnect ?? defaults.rpkiReconnect,
    version: raw.version ?? 1,
  };
  if (config.expire <= Math.max(config.refresh, config.retry))
    report(
      ['rpki', 'expire'],
      `must be longer than refresh (${config.refresh}) and retry (${config.retry}): the data would expire before it is refreshed`,
    );
  return config;
}

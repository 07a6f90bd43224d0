// Where the repository is: for the benchmarks (from bench/ under tsx or dist/bench) and test/helpers/env.ts;
// and where the benchmarks' tables are in ../shared/data.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above this file that holds package.json: the repository root. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** A file of ../shared/data (beside the repository). */
export function sharedData(...parts: string[]): string {
  return resolve(repoRoot(), '..', 'shared', 'data', ...parts);
}

/** The RouteViews full table of the benchmarks (TABLE_DUMP_V2, 497,323 IPv4 prefixes). */
export const ROUTEVIEWS_TABLE = sharedData(
  'caida-libbgpstream',
  'routeviews.route-views.jinx.ribs.1401487200.bz2',
);

/** The sources of the IPv6 full table (table-ipv6.ts): the pyasn IPv6 dump, then the RouteViews table. */
export const IPV6_TABLE_SOURCES = [sharedData('pyasn', 'rib6.20151101.0600_firstMB.bz2'), ROUTEVIEWS_TABLE];

// Every helper implementation of the plugin host, and the one VM registry pluglets link against.
import { HELPERS } from '../../../xbgp-api/index.js';
import type { HelperFn, HelperRegistry } from '../../../vm/index.js';
import { helperMisuse } from '../call.js';
import { baseHelpers } from './base.js';
import { bgpHelpers } from './bgp.js';
import { ribHelpers } from './rib.js';
import { rpkiHelpers } from './rpki.js';
import { buildHelperRegistry, type HelperImpl, type HelperImpls } from './registry.js';

/** The implementations written so far (base: helpers/base.ts; BGP: helpers/bgp.ts, rib.ts; xbgpd's
 *  origin validation: helpers/rpki.ts). */
const implemented: HelperImpls = { ...baseHelpers, ...bgpHelpers, ...ribHelpers, ...rpkiHelpers };

/** A provided helper xbgpd does not implement yet: calling it faults the run (native path). */
function notYet(name: string): HelperFn {
  return (_1, _2, _3, _4, _5, ctx) => helperMisuse(ctx, name, 'not available in this xbgpd version');
}

/** The registry every pluglet links against (built once). */
export function pluginHelperRegistry(): HelperRegistry {
  registry ??= buildHelperRegistry(withAllProvided(implemented));
  return registry;
}
let registry: HelperRegistry | undefined;

function withAllProvided(impls: HelperImpls): HelperImpls {
  const out: Record<string, HelperImpl> = { ...impls };
  for (const h of HELPERS)
    if (h.refused === undefined && out[h.name] === undefined) out[h.name] = notYet(h.name);
  return out;
}

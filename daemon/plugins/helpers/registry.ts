// The VM's helper registry for pluglets, built from the one helper table of xbgp-api (stable ids,
// names, permissions) and the host's implementations by name. A pluglet links a helper when its
// plugin's permission bits include every bit the helper requires (xBGP's check_perms); helpers the
// table marks refused (reaching outside the router, provided by no xBGP host, internal) are never
// registered, so linking a call to one fails, and `refusedHelperIn` names them for the load error.
import { HelperRegistry, type Helper, type HelperFn, type NumberHelperFn } from '../../../vm/index.js';
import {
  HELPERS,
  NEXT_ID,
  helperByName,
  permits,
  requiredBits,
  type HelperSpec,
} from '../../../xbgp-api/index.js';

/**
 * A helper's implementation: its function in the VM's bigint convention, or that and the same helper in
 * the number convention (vm/helpers.ts: called for arguments below 2^53, which is every call a plugin
 * makes with addresses, codes and lengths; `fn` answers the others exactly).
 */
export type HelperImpl = HelperFn | { readonly fn: HelperFn; readonly fnNumber: NumberHelperFn };

/** Implementations by helper name. */
export type HelperImpls = Readonly<Record<string, HelperImpl>>;

/** Both conventions of one helper, as a HelperImpl. */
export function both(fn: HelperFn, fnNumber: NumberHelperFn): HelperImpl {
  return { fn, fnNumber };
}

/** The permission string a registered helper carries: its required bits, as a number in text. */
function permissionOf(spec: HelperSpec): string {
  return String(requiredBits(spec));
}

/**
 * The registry of every provided helper that has an implementation in `impls`. Throws (a programming
 * error, caught by the tests) when a provided helper has no implementation or an implementation names
 * no provided helper.
 */
export function buildHelperRegistry(impls: HelperImpls): HelperRegistry {
  const registry = new HelperRegistry();
  for (const spec of HELPERS) {
    if (spec.refused !== undefined) continue;
    const impl = impls[spec.name];
    if (impl === undefined) throw new Error(`helper ${spec.name} has no implementation`);
    const helper: Helper = {
      id: spec.id,
      name: spec.name,
      permission: permissionOf(spec),
      ...(typeof impl === 'function' ? { fn: impl } : { fn: impl.fn, fnNumber: impl.fnNumber }),
      arity: spec.args.length,
      // next() is a tail call: the pluglet ends there, the chain goes on (runtime.ts).
      ...(spec.id === NEXT_ID ? { unwindOnZero: true } : {}),
    };
    registry.register(helper);
  }
  for (const name of Object.keys(impls)) {
    const spec = helperByName(name);
    if (spec === undefined || spec.refused !== undefined)
      throw new Error(`implementation ${name} is not a provided helper`);
  }
  return registry;
}

/** The permission predicate of a plugin with xBGP permission bits `granted`. */
export function permissionPredicate(granted: number): (helper: Helper) => boolean {
  return (helper) => permits(granted, Number(helper.permission));
}

/** Why a helper name cannot be linked, for the load error; undefined when it is an ordinary helper. */
export function refusedHelperIn(name: string): string | undefined {
  const spec = helperByName(name);
  if (spec === undefined) return `${name} is not a helper of the xBGP API`;
  switch (spec.refused) {
    case undefined:
      return undefined;
    case 'outside-router':
      return `${name} reaches outside the router (remote files, sockets): xbgpd refuses it`;
    case 'not-provided':
      return `${name} is declared by the xBGP headers but provided by no xBGP host: xbgpd refuses it`;
    case 'internal':
      return `${name} is internal to xBGP, not a helper for plugins`;
  }
}

// Waits on what a lab router's own CLI shows (a neighbour's state, a received route), shared by the lab
// self-tests and the scenario tests; each suite picks its default time limit.
import type { LabRouter, NeighborStatus, ReceivedRoute } from './types.js';
import { waitFor } from './wait.js';

export const isEstablished = (s: NeighborStatus) => s.state === 'established';

export interface LabWaits {
  /** Wait until `router`'s view of neighbour `address` satisfies `ok`; resolves with that view. */
  neighborBecomes(
    router: LabRouter,
    address: string,
    what: string,
    ok: (s: NeighborStatus) => boolean,
    timeoutMs?: number,
  ): Promise<NeighborStatus>;
  /** Wait until `router` shows its session with `address` Established. */
  established(router: LabRouter, address: string): Promise<NeighborStatus>;
  /** Wait until `router` holds `prefix` from neighbour `from`; resolves with the route. */
  routeArrives(router: LabRouter, prefix: string, from: string): Promise<ReceivedRoute>;
}

/** The waits, each giving up after `defaultTimeoutMs` unless told otherwise. */
export function labWaits(defaultTimeoutMs: number): LabWaits {
  const neighborBecomes: LabWaits['neighborBecomes'] = (
    router,
    address,
    what,
    ok,
    timeoutMs = defaultTimeoutMs,
  ) =>
    waitFor(
      `${router.name}: ${address} ${what}`,
      async () => {
        const status = await router.neighbor(address);
        return ok(status) ? status : undefined;
      },
      { timeoutMs },
    );
  return {
    neighborBecomes,
    established: (router, address) => neighborBecomes(router, address, 'Established', isEstablished),
    routeArrives: (router, prefix, from) =>
      waitFor(
        `${router.name} to receive ${prefix} from ${from}`,
        async () => (await router.receivedRoutes()).find((r) => r.prefix === prefix && r.from === from),
        { timeoutMs: defaultTimeoutMs },
      ),
  };
}

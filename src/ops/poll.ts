import type { PollResult } from '../watch/poller.ts';
import { Poller, pollTargets } from '../watch/poller.ts';
import type { MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';

export type { PollResult };

/** The mesh's poller (observe + health): every node of the open mesh, its links and thresholds. */
export function newPoller(
  m: OpenMesh,
  deps: MeshDeps,
  extra: { slowIntervalMs?: number; intervalMs?: number } = {},
): Poller {
  return new Poller({
    targets: pollTargets(m.links, m.clients),
    links: m.links,
    thresholds: m.thresholds,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...extra,
  });
}

/**
 * The mesh's links as telemetry sees them: per link and database, the two directions, each with the
 * `_replicator` doc that drives it and the node that holds it. Mirrors the planner (plan/desired.ts):
 * doc id `couchmesh.<mesh>.<db>.<from>--<to>`, on the target node (pull) or on the source node when
 * the source is behind NAT (push).
 */
import { docId, placement } from '../plan/desired.ts';
import type { MeshSpec } from '../spec/types.ts';

export interface DirectionRef {
  from: string;
  to: string;
  /** node whose `_replicator` holds the doc */
  docNode: string;
  mode: 'pull' | 'push';
  docId: string;
  /** the link's `checkpoint_interval` (ms); `_active_tasks` overrides it when it reports one */
  checkpointIntervalMs: number;
}

export interface MeshLink {
  mesh: string;
  /** `a--b`, the unordered pair (LinkSpec.key) */
  link: string;
  db: string;
  directions: readonly [DirectionRef, DirectionRef];
}

/** `from->to`: how findings and views name a direction. */
export const directionKey = (from: string, to: string) => `${from}->${to}`;

/** Every link × database of a resolved mesh, both directions, in spec order. */
export function meshLinks(spec: MeshSpec): MeshLink[] {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const out: MeshLink[] = [];
  for (const link of spec.links) {
    const [a, b] = link.nodes.map((n) => byName.get(n));
    if (!a || !b) continue;
    for (const db of link.databases) {
      const dir = (from: typeof a, to: typeof a): DirectionRef => {
        const where = placement(from, to);
        return {
          from: from.name,
          to: to.name,
          docNode: where.node,
          mode: where.mode,
          docId: docId(spec.mesh, db, from.name, to.name),
          checkpointIntervalMs: link.params.checkpoint_interval,
        };
      };
      out.push({ mesh: spec.mesh, link: link.key, db, directions: [dir(a, b), dir(b, a)] });
    }
  }
  return out;
}

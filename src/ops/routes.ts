/**
 * `couchmesh routes` (#15): every direction's path as the nodes hold it (no controller needed): direct,
 * or relayed (via, mode, why, since) read from the `couchmesh.route` marker of its `_replicator`
 * docs, and the store-and-forward legs that carry it. A node that could not be read is listed; its
 * docs' routes are then unknown.
 */
import { meshDirections } from '../failover/routes.ts';
import type { RouteMarker } from '../failover/types.ts';
import { observeMesh } from '../plan/observe.ts';
import { markerOf } from '../plan/plan.ts';
import type { ObservedNode } from '../plan/types.ts';
import type { MeshSpec } from '../spec/types.ts';
import type { ValidationResult } from '../spec/validate.ts';
import { DEFAULT_CONCURRENCY, type MeshDeps } from './deps.ts';
import { MeshInvalidError, openMesh } from './mesh.ts';

export interface RouteLeg {
  id: string;
  /** node holding the leg's `_replicator` doc */
  node: string;
  from: string;
  to: string;
  db: string;
}

export interface DirectionRoute {
  direction: string;
  from: string;
  to: string;
  link: string;
  path: 'direct' | 'relayed' | 'unknown';
  via?: string;
  mode?: RouteMarker['mode'];
  /** why the path is what it is */
  reason: string;
  since?: string;
  /** databases whose doc carries this route */
  dbs: string[];
  /** store-and-forward: the legs through `via` */
  legs: RouteLeg[];
}

export interface RoutesView {
  mesh: string;
  /** the mesh declares `failover:` (the controller routes degraded directions) */
  failover: boolean;
  directions: DirectionRoute[];
  /** nodes that could not be read */
  unreachable: string[];
}

/** The routes as the observed nodes hold them (pure). */
export function routesOf(spec: MeshSpec, observed: readonly ObservedNode[]): RoutesView {
  const unreachable = observed.filter((o) => !o.reachable || o.refused).map((o) => o.node);
  const markers = new Map<string, Array<{ db: string; route?: RouteMarker }>>();
  const legs: Array<RouteLeg & { via: string }> = [];
  for (const o of observed)
    for (const doc of o.replicator) {
      const m = markerOf(doc.body);
      if (!m || m.mesh !== spec.mesh) continue;
      if (m.route?.leg) {
        legs.push({ id: doc.id, node: o.node, from: m.from, to: m.to, db: m.db, via: m.route.via });
        continue;
      }
      const k = `${m.from}->${m.to}`;
      const list = markers.get(k) ?? [];
      list.push({ db: m.db, ...(m.route ? { route: m.route } : {}) });
      markers.set(k, list);
    }
  const directions = meshDirections(spec).map((d): DirectionRoute => {
    const seen = markers.get(d.direction) ?? [];
    const routed = seen.find((s) => s.route)?.route;
    const base = { direction: d.direction, from: d.from, to: d.to, link: d.link };
    if (routed) {
      const mine = legs.filter(
        (l) =>
          l.via === routed.via &&
          (l.from === d.from || l.to === d.to) &&
          !(l.from === d.from && l.to === d.to),
      );
      return {
        ...base,
        path: 'relayed',
        via: routed.via,
        mode: routed.mode,
        reason: routed.reason,
        since: routed.since,
        dbs: seen.filter((s) => s.route).map((s) => s.db),
        // the leg into the relay first
        legs:
          routed.mode === 'store-and-forward'
            ? mine
                .sort((x, y) => (x.to === routed.via ? -1 : y.to === routed.via ? 1 : 0))
                .map(({ via: _, ...l }) => l)
            : [],
      };
    }
    if (!seen.length)
      return {
        ...base,
        path: 'unknown',
        reason: 'no replication doc found (not applied, or its node unread)',
        dbs: [],
        legs: [],
      };
    return { ...base, path: 'direct', reason: 'the declared link', dbs: seen.map((s) => s.db), legs: [] };
  });
  return { mesh: spec.mesh, failover: spec.failover !== undefined, directions, unreachable };
}

export interface RoutesResult {
  validation: ValidationResult;
  view: RoutesView;
}

/** Reads every node's `_replicator` docs and says each direction's path. */
export async function routesOperation(flags: { file?: string }, deps: MeshDeps): Promise<RoutesResult> {
  const opened = openMesh(flags, deps);
  if (!opened.ok) throw new MeshInvalidError(opened.validation);
  const m = opened.mesh;
  try {
    const observed = await observeMesh(m.spec, m.clients, deps.concurrency ?? DEFAULT_CONCURRENCY);
    return { validation: m.validation, view: routesOf(m.spec, observed) };
  } finally {
    await m.close();
  }
}

/**
 * FAILOVER routes as desired state (#15): an overlay on the desired `_replicator` docs. Routes live
 * on the nodes (a marker `couchmesh.route` on the rerouted direction's docs), so the planner keeps
 * the routes it observes unless the router hands it a new set: `couchmesh plan/apply` never fight
 * the router.
 *
 * - proxy: the direction's doc gets `source_proxy` (pull: the remote side is the source) or
 *   `target_proxy` (push) = the relay's forward proxy. CouchDB leaves proxies out of the
 *   replication id (couch_replicator_ids), so the job keeps its id and its checkpoints.
 * - store-and-forward: the direction's doc stays (marked; it keeps retrying the direct path) and
 *   two marked leg docs A->R and R->B carry the database through the relay (created on R when
 *   missing), unless a declared link already replicates that pair. Legs of a route given up are
 *   deleted (plan.ts: `unrouted`).
 *
 * The canary database is never rerouted: its docs (`doc_ids`) always measure the direct path.
 */
import type { RouteMarker } from '../failover/types.ts';
import type { LinkSpec, MeshSpec, NodeSpec } from '../spec/types.ts';
import { directionDoc, docId, ownedHash, type PasswordOf, pickOwned } from './desired.ts';
import { markerOf } from './plan.ts';
import { routedSecurity } from './security.ts';
import type { DesiredDoc, DesiredState, ObservedNode } from './types.ts';
import { desiredUsers } from './users.ts';

/** The canary database's default name (src/canary's `canary.database`). */
const CANARY_DB = 'couchmesh_canary';

const isCanary = (d: DesiredDoc, canaryDb: string) =>
  d.body.couchmesh.db === canaryDb || (d.body as unknown as Record<string, unknown>).doc_ids !== undefined;

/**
 * `from->to` -> the route marker its docs carry on the nodes (first doc found wins). A leg whose
 * direction's doc was not read (its node unreachable: in store-and-forward, the offline target)
 * keeps that direction's route, so a plan made meanwhile never deletes the legs carrying its data.
 */
export function observedRoutes(mesh: string, observed: readonly ObservedNode[]): Map<string, RouteMarker> {
  const out = new Map<string, RouteMarker>();
  const seen = new Set<string>();
  const legs: RouteMarker[] = [];
  for (const o of observed)
    for (const doc of o.replicator) {
      const m = markerOf(doc.body);
      if (!m || m.mesh !== mesh) continue;
      if (m.route?.leg) {
        legs.push(m.route);
        continue;
      }
      const key = `${m.from}->${m.to}`;
      seen.add(key);
      if (m.route && !out.has(key)) out.set(key, m.route);
    }
  for (const l of legs)
    if (l.direction && !seen.has(l.direction) && !out.has(l.direction)) {
      const { leg: _, direction: __, ...route } = l;
      out.set(l.direction, { ...route, reason: route.reason.replace(/^relay leg of \S+: /, '') });
    }
  return out;
}

/** The leg docs' id: the direction's id scheme with `.route` after it (never a declared doc's id). */
export const legId = (mesh: string, db: string, from: string, to: string) =>
  `${docId(mesh, db, from, to)}.route`;

export interface RouteOverlay {
  spec: MeshSpec;
  routes: ReadonlyMap<string, RouteMarker>;
  password: PasswordOf;
  canaryDb?: string;
}

/** The desired state with the routes applied (pure; `desired` is not changed). */
export function routeDesired(desired: DesiredState, o: RouteOverlay): DesiredState {
  if (!o.routes.size) return desired;
  const canaryDb = o.canaryDb ?? CANARY_DB;
  const byName = new Map(o.spec.nodes.map((n) => [n.name, n]));
  const linkOf = new Map(o.spec.links.map((l) => [l.key, l]));
  const docs: DesiredDoc[] = [];
  const legs = new Map<string, DesiredDoc>();
  const dbs = [...desired.databases];
  const carried = (a: string, b: string, db: string) =>
    o.spec.links.some((l) => l.nodes.includes(a) && l.nodes.includes(b) && l.databases.includes(db));
  for (const d of desired.docs) {
    const m = d.body.couchmesh;
    const route = o.routes.get(`${m.from}->${m.to}`);
    const relay = route && byName.get(route.via);
    if (!route || !relay || isCanary(d, canaryDb)) {
      docs.push(d);
      continue;
    }
    if (route.mode === 'proxy') {
      const proxy = o.spec.failover?.relays[route.via]?.proxy;
      if (!proxy) {
        docs.push(d);
        continue;
      }
      // the driving node reaches the other end through the relay: the source when pulling
      const side = d.mode === 'pull' ? 'source_proxy' : 'target_proxy';
      docs.push(remark({ ...d, body: { ...d.body, [side]: proxy } }, route));
      continue;
    }
    docs.push(remark(d, route));
    const link = linkOf.get(m.link) as LinkSpec;
    const leg = (from: NodeSpec, to: NodeSpec) => {
      if (carried(from.name, to.name, m.db)) return;
      const id = legId(o.spec.mesh, m.db, from.name, to.name);
      if (legs.has(id)) return;
      const key = [from.name, to.name].sort().join('--');
      const base = directionDoc(
        legSpec(o.spec, key, link.key),
        { ...link, key, nodes: [from.name, to.name], databases: [m.db], endpoints: {} },
        m.db,
        from,
        to,
        o.password,
      );
      const direction = `${m.from}->${m.to}`;
      legs.set(
        id,
        remark(
          { ...base, id },
          { ...route, reason: `relay leg of ${direction}: ${route.reason}`, leg: true, direction },
        ),
      );
    };
    const [a, b] = [byName.get(m.from), byName.get(m.to)] as [NodeSpec, NodeSpec];
    leg(a, relay);
    leg(relay, b);
    if (!dbs.some((x) => x.node === relay.name && x.db === m.db)) dbs.push({ node: relay.name, db: m.db });
  }
  const all = [...docs, ...legs.values()];
  if (!o.spec.replication_users || !legs.size) return { ...desired, databases: dbs, docs: all };
  // least privilege follows the legs: their users on both ends, the relay's database open to them
  const users = desiredUsers(o.spec, all);
  const security = routedSecurity(o.spec, dbs, [...legs.values()]);
  return {
    ...desired,
    databases: dbs,
    docs: all,
    ...(users.length ? { users } : {}),
    ...(security.length ? { security } : {}),
  };
}

/**
 * The spec a leg's doc is built from: with `replication_users: { per: link }`, the leg `a--R` of a
 * direction of link L authenticates as L's user (the route carries L's data, so no other rights are
 * needed, and no admin credentials end up in a leg); per node, the driving node's user as for any doc.
 */
function legSpec(spec: MeshSpec, legKey: string, linkKey: string): MeshSpec {
  const r = spec.replication_users;
  const user = r?.per === 'link' ? r.users[linkKey] : undefined;
  if (!r || !user) return spec;
  return { ...spec, replication_users: { ...r, users: { ...r.users, [legKey]: user } } };
}

/** The doc with the route marker and the ownership hash of its (possibly proxied) fields. */
function remark(d: DesiredDoc, route: RouteMarker): DesiredDoc {
  const { couchmesh, ...fields } = d.body;
  return {
    ...d,
    body: { ...d.body, couchmesh: { ...couchmesh, spec: ownedHash(pickOwned(fields)), route } },
  };
}

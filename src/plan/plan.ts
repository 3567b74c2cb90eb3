import { createHash } from 'node:crypto';
import { ownedHash, stableJson } from './desired.ts';
import type {
  Action,
  DesiredState,
  ManagedReplication,
  ObservedNode,
  OwnershipMarker,
  Plan,
} from './types.ts';

/** Fields compared between desired and observed (server-written fields such as `_replication_*`, `owner` are not ours). */
const OWNED: Array<keyof ManagedReplication> = [
  'source',
  'target',
  'continuous',
  'create_target',
  'checkpoint_interval',
  'worker_batch_size',
  'http_connections',
  'connection_timeout',
  'retries_per_request',
  'couchmesh',
];

export function markerOf(body: Record<string, unknown>): OwnershipMarker | undefined {
  const m = body.couchmesh as OwnershipMarker | undefined;
  return m && typeof m === 'object' && typeof m.mesh === 'string' && typeof m.spec === 'string'
    ? m
    : undefined;
}

/** A fingerprint of what was observed (ids and revs per node): a saved plan applies only to this state. */
export function fingerprint(observed: ObservedNode[]): string {
  const h = createHash('sha256');
  for (const n of [...observed].sort((a, b) => (a.node < b.node ? -1 : 1))) {
    h.update(`${n.node}\0${n.reachable}\0${[...n.databases].sort().join(',')}\0`);
    for (const d of [...n.replicator].sort((a, b) => (a.id < b.id ? -1 : 1))) h.update(`${d.id}@${d.rev}\0`);
  }
  return h.digest('hex').slice(0, 16);
}

export interface PlanOptions {
  /** delete managed docs that are no longer desired */
  prune?: boolean;
  /** destroy: delete every managed doc of this mesh, create nothing */
  destroy?: boolean;
}

/**
 * desired + observed -> plan (pure). Only documents carrying this mesh's ownership marker are ever
 * updated or deleted; a foreign document is never touched (if it holds one of our ids, that is an
 * error for that document). Re-planning right after a successful apply yields no actions.
 */
export function makePlan(desired: DesiredState, observed: ObservedNode[], opts: PlanOptions = {}): Plan {
  const plan: Plan = {
    mesh: desired.mesh,
    actions: [],
    drift: [],
    orphans: [],
    unreachable: [],
    errors: [],
    observed: fingerprint(observed),
    noop: 0,
  };
  const byNode = new Map(observed.map((o) => [o.node, o]));
  for (const o of observed)
    if (!o.reachable)
      plan.unreachable.push({
        node: o.node,
        code: o.error?.code ?? 'E_UNREACHABLE',
        message: o.error?.message ?? 'unreachable',
      });
  const usable = (node: string) => byNode.get(node)?.reachable === true;

  if (!opts.destroy)
    for (const { node, db } of desired.databases)
      if (usable(node) && !byNode.get(node)?.databases.includes(db))
        plan.actions.push({ kind: 'create-db', node, db });

  const wanted = new Set<string>();
  if (!opts.destroy)
    for (const d of desired.docs) {
      wanted.add(`${d.node}\0${d.id}`);
      if (!usable(d.node)) continue;
      const current = byNode.get(d.node)?.replicator.find((x) => x.id === d.id);
      if (!current) {
        plan.actions.push({ kind: 'create-doc', node: d.node, id: d.id, doc: d.body });
        continue;
      }
      const marker = markerOf(current.body);
      if (!marker || marker.mesh !== desired.mesh) {
        plan.errors.push({
          node: d.node,
          id: d.id,
          message: `a replication document not managed by mesh '${desired.mesh}' already uses the id ${d.id}; couchmesh will not overwrite it`,
        });
        continue;
      }
      const changed = OWNED.filter((k) => stableJson(current.body[k]) !== stableJson(d.body[k]));
      if (!changed.length) {
        plan.noop++;
        continue;
      }
      // drift = the doc no longer matches the hash we stamped into it when we wrote it
      const edited = ownedHash(current.body as unknown as ManagedReplication) !== marker.spec;
      const drifted = edited ? OWNED.filter((k) => k !== 'couchmesh' && changed.includes(k)) : [];
      if (edited) plan.drift.push({ node: d.node, id: d.id, fields: drifted });
      plan.actions.push({
        kind: 'update-doc',
        node: d.node,
        id: d.id,
        rev: current.rev,
        doc: d.body,
        changed,
        drift: edited,
      });
    }

  for (const o of observed) {
    if (!o.reachable) continue;
    for (const doc of o.replicator) {
      const marker = markerOf(doc.body);
      if (!marker || marker.mesh !== desired.mesh || wanted.has(`${o.node}\0${doc.id}`)) continue;
      if (opts.destroy || opts.prune)
        plan.actions.push({
          kind: 'delete-doc',
          node: o.node,
          id: doc.id,
          rev: doc.rev,
          reason: opts.destroy ? 'destroy' : 'pruned',
        });
      else plan.orphans.push({ node: o.node, id: doc.id });
    }
  }
  return plan;
}

export function hasChanges(plan: Plan): boolean {
  return plan.actions.length > 0;
}

/** Replaces every password in a value with "(sensitive)" (for display and --json). */
export function redact<T>(v: T): T {
  if (Array.isArray(v)) return v.map(redact) as T;
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, k === 'password' ? '(sensitive)' : redact(x)]),
    ) as T;
  return v;
}

export type { Action };

/** A plan as shown to anyone (CLI `--json`, a controller's API): plain data, no secret in it, ever. */
import type { RequestCount } from '../plan/observe.ts';
import {
  hasChanges,
  isComplete,
  type PlanOptions,
  type PlanSummary,
  redact,
  summarize,
} from '../plan/plan.ts';
import type { Action, ObservedNode, Plan } from '../plan/types.ts';
import type { MeshSpec } from '../spec/types.ts';

/**
 * What a view is made of: the parts of a prepared run it shows (a PlanRun is one). Named here, not
 * taken from plan.ts, so the view stays below the operation that returns it; and no clients.
 */
export interface PlanViewInput {
  file: string;
  spec: MeshSpec;
  options: PlanOptions;
  observed: ObservedNode[];
  plan: Plan;
  /** per-node request counts of the observation */
  observeRequests: Map<string, RequestCount>;
}

export interface NodeObservation {
  node: string;
  url: string;
  reachable: boolean;
  /** reachable, but it refused couchmesh's credentials (401/403): not observed, nothing written there */
  refused?: boolean;
  error?: { code: string; message: string };
  /** a cluster node: the member that answered the observation */
  member?: string;
  /** couchmesh documents of this mesh found in the node's `_replicator` */
  managed_docs: number;
  /** other documents in `_replicator` (never touched) */
  other_docs: number;
  requests: RequestCount;
}

export interface PlanView {
  mesh: string;
  file: string;
  mode: 'apply' | 'destroy';
  prune: boolean;
  /** there are actions to apply */
  changes: boolean;
  /** every node was observed and nothing is blocked */
  complete: boolean;
  summary: PlanSummary;
  nodes: NodeObservation[];
  actions: Action[];
  drift: Plan['drift'];
  orphans: Plan['orphans'];
  /** this mesh's replication users no longer desired, kept because --prune was not given */
  kept_users?: NonNullable<Plan['kept_users']>;
  unreachable: Plan['unreachable'];
  /** nodes that refused couchmesh's credentials, each with the fix (the env/file reference to check) */
  refused: Plan['refused'];
  errors: Plan['errors'];
  /** updates that re-scan a direction from seq 0 (a new replication id), with the cost and the hint */
  warnings?: NonNullable<Plan['warnings']>;
  /** fingerprint of the observed state */
  observed: string;
  /** databases kept by destroy */
  databases_kept?: Array<{ node: string; db: string }>;
}

export function planView(run: PlanViewInput): PlanView {
  const p = run.plan;
  const nodes = run.spec.nodes.map((n): NodeObservation => {
    const o = run.observed.find((x) => x.node === n.name);
    const managed = o?.replicator.filter((d) => {
      const m = d.body.couchmesh as { mesh?: unknown } | undefined;
      return m && typeof m === 'object' && m.mesh === run.spec.mesh;
    }).length;
    return {
      node: n.name,
      url: n.url,
      reachable: o?.reachable === true,
      ...(o?.refused ? { refused: true } : {}),
      ...(o?.error ? { error: redact(o.error) } : {}),
      ...(o?.member ? { member: o.member } : {}),
      managed_docs: managed ?? 0,
      other_docs: (o?.replicator.length ?? 0) - (managed ?? 0),
      requests: run.observeRequests.get(n.name) ?? { reads: 0, writes: 0 },
    };
  });
  const view: PlanView = {
    mesh: p.mesh,
    file: run.file,
    mode: run.options.destroy ? 'destroy' : 'apply',
    prune: run.options.prune === true,
    changes: hasChanges(p),
    complete: isComplete(p),
    summary: summarize(p),
    nodes,
    actions: redact(p.actions),
    drift: redact(p.drift),
    orphans: p.orphans,
    ...(p.kept_users?.length ? { kept_users: p.kept_users } : {}),
    unreachable: redact(p.unreachable),
    refused: redact(p.refused),
    errors: redact(p.errors),
    warnings: redact(p.warnings ?? []),
    observed: p.observed,
  };
  if (run.options.destroy)
    view.databases_kept = run.observed.flatMap((o) =>
      o.reachable
        ? run.spec.databases
            .filter((d) => o.databases.includes(d.name))
            .map((d) => ({ node: o.node, db: d.name }))
        : [],
    );
  return view;
}

/**
 * The controller as its front ends see it (HTTP API, dashboard, `couchmesh run`'s log): a snapshot
 * of everything it knows, a stream of what changes, and the few commands an operator may trigger.
 * The controller (`src/controller`) implements `ControllerHandle`; `src/api` serves it. Everything
 * here is plain JSON-safe data, already redacted (no secret ever reaches a front end).
 */
import type { CanaryFields } from '../canary/fields.ts';
import type { Finding } from '../health/types.ts';
import type { ResolutionSummary } from '../ops/conflicts-mesh.ts';
import type { StatusReport } from '../ops/status.ts';

/** A node of the live graph (mesh.yaml's role and region; the URL without userinfo). */
export interface GraphNode {
  name: string;
  url: string;
  role: 'edge' | 'relay' | 'hub';
  region: string | null;
}

/**
 * A replication direction of the live graph. `via` names relay nodes when FAILOVER reroutes it; the
 * optional canary fields are its node pair's canary latency (newest, p50/p95 of the history).
 */
export interface GraphDirection extends CanaryFields {
  direction: string;
  link: string;
  db: string;
  from: string;
  to: string;
  via: string[];
}

/**
 * FAILOVER (#15): a direction's route as the router last set it (only directions it ever looked at
 * while `failover:` is declared): direct, relayed through `via`, or degraded with no relay (nothing
 * changed for it: a critical finding says so).
 */
export interface RouteState {
  direction: string;
  from: string;
  to: string;
  path: 'direct' | 'relayed' | 'no-relay';
  via: string | null;
  mode: 'proxy' | 'store-and-forward' | null;
  /** why: the degradation's reason (relayed, no-relay) */
  reason: string | null;
  /** when this path was taken (ISO) */
  since: string;
}

/** One thing the controller did (or, with --dry-run, would have done). */
export interface ControllerAction {
  id: string;
  at: string;
  /** the loop that acted */
  loop: 'drift' | 'remediate' | 'resolve' | 'deep-check' | 'operator' | 'route';
  /** what it did: `apply`, `restart-job`, `reset-checkpoints`, `reconcile`, `resolve`, `undo` … */
  kind: string;
  /** the work-queue key it acted on: `direction:n1->n2/sensors`, `db:sensors@n1`, `mesh` … */
  target: string;
  /**
   * `interrupted`: the controller was stopped (SIGKILL, a forced stop) after it wrote down what it
   * was about to do and before it recorded the outcome; `detail` says what that was. It may have
   * acted in part: the loop's next pass re-reads the state and does what is still needed.
   */
  outcome: 'done' | 'failed' | 'declined' | 'dry-run' | 'rate-limited' | 'interrupted';
  detail: string;
  /** the finding that triggered it, when one did */
  finding?: string;
  /** the audit record it wrote, when it wrote one */
  audit_id?: string;
}

/** A resolution of one conflicted document, as the dashboard lists it (the audit entry's summary). */
export type { ResolutionSummary } from '../ops/conflicts-mesh.ts';

/** Conflicts of one database on one node. */
export interface ConflictCounts {
  db: string;
  node: string;
  /** documents with `_conflicts` at the last look */
  conflicted: number;
  /** resolutions since the controller started (grows only) */
  resolved_total: number;
  declined_total: number;
  at: string;
}

export interface ControllerSnapshot {
  mesh: string;
  started_at: string;
  /** bumps on every change, so clients can tell a stale snapshot */
  generation: number;
  dry_run: boolean;
  nodes: GraphNode[];
  directions: GraphDirection[];
  /** the latest poll (null before the first) */
  status: StatusReport | null;
  findings: Finding[];
  conflicts: ConflictCounts[];
  /** newest last, bounded */
  resolutions: ResolutionSummary[];
  /** newest last, bounded */
  actions: ControllerAction[];
  /** the latest drift plan: pending changes by action kind (empty when the mesh is as declared) */
  drift: { at: string; changes: Record<string, number> } | null;
  /** FAILOVER: per direction, its route (empty without `failover:`); `directions[].via` follows it */
  routes: RouteState[];
}

export type ControllerEvent =
  | { type: 'poll'; generation: number; status: StatusReport }
  | { type: 'finding'; generation: number; change: 'raised' | 'changed' | 'resolved'; finding: Finding }
  | { type: 'action'; generation: number; action: ControllerAction }
  | { type: 'conflicts'; generation: number; counts: ConflictCounts }
  | { type: 'resolution'; generation: number; resolution: ResolutionSummary }
  | { type: 'drift'; generation: number; drift: NonNullable<ControllerSnapshot['drift']> }
  | { type: 'route'; generation: number; route: RouteState };

/** What an operator may ask for (the dashboard puts each behind a confirmation). */
export interface ControllerCommands {
  resetCheckpoint(direction: string, db: string): Promise<ControllerAction>;
  reconcile(direction: string, db: string): Promise<ControllerAction>;
  undoResolution(db: string, auditId: string): Promise<ControllerAction>;
}

export interface ControllerHandle extends ControllerCommands {
  snapshot(): ControllerSnapshot;
  /** every event after the call; returns the unsubscribe function */
  subscribe(listener: (e: ControllerEvent) => void): () => void;
  /** Prometheus text exposition (the same registry as `couchmesh metrics`) */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** the live graph as Mermaid (as `couchmesh graph` prints it, routes included) */
  mermaid(): string;
}

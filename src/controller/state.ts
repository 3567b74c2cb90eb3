/**
 * What the controller knows, as its front ends see it (view.ts): the snapshot, bumped on every
 * change, and the event stream. Lists are bounded (newest last). Everything put here is already
 * redacted by the controller.
 */
import { withCanary } from '../canary/fields.ts';
import type { CanaryStats } from '../canary/types.ts';
import type { Finding } from '../health/types.ts';
import type { StatusReport } from '../ops/status.ts';
import { routed } from './route-view.ts';
import type {
  ConflictCounts,
  ControllerAction,
  ControllerEvent,
  ControllerSnapshot,
  GraphDirection,
  GraphNode,
  ResolutionSummary,
  RouteState,
} from './view.ts';

export const KEEP_ACTIONS = 200;
export const KEEP_RESOLUTIONS = 200;

type Listener = (e: ControllerEvent) => void;
// ControllerEvent without its generation (the state stamps it)
type EventBody = ControllerEvent extends infer E
  ? E extends ControllerEvent
    ? Omit<E, 'generation'>
    : never
  : never;

export class ControllerState {
  #snap: ControllerSnapshot;
  readonly #listeners = new Set<Listener>();
  /** the canary loop's per-direction stats (FAILOVER), put on every status row and graph direction */
  #canary: ((from: string, to: string) => CanaryStats | undefined) | undefined;

  constructor(init: {
    mesh: string;
    startedAt: number;
    dryRun: boolean;
    nodes: GraphNode[];
    directions: GraphDirection[];
    actions: ControllerAction[];
  }) {
    this.#snap = {
      mesh: init.mesh,
      started_at: new Date(init.startedAt).toISOString(),
      generation: 0,
      dry_run: init.dryRun,
      nodes: init.nodes,
      directions: init.directions,
      status: null,
      findings: [],
      conflicts: [],
      resolutions: [],
      actions: init.actions.slice(-KEEP_ACTIONS),
      drift: null,
      routes: [],
    };
  }

  snapshot(): ControllerSnapshot {
    return structuredClone(this.#snap);
  }

  get generation(): number {
    return this.#snap.generation;
  }

  subscribe(l: Listener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  #emit(e: EventBody): void {
    const generation = ++this.#snap.generation;
    const event = { ...e, generation } as ControllerEvent;
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // a front end's listener never breaks the controller
      }
    }
  }

  poll(status: StatusReport): void {
    const c = this.#canary;
    this.#snap.status = c ? { ...status, directions: withCanary(status.directions, c) } : status;
    this.#emit({ type: 'poll', status: this.#snap.status });
  }

  /** New canary stats: on the graph's directions, and on the latest status re-sent as a poll event. */
  canary(stats: (from: string, to: string) => CanaryStats | undefined): void {
    this.#canary = stats;
    this.#snap.directions = withCanary(this.#snap.directions, stats);
    if (this.#snap.status) this.poll(this.#snap.status);
    else ++this.#snap.generation;
  }

  findings(
    open: Finding[],
    changes: Array<{ change: 'raised' | 'changed' | 'resolved'; finding: Finding }>,
  ): void {
    this.#snap.findings = open;
    if (!changes.length) return;
    for (const c of changes) this.#emit({ type: 'finding', change: c.change, finding: c.finding });
  }

  action(a: ControllerAction): void {
    const list = this.#snap.actions.filter((x) => x.id !== a.id);
    list.push(a);
    this.#snap.actions = list.slice(-KEEP_ACTIONS);
    this.#emit({ type: 'action', action: a });
  }

  conflicts(c: ConflictCounts): void {
    const list = this.#snap.conflicts.filter((x) => !(x.db === c.db && x.node === c.node));
    list.push(c);
    this.#snap.conflicts = list;
    this.#emit({ type: 'conflicts', counts: c });
  }

  counts(db: string, node: string): ConflictCounts | undefined {
    return this.#snap.conflicts.find((x) => x.db === db && x.node === node);
  }

  resolution(r: ResolutionSummary): void {
    this.#snap.resolutions = [...this.#snap.resolutions, r].slice(-KEEP_RESOLUTIONS);
    this.#emit({ type: 'resolution', resolution: r });
  }

  markUndone(auditId: string): void {
    for (const r of this.#snap.resolutions) if (r.audit_id === auditId) r.undone = true;
  }

  /** the open findings (the router adds its own to the poll's) */
  get openFindings(): readonly Finding[] {
    return this.#snap.findings;
  }

  /** FAILOVER: a direction's route changed; its graph directions' `via` follow (events.ts does the same) */
  route(r: RouteState): void {
    this.#snap = routed(this.#snap, r);
    this.#emit({ type: 'route', route: r });
  }

  drift(d: NonNullable<ControllerSnapshot['drift']>): void {
    this.#snap.drift = d;
    this.#emit({ type: 'drift', drift: d });
  }
}

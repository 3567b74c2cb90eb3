/**
 * The real controller (`couchmesh run`) inside a rehearsal: started once on the rehearsal's mesh
 * file, with its clock and short intervals, for the whole rehearsal, so its loops (observe + health,
 * drift repair, deep check, conflict resolution, remediation, the FAILOVER router) act during the
 * faults and the heal as they would in production. The operations layer may not import the
 * controller (it sits above it), so the front end injects `startController` through
 * `StartRehearsalController`; what the rehearsal reads of it is the structural subset below of
 * src/controller/view.ts's ControllerHandle.
 */
import type { Clock } from '../core/clock.ts';
import type { Finding } from '../health/types.ts';
import type { MeshDeps } from './deps.ts';
import type { StatusReport } from './status.ts';

/** What the rehearsal reads of a controller action (view.ts's ControllerAction). */
export interface RehearsalAction {
  loop: string;
  kind: string;
  target: string;
  outcome: string;
  detail: string;
}

/** What the rehearsal reads of the controller's snapshot (view.ts's ControllerSnapshot). */
export interface RehearsalSnapshot {
  status: StatusReport | null;
  findings: Finding[];
  conflicts: Array<{ db: string; node: string; conflicted: number; resolved_total: number; at: string }>;
  drift: { at: string; changes: Record<string, number> } | null;
  routes: Array<{ direction: string; path: string; via: string | null; since: string }>;
}

export interface RehearsalController {
  snapshot(): RehearsalSnapshot;
  subscribe(
    listener: (e: {
      type: string;
      action?: RehearsalAction;
      route?: { direction: string; path: string; via: string | null };
    }) => void,
  ): () => void;
  stop(): Promise<void>;
}

export interface RehearsalControllerOptions {
  file: string;
  /** the controller's local store, in the rehearsal's folder */
  stateDir: string;
  /** its log (a file in the rehearsal's folder: never the rehearsal's output) */
  logFile: string;
}

export type StartRehearsalController = (o: RehearsalControllerOptions, deps: MeshDeps) => RehearsalController;

/**
 * The controller's intervals in a rehearsal (laid over the file's `controller:` block; its
 * remediation policies and limits stay): a poll every 500 ms, drift repair and the deep check every
 * 2 s, conflict resolution every second, so a scenario of seconds sees every loop act many times.
 */
export const REHEARSAL_CONTROLLER = {
  poll_interval_ms: 500,
  drift_interval_ms: 2000,
  deep_check_interval_ms: 2000,
  conflicts_interval_ms: 1000,
} as const;

/** Route changes the router reported (FAILOVER): per direction, each switch counted once. */
export interface RouteTally {
  /** a direction routed through a relay */
  relayed: number;
  /** a degraded direction left with no usable relay (the router gave the route up) */
  given_up: number;
  /** a direction back on its direct link */
  direct: number;
}

/** Every action the controller records, counted by loop and by `loop/kind`, and its route changes. */
export class ActionTally {
  private byLoop = new Map<string, number>();
  private byKind = new Map<string, number>();
  private routes: RouteTally = { relayed: 0, given_up: 0, direct: 0 };
  /** route changes with their time on the clock, for the scenario's steps */
  private changes: Array<{ at: number; text: string }> = [];
  private readonly off: () => void;

  constructor(c: RehearsalController, clock: Clock) {
    this.off = c.subscribe((e) => {
      if (e.type === 'route' && e.route) {
        const p = e.route.path;
        const how =
          p === 'relayed' ? `via ${e.route.via}` : p === 'no-relay' ? 'degraded, no usable relay' : 'direct';
        this.changes.push({ at: clock.now(), text: `route ${e.route.direction} ${how}` });
        if (p === 'relayed') this.routes.relayed++;
        else if (p === 'no-relay') this.routes.given_up++;
        else this.routes.direct++;
      }
      if (e.type !== 'action' || !e.action) return;
      const a = e.action;
      this.byLoop.set(a.loop, (this.byLoop.get(a.loop) ?? 0) + 1);
      const k = `${a.loop}/${a.kind}`;
      this.byKind.set(k, (this.byKind.get(k) ?? 0) + 1);
    });
  }

  /** counts since the last `take()` (one scenario's) */
  take(): {
    loops: Record<string, number>;
    kinds: Record<string, number>;
    routes: RouteTally;
    changes: Array<{ at: number; text: string }>;
  } {
    const out = {
      loops: Object.fromEntries(this.byLoop),
      kinds: Object.fromEntries(this.byKind),
      routes: this.routes,
      changes: this.changes,
    };
    this.changes = [];
    this.byLoop = new Map();
    this.byKind = new Map();
    this.routes = { relayed: 0, given_up: 0, direct: 0 };
    return out;
  }

  close(): void {
    this.off();
  }
}

/** Conflicts the controller resolved so far, over every database and node it resolves on. */
export const resolvedTotal = (s: RehearsalSnapshot): number =>
  s.conflicts.reduce((n, c) => n + c.resolved_total, 0);

/** Findings a recreated database raises on purpose (CouchDB: its update seq restarts from 0). */
const RESET_RULES = new Set(['seq-regression', 'db-recreated']);

/**
 * A finding the scenario caused on purpose: a seq regression or recreated database on a direction
 * touching a `node/db` whose database it deleted and recreated. With remediation `none` the
 * controller keeps it open for the operator (it is true); it does not keep the mesh from converging.
 */
export function expectedFinding(f: Finding, reset: readonly string[]): boolean {
  if (!RESET_RULES.has(f.rule) || !f.db) return false;
  const ends = f.direction?.split('->') ?? (f.node ? [f.node] : []);
  return ends.some((n) => reset.includes(`${n}/${f.db}`));
}

/**
 * What still keeps the controller's view from "converged" after a heal at `healedAt` (ms), empty when
 * nothing does: a poll finished after the heal, every direction `running`, no critical finding (but
 * those the scenario caused on purpose, `reset`: see expectedFinding), no
 * conflict counted where a strategy is configured (counted after the heal), every route the router
 * set back on the direct link, the latest drift plan (after the heal) empty.
 */
export function notYet(
  s: RehearsalSnapshot,
  healedAt: number,
  strategies: readonly string[],
  reset: readonly string[] = [],
): string[] {
  const after = (iso: string | undefined) => iso !== undefined && Date.parse(iso) > healedAt;
  const out: string[] = [];
  const st = s.status;
  if (!st || !after(st.at)) return ['no poll since the heal'];
  const notRunning = st.directions.filter((d) => d.state !== 'running');
  if (notRunning.length)
    out.push(
      `${notRunning.length} directions not running (${notRunning[0]?.direction} ${notRunning[0]?.state})`,
    );
  const critical = s.findings.filter((f) => f.severity === 'critical' && !expectedFinding(f, reset));
  if (critical.length) out.push(`${critical.length} critical findings (${critical[0]?.rule})`);
  for (const db of strategies) {
    const counts = s.conflicts.filter((c) => c.db === db);
    if (!counts.length || counts.some((c) => !after(c.at)))
      out.push(`no conflict count of ${db} since the heal`);
    else if (counts.some((c) => c.conflicted > 0)) out.push(`conflicts left in ${db}`);
  }
  const relayed = s.routes.filter((r) => r.path !== 'direct');
  if (relayed.length)
    out.push(`${relayed.length} directions not back on their direct link (${relayed[0]?.direction})`);
  if (!s.drift || !after(s.drift.at)) out.push('no drift pass since the heal');
  else if (Object.values(s.drift.changes).some((n) => n > 0)) out.push('the drift plan is not empty');
  return out;
}

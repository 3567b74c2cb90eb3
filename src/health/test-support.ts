/**
 * Recorded series for the rule tests: the two-node link n1--n2 over `sensors` (checkpoint_interval
 * 5 s), polled every 5 s. n2 holds the doc of n1->n2 (pull); n1 holds the source db.
 */
import type { NodeSnapshot } from '../observe/snapshot.ts';
import {
  dbAt,
  type Progress,
  runningDoc,
  snapshot,
  T0,
  taskFor,
  twoNodeLink,
} from '../observe/test-support.ts';
import type { SchedulerDoc, SchedulerJob } from '../observe/types.ts';
import { evaluateHealth } from './evaluate.ts';
import type { DirectionContext } from './finding.ts';
import { byNode, directionSeries } from './series.ts';
import type { Finding, HealthThresholds, RuleId } from './types.ts';
import { withDefaults } from './types.ts';

export const L = twoNodeLink('n1', 'n2', 'sensors', 5000);
export const [N1N2, N2N1] = L.directions;
export const POLL = 5000;
export const TH: Partial<HealthThresholds> = { pollIntervalMs: POLL };

export interface Point extends Progress {
  /** ms after T0 */
  t: number;
  state?: SchedulerDoc['state'];
  /** source db update_seq on n1 (defaults to `source`) */
  db?: number;
  instance?: string;
  doc?: SchedulerDoc | null;
  jobs?: SchedulerJob[];
  task?: boolean;
}

/** One poll round per point: n2 with the n1->n2 doc (and its task when running), n1 with the source db. */
export function series(points: readonly Point[]): NodeSnapshot[] {
  return points.flatMap((p) => {
    const at = T0 + p.t;
    const doc = p.doc === undefined ? runningDoc(N1N2.docId, p, p.state ?? 'running', at) : p.doc;
    const withTask = p.task ?? doc?.state === 'running';
    const dbSeq = p.db ?? p.source;
    return [
      snapshot('n2', at, {
        docs: doc ? [doc] : [],
        tasks: doc && withTask ? [taskFor(doc, p, N1N2.checkpointIntervalMs)] : [],
        ...(p.jobs ? { jobs: p.jobs, jobsAt: at } : {}),
      }),
      snapshot('n1', at, { dbInfo: dbSeq === undefined ? {} : { sensors: dbAt(dbSeq, p.instance) } }),
    ];
  });
}

/** The rule context of n1->n2 as of `now` (default: the last point). */
export function ctxOf(
  snaps: readonly NodeSnapshot[],
  now?: number,
  t: Partial<HealthThresholds> = TH,
): DirectionContext {
  const when = now ?? Math.max(...snaps.map((s) => s.at));
  const nodes = byNode(snaps, when);
  const th = withDefaults(t);
  return {
    link: L,
    ref: N1N2,
    series: directionSeries(nodes, L, N1N2, th.pollIntervalMs / 2),
    docNode: nodes.get('n2')?.at(-1),
    now: when,
    t: th,
  };
}

/** Findings of one rule for the mesh, as of `now` (default: the last snapshot). */
export function findings(
  snaps: readonly NodeSnapshot[],
  rule: RuleId,
  now?: number,
  t: Partial<HealthThresholds> = TH,
): Finding[] {
  const when = now ?? Math.max(...snaps.map((s) => s.at));
  return evaluateHealth({ snapshots: snaps, links: [L] }, when, t).filter((f) => f.rule === rule);
}

/** `n` points `every` ms apart starting at t=0, numbers from `f(i)`. */
export const points = (n: number, every: number, f: (i: number) => Omit<Point, 't'>): Point[] =>
  Array.from({ length: n }, (_, i) => ({ t: i * every, ...f(i) }));

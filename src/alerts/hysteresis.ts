/**
 * When does an open alert resolve? Not when its finding first goes missing: a crashing CouchDB job
 * alternates between `crashing` (waiting out its backoff) and `running` (restarted at the next
 * reschedule, until it crashes again), so "absent for one poll" is the normal rhythm of a crash loop,
 * not a recovery. An open finding resolves once it has been absent from `afterPolls` consecutive
 * polls AND clear (measured on the poll times, i.e. the poller's injected Clock, from the first poll
 * that no longer saw it) for at least `minClearMs` and for longer than the job's current backoff.
 *
 * The backoff is CouchDB's: `couch_replicator_scheduler:backoff_micros/1`, 30 s × 2^(crashes-1)
 * capped at 2^10 (observe/backoff.ts). A job that stays up longer than the delay it last waited has
 * outlived its crash rhythm; one that crashes again within it was never healthy.
 */
import { type FindingDiff, findingKey } from '../health/diff.ts';
import type { Finding } from '../health/types.ts';
import { crashBackoffMs } from '../observe/backoff.ts';

export interface ClearPolicy {
  /** consecutive polls a finding must be absent (>= 1) */
  afterPolls: number;
  /** least time clear, ms (0: polls alone decide) */
  minClearMs: number;
  /** also hold a finding carrying a crash count for longer than that job's backoff */
  backoff: boolean;
}

/** What changed for the alerter this poll, after the clear hold. */
export interface Transitions {
  raised: Finding[];
  changed: Array<{ from: Finding; to: Finding }>;
  /** open before and still present, same severity */
  still: Finding[];
  resolved: Finding[];
  /** key -> when the finding was first raised (every finding above) */
  since: Map<string, number>;
}

/** The job's current backoff from a finding's evidence (crashing / error rules), else 0. */
export function backoffOf(f: Finding): number {
  const e = f.evidence;
  if (typeof e.backoffMs === 'number' && e.backoffMs > 0) return e.backoffMs;
  if (typeof e.errorCount === 'number' && e.errorCount > 0) return crashBackoffMs(e.errorCount);
  return 0;
}

export class ClearHold {
  readonly policy: ClearPolicy;
  /** findings considered open: key -> the latest finding and when it was first raised */
  readonly #open = new Map<string, { f: Finding; since: number }>();
  /** open findings absent from the latest polls: key -> polls absent, first absent poll time */
  readonly #absent = new Map<string, { polls: number; since: number }>();

  constructor(policy: Partial<ClearPolicy> = {}) {
    this.policy = {
      afterPolls: Math.max(1, policy.afterPolls ?? 2),
      minClearMs: Math.max(0, policy.minClearMs ?? 0),
      backoff: policy.backoff ?? false,
    };
  }

  /** How long `f` must stay clear before it resolves. */
  holdMs(f: Finding): number {
    return Math.max(this.policy.minClearMs, this.policy.backoff ? backoffOf(f) + 1 : 0);
  }

  /** One poll's findings diff (its present findings) at poll time `at`. */
  next(diff: FindingDiff, at: number): Transitions {
    const current = [...diff.raised, ...diff.unchanged, ...diff.changed.map((c) => c.to)];
    const t: Transitions = { raised: [], changed: [], still: [], resolved: [], since: new Map() };
    const now = new Map(current.map((f) => [findingKey(f), f]));
    for (const [k, f] of now) {
      const before = this.#open.get(k);
      this.#absent.delete(k);
      if (!before) t.raised.push(f);
      else if (before.f.severity !== f.severity) t.changed.push({ from: before.f, to: f });
      else t.still.push(f);
      const since = before?.since ?? at;
      this.#open.set(k, { f, since });
      t.since.set(k, since);
    }
    for (const [k, { f, since }] of this.#open) {
      if (now.has(k)) continue;
      const a = this.#absent.get(k) ?? { polls: 0, since: at };
      a.polls++;
      if (a.polls < this.policy.afterPolls || at - a.since < this.holdMs(f)) {
        this.#absent.set(k, a);
        continue;
      }
      this.#absent.delete(k);
      this.#open.delete(k);
      t.resolved.push(f);
      t.since.set(k, since);
    }
    return t;
  }
}

import type { Clock } from '../core/clock.ts';

/** Counters of a resolver run. */
export interface ResolverCounts {
  /** Documents found in conflict (with two or more live leaves). */
  seen: number;
  resolved: number;
  declined: number;
  /** Re-reads after a 409 or after new leaves arrived mid-resolution. */
  retried: number;
  /** Given up (after retries, or refused by the node / the audit). */
  failed: number;
  /** Candidates read that turned out not to be in conflict. */
  clean: number;
  /** Revisions written: merged bodies and tombstones. */
  revisions: number;
}

export interface ResolverStats extends ResolverCounts {
  elapsedMs: number;
  perSecond: { seen: number; resolved: number };
  phase: 'starting' | 'backlog' | 'following' | 'done';
}

export class StatsRecorder {
  readonly counts: ResolverCounts = {
    seen: 0,
    resolved: 0,
    declined: 0,
    retried: 0,
    failed: 0,
    clean: 0,
    revisions: 0,
  };
  phase: ResolverStats['phase'] = 'starting';
  #start: number;

  constructor(private readonly clock: Clock) {
    this.#start = clock.now();
  }

  /** A new run: counters back to zero, the rate clock restarted. */
  restart(): void {
    for (const k of Object.keys(this.counts) as Array<keyof ResolverCounts>) this.counts[k] = 0;
    this.#start = this.clock.now();
  }

  add(k: keyof ResolverCounts, n = 1): void {
    this.counts[k] += n;
  }

  snapshot(): ResolverStats {
    const elapsedMs = Math.max(0, this.clock.now() - this.#start);
    const rate = (n: number) => (elapsedMs > 0 ? Math.round((n * 1000 * 10) / elapsedMs) / 10 : 0);
    return {
      ...this.counts,
      elapsedMs,
      perSecond: { seen: rate(this.counts.seen), resolved: rate(this.counts.resolved) },
      phase: this.phase,
    };
  }
}

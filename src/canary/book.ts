/**
 * The canary book: a bounded history of samples per direction (newest last), pure. The controller
 * keeps one; the router reads `samples(from, to)` through the controller context.
 */
import type { CanarySample, CanaryStats } from './types.ts';

/** Samples kept per direction by default: at the default 30 s interval, half an hour. */
export const DEFAULT_HISTORY = 60;

const key = (from: string, to: string) => `${from}>${to}`;

/** Nearest-rank percentile of `values` (p in 0..100); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export class CanaryBook {
  readonly #byDirection = new Map<string, CanarySample[]>();

  constructor(readonly capacity = DEFAULT_HISTORY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  add(...samples: readonly CanarySample[]): void {
    for (const s of samples) {
      const k = key(s.from, s.to);
      const list = this.#byDirection.get(k) ?? [];
      list.push(s);
      if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
      this.#byDirection.set(k, list);
    }
  }

  /** The direction's history, newest last (empty when never measured). */
  samples(from: string, to: string): readonly CanarySample[] {
    return this.#byDirection.get(key(from, to)) ?? [];
  }

  latest(from: string, to: string): CanarySample | undefined {
    return this.samples(from, to).at(-1);
  }

  /** Every direction's newest sample. */
  latestAll(): CanarySample[] {
    return [...this.#byDirection.values()].map((l) => l.at(-1) as CanarySample);
  }

  stats(from: string, to: string): CanaryStats {
    return canaryStats(this.samples(from, to));
  }
}

/** Last latency, p50/p95 over the arrived samples, and the lost count of one history. */
export function canaryStats(history: readonly CanarySample[]): CanaryStats {
  const arrived = history.map((s) => s.latencyMs).filter((v): v is number => v !== null);
  const last = history.at(-1);
  return {
    lastMs: last === undefined ? undefined : last.latencyMs,
    p50Ms: percentile(arrived, 50),
    p95Ms: percentile(arrived, 95),
    samples: history.length,
    lost: history.length - arrived.length,
  };
}

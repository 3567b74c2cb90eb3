/**
 * The canary fields a status row or a graph direction carries (status --json, the controller's
 * snapshot, the dashboard): the newest latency and p50/p95 over the history, in ms.
 */
import type { CanaryStats } from './types.ts';

export interface CanaryFields {
  /** the newest canary's latency; null: lost (not seen within the timeout, or unreachable) */
  canary_ms?: number | null;
  canary_p50_ms?: number | null;
  canary_p95_ms?: number | null;
}

/** `rows` with the canary fields of their direction (rows of unmeasured directions unchanged). */
export function withCanary<T extends { from: string; to: string }>(
  rows: readonly T[],
  stats: (from: string, to: string) => CanaryStats | undefined,
): Array<T & CanaryFields> {
  return rows.map((r) => {
    const s = stats(r.from, r.to);
    if (!s || s.lastMs === undefined) return r;
    return { ...r, canary_ms: s.lastMs, canary_p50_ms: s.p50Ms, canary_p95_ms: s.p95Ms };
  });
}

/**
 * Health findings and thresholds. A finding is plain data: the rule that fired, how bad, which link
 * direction (or node), the numbers that made it fire, and the seed's playbook step.
 */
import type { Thresholds } from '../spec/thresholds.ts';

export type Severity = 'critical' | 'warning' | 'info';

export type RuleId =
  | 'crashing'
  | 'failed'
  | 'error'
  | 'pending'
  | 'doc-missing'
  | 'stalled'
  | 'writes-failing'
  | 'seq-regression'
  | 'checkpoint-integrity'
  | 'rescan-storm'
  | 'lag'
  | 'node-unreachable'
  // the node answered its telemetry reads with errors (a 500, refused credentials, a body that is not
  // CouchDB's): not a network failure, so never called unreachable
  | 'node-erroring'
  | 'stale-telemetry'
  | 'reduced-confidence'
  // FAILOVER (#15), raised by the controller's router: a direction rerouted through a relay, or
  // degraded with no relay to take it
  | 'rerouted'
  | 'no-relay'
  // couchmesh verify (the controller's verify loop): two linked nodes hold different documents
  | 'divergence'
  // CLUSTERS (#17): a configured member of a cluster node is down; a doc whose owner is down; a job
  // moving between members (initializing in the quiet period, `Duplicate replication`): not a crash
  | 'member-down'
  | 'unassigned'
  | 'handoff';

export type Evidence = Record<string, number | string | boolean | null>;

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** link key `a--b`; null for node findings */
  link: string | null;
  /** `from->to`; null for node findings */
  direction: string | null;
  /** database of the link; null for node findings */
  db: string | null;
  /** the node a node finding is about (null for direction findings) */
  node: string | null;
  evidence: Evidence;
  message: string;
  /** the seed's step for this situation (health/playbook.ts) */
  playbook: string;
}

export interface HealthThresholds {
  /** expected time between polls */
  pollIntervalMs: number;
  /** a node's latest snapshot older than this many polls is stale telemetry */
  staleAfterPolls: number;
  /** stalled: checkpoint flat for this many checkpoint intervals while the source advances */
  stallIntervals: number;
  /** ... and for at least this long (0 = the intervals alone decide) */
  stallFloorMs: number;
  /** stalled (no progress at all while the source is ahead) after this long; 0 = one poll interval (≥ 1 s) */
  noProgressMs: number;
  /** a crashing/error job is critical once it has been so for this long (spec crashing_after_ms) */
  crashingCriticalMs: number;
  /** a job pending longer than this: scheduler starved (`max_jobs`) */
  pendingMaxAgeMs: number;
  /** `[replicator] max_jobs` of the nodes (CouchDB default 500), quoted in messages */
  maxJobs: number;
  /** lag (changes_pending, else the seq-prefix estimate) at or above which a warning / critical */
  lagWarning: number;
  lagCritical: number;
  /** doc_write_failures rising by at least this much within the window */
  writeFailuresMin: number;
  /** re-scan storm: revisions_checked risen by at least this much within the window ... */
  rescanMinChecked: number;
  /** ... and by more than this many times the source's own seq advance ... */
  rescanCheckedPerSourceChange: number;
  /** ... while docs_written rose by at most this fraction of it */
  rescanWrittenRatio: number;
  /** look-back for "rising" counters, regressions and crash reasons */
  windowMs: number;
  /**
   * a cluster's quiet period after a membership change (couch_replicator_clustering
   * `cluster_quiet_period`, 60 s): jobs moving between members sit `initializing` (cluster-samples/59)
   * or crash once with `Duplicate replication running on …` (54) for this long without it being a fault
   */
  clusterQuietPeriodMs: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  pollIntervalMs: 10_000,
  staleAfterPolls: 3,
  stallIntervals: 3,
  stallFloorMs: 0,
  noProgressMs: 0,
  crashingCriticalMs: 120_000,
  pendingMaxAgeMs: 300_000,
  maxJobs: 500,
  lagWarning: 1000,
  lagCritical: 10_000,
  writeFailuresMin: 1,
  rescanMinChecked: 1000,
  rescanCheckedPerSourceChange: 2,
  rescanWrittenRatio: 0.05,
  windowMs: 600_000,
  clusterQuietPeriodMs: 60_000,
});

export function withDefaults(t: Partial<HealthThresholds> = {}): HealthThresholds {
  const out: HealthThresholds = { ...DEFAULT_HEALTH_THRESHOLDS };
  for (const [k, v] of Object.entries(t))
    if (v !== undefined) (out as unknown as Record<string, number>)[k] = v;
  return out;
}

/**
 * From mesh.yaml `thresholds:`. Note `stall_after_ms` (spec default 300 s) becomes the stall floor:
 * with it a stall is reported after max(3 × checkpoint_interval, 300 s), not within 2 polls.
 */
export function healthThresholdsFromSpec(
  t: Thresholds,
  extra: Partial<HealthThresholds> = {},
  /** mesh.yaml `controller:` (its `cluster_quiet_period_ms`, CouchDB's `cluster_quiet_period`) */
  controller?: { cluster_quiet_period_ms?: number | undefined },
): HealthThresholds {
  return withDefaults({
    clusterQuietPeriodMs: controller?.cluster_quiet_period_ms,
    pollIntervalMs: t.observe_interval_ms,
    lagWarning: t.lag_warning_changes,
    lagCritical: t.lag_critical_changes,
    stallFloorMs: t.stall_after_ms,
    crashingCriticalMs: t.crashing_after_ms,
    writeFailuresMin: Math.max(1, t.doc_write_failures),
    ...extra,
  });
}

/**
 * Canary samples (FAILOVER, #15): the shared contract with the router, which declares a
 * structurally equal input type. Latency is measured on couchmesh's own clock, from the write
 * acknowledged on `from` to the change seen on `to`'s `_changes`, never from the nodes' clocks.
 */
export interface CanarySample {
  from: string;
  to: string;
  /** when the round started, on couchmesh's clock (ms) */
  at: number;
  /** null: the canary did not arrive within the timeout (or `from`/`to` could not be reached) */
  latencyMs: number | null;
}

/** One direction a round measures. */
export interface CanaryDirection {
  from: string;
  to: string;
}

/** What the dashboard, status and metrics show of one direction's history. */
export interface CanaryStats {
  /** the newest sample's latency (null: lost), undefined when there is no sample yet */
  lastMs: number | null | undefined;
  /** percentiles over the arrived samples of the history (null when none arrived) */
  p50Ms: number | null;
  p95Ms: number | null;
  samples: number;
  lost: number;
}

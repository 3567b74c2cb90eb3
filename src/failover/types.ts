/**
 * The router's vocabulary (#15): samples in, per-direction rule state, routes out. Plain data, so
 * the controller can show, store and compare it.
 */
import type { FailoverMode } from '../spec/failover.ts';

/**
 * One canary measurement of a direction (structurally equal to src/canary's `CanarySample`, which
 * the router does not import): latency on couchmesh's own clock, write acknowledged on `from` ->
 * seen on `to`; null = it did not arrive within the canary timeout.
 */
export interface CanarySample {
  from: string;
  to: string;
  /** couchmesh clock, ms */
  at: number;
  latencyMs: number | null;
}

/** Where canary samples come from (the canary loop's store in the controller context); newest last. */
export interface SampleSource {
  samples(from: string, to: string): readonly CanarySample[];
}

/** One input of the degradation rule: a verdict on the DIRECT path of a direction. */
export interface RuleSample {
  at: number;
  bad: boolean;
  /** why, for the route's reason: `canary 2400 ms > 2000 ms`, `job crashing`, `n4 unreachable` */
  why: string;
}

export interface RuleState {
  status: 'healthy' | 'degraded';
  /** consecutive bad samples (while healthy) */
  bad: number;
  /** consecutive good samples (while degraded) */
  good: number;
  /** when the status last changed (the first sample's time at start) */
  since: number;
  /** the newest bad sample's reason while degraded; '' while healthy */
  reason: string;
  /** the newest sample's time */
  lastAt: number | null;
}

/** `from->to`, as findings and views name a direction. */
export type DirectionName = string;

/** A direction's route: direct, through a relay, or degraded with no relay to take it. */
export type Route =
  | { direction: DirectionName; from: string; to: string; kind: 'direct' }
  | {
      direction: DirectionName;
      from: string;
      to: string;
      kind: 'relayed';
      via: string;
      mode: FailoverMode;
      reason: string;
      /** couchmesh clock, ms: when the route was taken */
      since: number;
    }
  | { direction: DirectionName; from: string; to: string; kind: 'no-relay'; reason: string };

/** The marker a rerouted direction's `_replicator` doc carries under `couchmesh.route`. */
export interface RouteMarker {
  via: string;
  mode: FailoverMode;
  reason: string;
  /** ISO time */
  since: string;
  /** a store-and-forward leg (A->R or R->B), not the direction's own doc */
  leg?: true;
  /** a leg: the direction it was made for (the first, when several share it) */
  direction?: string;
}

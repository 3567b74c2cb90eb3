/**
 * What every operation needs from the outside world, injected (tests pass every part). One type for
 * the topology operations (plan, apply, destroy) and the telemetry ones (status, doctor, checkpoint,
 * reconcile, metrics): a front end (CLI, controller, HTTP API) builds it once.
 */
import { type Clock, systemClock } from '../core/clock.ts';
import type { CouchClientOptions } from '../couch/options.ts';
import type { HealthThresholds } from '../health/types.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface MeshDeps {
  env: Env;
  /** reads password files (default: fs) */
  readFile?: (path: string) => string;
  /** extra options of every node's client (tests: retries, timeouts, an onResponse counter) */
  client?: Partial<CouchClientOptions>;
  /** nodes observed / written at the same time (default 8) */
  concurrency?: number;
  /** time and waiting (default: the system clock) */
  clock?: Clock;
  /** overrides of the thresholds derived from mesh.yaml */
  thresholds?: Partial<HealthThresholds>;
  /** stops long operations (watch, metrics, reconcile, checkpoint reset's wait) */
  signal?: AbortSignal;
}

export const clockOf = (deps: Pick<MeshDeps, 'clock'>): Clock => deps.clock ?? systemClock;

export const DEFAULT_CONCURRENCY = 8;

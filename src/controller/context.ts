/** What every reconcile loop of the controller shares (built once by controller.ts). */
import type { Alerter } from '../alerts/alerter.ts';
import type { Clock } from '../core/clock.ts';
import type { Redactor } from '../core/redact.ts';
import type { SampleSource } from '../failover/types.ts';
import type { Finding } from '../health/types.ts';
import type { MeshMetrics } from '../metrics/exporter.ts';
import type { LinkView } from '../observe/snapshot.ts';
import type { MeshDeps } from '../ops/deps.ts';
import type { OpenMesh } from '../ops/mesh.ts';
import type { ControllerSpec } from '../spec/controller.ts';
import type { Poller } from '../watch/poller.ts';
import type { RememberingSink } from './alerts.ts';
import type { Logger } from './log.ts';
import type { WorkQueue } from './queue.ts';
import type { ControllerState } from './state.ts';
import type { ControllerStore, DbIdentity, Intent } from './store.ts';
import type { ControllerAction } from './view.ts';

/** A database found recreated (or rolled back) on a node, not yet handled. */
export interface Recreation {
  node: string;
  db: string;
  reason: string;
  /** stable across restarts: the baseline it differs from */
  episode: string;
  now: DbIdentity;
  /** direction work-queue keys still to remediate */
  pending: Set<string>;
}

/** An action to record; with `intent`, it completes that intent (and takes its id). */
export type NewAction = Omit<ControllerAction, 'at' | 'id'> & { id?: string; intent?: Intent };

/** What a loop is about to do (the id: deterministic when the loop has one, else drawn). */
export type NewIntent = Omit<Intent, 'at' | 'id'> & { id?: string };

export interface Ctx {
  m: OpenMesh;
  /** deps.signal aborts in-flight work on a forced stop */
  deps: MeshDeps;
  clock: Clock;
  spec: ControllerSpec;
  pollIntervalMs: number;
  store: ControllerStore;
  state: ControllerState;
  queue: WorkQueue;
  poller: Poller;
  alerter: Alerter;
  sinks: RememberingSink[];
  metrics: MeshMetrics;
  log: Logger;
  redact: Redactor;
  dryRun: boolean;
  stateDir: string;
  /** `node/db` -> the recreation being handled */
  recreated: Map<string, Recreation>;
  /** `node/db` -> the db info the latest poll saw (a regression between polls queues a deep check) */
  pollSeen: Map<string, { seq: number | null; instance: string }>;
  /** findingKey -> when it was first seen (from the store: its episode survives restarts) */
  episodes: Map<string, number>;
  /** the previous poll's link views (for the status report's rates) */
  views: readonly LinkView[];
  /** canary samples per direction (the canary loop's book, or a test's; absent: the router judges by job state only) */
  canary?: SampleSource;
  /** records an action: store, snapshot + event, log, alert, audit record on `auditNode` */
  record(a: NewAction, finding?: Finding, auditNode?: string): Promise<ControllerAction>;
  /** write-ahead: durably notes what a loop is about to do, before it acts (store.ts Intent) */
  intend(i: NewIntent): Intent;
  /** the intent came to nothing (nothing was to be done): forgotten, no action */
  forget(i: Intent | undefined): void;
}

export const dbKey = (node: string, db: string) => `${node}/${db}`;

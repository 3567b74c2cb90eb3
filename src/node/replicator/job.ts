import type { RepSpec } from './rep-doc.ts';
import type { RepStats } from './stats.ts';

/** CouchDB's scheduler states (replicator.rst "States descriptions"). */
export type JobState = 'initializing' | 'running' | 'pending' | 'crashing' | 'error' | 'failed' | 'completed';

export interface JobEvent {
  timestamp: number;
  type: 'added' | 'started' | 'stopped' | 'crashed';
  reason?: string;
}

/** A job as `_scheduler/*`, `_active_tasks` and the runner see it; its scheduling fields mirror the pure state. */
export interface Job {
  id: string;
  spec: RepSpec;
  docId: string | null;
  db: string | null;
  user: string | null;
  state: JobState;
  history: JobEvent[];
  errorCount: number;
  lastError: string | undefined;
  addedAt: number;
  lastUpdated: number;
  startedAt: number | undefined;
  stats: RepStats;
  pid: string;
  /** crashes since the job last ran healthily; drives the backoff exponent */
  consecutiveCrashes: number;
  waitingSince: number;
  /** crashing: when the scheduler tries it again */
  retryAt: number | undefined;
  /** the last checkpoint written (what `POST /_replicate` answers for one-shot jobs) */
  result?: Record<string, unknown>;
  /** set after `_bulk_get` failed once: fetch with open_revs for the rest of the job */
  bulkGetDisabled?: boolean;
}

/** What runs a job: resolves when a one-shot job completes, rejects with a reason when it crashes. */
export type RunJob = (job: Job, signal: AbortSignal, running: () => void) => Promise<void>;

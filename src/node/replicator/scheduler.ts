import type { Clock } from '../../core/clock.ts';
import type { Random } from '../../core/random.ts';
import type { RepSpec } from './rep-doc.ts';
import { emptyStats, type ReplicatorCounters, type RepStats } from './stats.ts';

/** CouchDB's scheduler states (replicator.rst "States descriptions"). */
export type JobState = 'initializing' | 'running' | 'pending' | 'crashing' | 'error' | 'failed' | 'completed';

export interface JobEvent {
  timestamp: number;
  type: 'added' | 'started' | 'stopped' | 'crashed';
  reason?: string;
}

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
  controller: AbortController | undefined;
  wake: AbortController | undefined;
  waitingSince: number;
  /** the last checkpoint written (what `POST /_replicate` answers for one-shot jobs) */
  result?: Record<string, unknown>;
  /** set after `_bulk_get` failed once: fetch with open_revs for the rest of the job */
  bulkGetDisabled?: boolean;
}

/** What runs a job: resolves when a one-shot job completes, rejects with a reason when it crashes. */
export type RunJob = (job: Job, signal: AbortSignal, running: () => void) => Promise<void>;

export interface SchedulerConfig {
  maxJobs: number;
  interval: number;
  maxChurn: number;
  maxHistory: number;
  startupJitter: number;
  /** first crash backoff; CouchDB: 30 s, doubling, capped at 2^10 */
  backoffBaseMs: number;
  backoffMaxExp: number;
  healthThreshold: number;
}

export const DEFAULT_SCHEDULER: SchedulerConfig = {
  maxJobs: 500,
  interval: 60_000,
  maxChurn: 20,
  maxHistory: 20,
  startupJitter: 0,
  backoffBaseMs: 30_000,
  backoffMaxExp: 10,
  healthThreshold: 120_000,
};

export function crashBackoff(cfg: SchedulerConfig, crashes: number): number {
  return cfg.backoffBaseMs * 2 ** Math.min(Math.max(crashes - 1, 0), cfg.backoffMaxExp);
}

let pidCounter = 100;

/**
 * The replication scheduler (couch_replicator_scheduler): runs up to `max_jobs` jobs, rotates
 * pending ones every `interval`, restarts crashed ones after exponential backoff, and keeps each
 * job's event history. All waiting goes through the injected Clock, so backoff is testable.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly stopAll = new AbortController();

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    readonly config: () => SchedulerConfig,
    private readonly runJob: RunJob,
    private readonly counters: ReplicatorCounters,
    private readonly onTerminal: (job: Job) => void,
    private readonly onCrash: (job: Job) => void = () => undefined,
    private readonly onEvent: (job: Job, type: JobEvent['type'], reason?: string) => void = () => undefined,
  ) {
    void this.rotateLoop();
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  newJob(
    id: string,
    spec: RepSpec,
    origin: { docId: string | null; db: string | null; user: string | null },
  ): Job {
    const now = this.clock.now();
    return {
      id,
      spec,
      ...origin,
      state: 'initializing',
      history: [],
      errorCount: 0,
      lastError: undefined,
      addedAt: now,
      lastUpdated: now,
      startedAt: undefined,
      stats: emptyStats(),
      pid: `<0.${pidCounter++}.0>`,
      consecutiveCrashes: 0,
      controller: undefined,
      wake: undefined,
      waitingSince: now,
    };
  }

  add(job: Job): void {
    // couch_replicator_scheduler:add_job replaces a job with the same id and counts a duplicate add
    if (this.jobs.has(job.id)) {
      this.counters.inc('jobs.duplicate_adds');
      this.remove(job.id);
    }
    this.jobs.set(job.id, job);
    this.counters.inc('jobs.adds');
    this.event(job, 'added');
    this.maybeStart(job);
  }

  remove(id: string): void {
    const job = this.jobs.get(id);
    if (!job) return;
    this.jobs.delete(id);
    this.counters.inc('jobs.removes');
    job.wake?.abort();
    if (job.controller) this.stop(job);
  }

  close(): void {
    this.stopAll.abort();
    for (const id of [...this.jobs.keys()]) this.remove(id);
  }

  running(): Job[] {
    return [...this.jobs.values()].filter((j) => j.controller !== undefined);
  }

  private event(job: Job, type: JobEvent['type'], reason?: string): void {
    const now = this.clock.now();
    job.history.unshift(reason === undefined ? { timestamp: now, type } : { timestamp: now, type, reason });
    job.history.length = Math.min(job.history.length, this.config().maxHistory);
    job.lastUpdated = now;
    this.onEvent(job, type, reason);
  }

  private maybeStart(job: Job): void {
    if (job.controller || !this.jobs.has(job.id)) return;
    if (this.running().length >= this.config().maxJobs) {
      job.state = 'pending';
      return;
    }
    void this.start(job);
  }

  private async start(job: Job): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    const jitter = this.config().startupJitter;
    if (jitter > 0) {
      try {
        await this.clock.sleep(Math.floor(this.random.float() * jitter), controller.signal);
      } catch {
        return;
      }
    }
    job.state = 'running';
    job.startedAt = this.clock.now();
    this.counters.inc('jobs.starts');
    this.event(job, 'started');
    try {
      await this.runJob(job, controller.signal, () => {
        job.errorCount = 0;
        job.lastError = undefined;
        job.lastUpdated = this.clock.now();
      });
      if (controller.signal.aborted) return;
      job.controller = undefined;
      job.state = 'completed';
      job.lastUpdated = this.clock.now();
      this.onTerminal(job);
      this.jobs.delete(job.id);
      this.startWaiting();
    } catch (e) {
      if (controller.signal.aborted) return;
      job.controller = undefined;
      this.crashed(job, e instanceof Error ? e.message : String(e));
    }
  }

  private crashed(job: Job, reason: string): void {
    const cfg = this.config();
    const ranFor = this.clock.now() - (job.startedAt ?? this.clock.now());
    job.consecutiveCrashes = ranFor >= cfg.healthThreshold ? 1 : job.consecutiveCrashes + 1;
    job.errorCount += 1;
    job.lastError = reason;
    job.state = 'crashing';
    this.counters.inc('jobs.crashes');
    this.event(job, 'crashed', reason);
    this.onCrash(job);
    if (!this.jobs.has(job.id)) return;
    const wake = new AbortController();
    job.wake = wake;
    const delay = crashBackoff(cfg, job.consecutiveCrashes);
    this.clock.sleep(delay, AbortSignal.any([wake.signal, this.stopAll.signal])).then(
      () => {
        job.wake = undefined;
        this.maybeStart(job);
      },
      () => undefined,
    );
    this.startWaiting();
  }

  /** Time until a crashing job is tried again (for telemetry), from its backoff. */
  nextRetryAt(job: Job): number | undefined {
    if (job.state !== 'crashing') return undefined;
    return (
      (job.history[0]?.timestamp ?? job.lastUpdated) + crashBackoff(this.config(), job.consecutiveCrashes)
    );
  }

  private stop(job: Job): void {
    job.controller?.abort();
    job.controller = undefined;
    this.counters.inc('jobs.stops');
    this.event(job, 'stopped');
  }

  private startWaiting(): void {
    const waiting = [...this.jobs.values()]
      .filter((j) => j.state === 'pending')
      .sort((a, b) => a.waitingSince - b.waitingSince);
    for (const j of waiting) {
      if (this.running().length >= this.config().maxJobs) break;
      void this.start(j);
    }
  }

  /** Every `interval`: stop the longest-running jobs and start the longest-waiting (max_churn each). */
  private async rotateLoop(): Promise<void> {
    for (;;) {
      try {
        await this.clock.sleep(this.config().interval, this.stopAll.signal);
      } catch {
        return;
      }
      const cfg = this.config();
      const pending = [...this.jobs.values()].filter((j) => j.state === 'pending');
      if (!pending.length) continue;
      const free = cfg.maxJobs - this.running().length;
      const churn = Math.min(cfg.maxChurn, pending.length);
      const toStop = this.running()
        .filter((j) => j.spec.continuous)
        .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0))
        .slice(0, Math.max(0, churn - free));
      for (const j of toStop) {
        this.stop(j);
        j.state = 'pending';
        j.waitingSince = this.clock.now();
      }
      this.startWaiting();
    }
  }
}

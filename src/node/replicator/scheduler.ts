import type { Clock } from '../../core/clock.ts';
import type { Random } from '../../core/random.ts';
import type { Job, JobEvent, RunJob } from './job.ts';
import type { RepSpec } from './rep-doc.ts';
import {
  emptySchedulerState,
  type SchedulerConfig,
  type SchedulerEffect,
  type SchedulerEvent,
  type SchedulerState,
  type Slot,
  step,
} from './scheduler-step.ts';
import { emptyStats, type ReplicatorCounters } from './stats.ts';
import { TaskSet } from './tasks.ts';

export type { Job, JobEvent, JobState, RunJob } from './job.ts';
export { crashBackoff, DEFAULT_SCHEDULER, type SchedulerConfig } from './scheduler-step.ts';

export interface SchedulerDeps {
  clock: Clock;
  random: Random;
  /** read at every step: `[replicator]` settings apply live */
  config: () => SchedulerConfig;
  run: RunJob;
  counters: ReplicatorCounters;
  /** a one-shot job finished */
  onTerminal?: (job: Job) => void;
  onCrash?: (job: Job) => void;
  onEvent?: (job: Job, type: JobEvent['type'], reason?: string) => void;
  /** a failure nothing else answers for (a bug): surfaced, never swallowed */
  onError: (e: unknown) => void;
  /** Erlang-looking pids for `_scheduler/jobs` / `_active_tasks`; default: a per-scheduler counter */
  nextPid?: () => string;
}

/**
 * The driver of the pure scheduler (scheduler-step.ts): turns runner outcomes and timers into
 * events, and effects into runner starts/stops, history, counters and one wake-up timer. Runs
 * nothing until `start()` (jobs added before wait for it); every promise it creates is tracked
 * and `close()` waits for them.
 */
export class Scheduler {
  private state: SchedulerState = emptySchedulerState();
  private readonly jobs = new Map<string, Job>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly tasks: TaskSet;
  private readonly closed = new AbortController();
  private timer: { at: number; cancel: AbortController } | undefined;
  private started = false;
  private pidSeq = 100;
  /** the job an `added` event brings in (registered when its effect is applied) */
  private incoming: Job | undefined;
  /** jobs added before `start()` */
  private readonly queued: Job[] = [];

  constructor(private readonly deps: SchedulerDeps) {
    this.tasks = new TaskSet(deps.onError);
  }

  config(): SchedulerConfig {
    return this.deps.config();
  }

  /** Arms the rotation timer and starts the jobs added so far. */
  start(): void {
    if (this.started || this.closed.signal.aborted) return;
    this.started = true;
    this.dispatch({ type: 'tick' });
    for (const job of this.queued.splice(0)) this.add(job);
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
    const now = this.deps.clock.now();
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
      pid: this.deps.nextPid?.() ?? `<0.${this.pidSeq++}.0>`,
      consecutiveCrashes: 0,
      waitingSince: now,
      retryAt: undefined,
    };
  }

  add(job: Job): void {
    if (!this.started) {
      this.queued.push(job);
      return;
    }
    this.incoming = job;
    this.dispatch({ type: 'added', id: job.id, continuous: job.spec.continuous });
  }

  remove(id: string): void {
    this.dispatch({ type: 'removed', id });
  }

  /** Stops every job and the timer; resolves once every runner and timer has settled. */
  close(): Promise<void> {
    this.closed.abort();
    this.queued.length = 0;
    for (const id of [...this.jobs.keys()]) this.remove(id);
    this.timer?.cancel.abort();
    this.timer = undefined;
    return this.tasks.settled();
  }

  running(): Job[] {
    return [...this.controllers.keys()].flatMap((id) => this.jobs.get(id) ?? []);
  }

  /** When a crashing job is tried again (for telemetry). */
  nextRetryAt(job: Job): number | undefined {
    return this.state.slots.get(job.id)?.retryAt;
  }

  private dispatch(event: SchedulerEvent): void {
    const now = this.deps.clock.now();
    const { state, effects } = step(this.state, event, now, this.deps.config());
    this.state = state;
    const after: Array<() => void> = [];
    for (const e of effects) this.apply(e, now, after);
    // this.state, not `state`: a hook or runner callback may have stepped again meanwhile
    for (const [id, slot] of this.state.slots) {
      const job = this.jobs.get(id);
      if (job) mirror(job, slot);
    }
    // hooks run last, on jobs that show their new state; they may call add/remove again
    for (const f of after) f();
  }

  private apply(e: SchedulerEffect, now: number, after: Array<() => void>): void {
    const { counters } = this.deps;
    const job = e.type === 'wake' ? undefined : this.jobs.get(e.id);
    switch (e.type) {
      case 'duplicate':
        counters.inc('jobs.duplicate_adds');
        return;
      case 'added': {
        const j = this.incoming as Job;
        this.incoming = undefined;
        this.jobs.set(j.id, j);
        counters.inc('jobs.adds');
        this.record(j, 'added', now);
        return;
      }
      case 'start':
        if (!job) return;
        counters.inc('jobs.starts');
        job.startedAt = now;
        job.state = 'running';
        this.record(job, 'started', now);
        this.launch(job);
        return;
      case 'stop':
        this.controllers.get(e.id)?.abort();
        this.controllers.delete(e.id);
        counters.inc('jobs.stops');
        if (job) this.record(job, 'stopped', now);
        return;
      case 'removed':
        counters.inc('jobs.removes');
        this.jobs.delete(e.id);
        return;
      case 'crashed':
        if (!job) return;
        counters.inc('jobs.crashes');
        this.record(job, 'crashed', now, e.reason);
        after.push(() => this.deps.onCrash?.(job));
        return;
      case 'completed':
        if (!job) return;
        this.jobs.delete(e.id);
        job.state = 'completed';
        job.lastUpdated = now;
        after.push(() => this.deps.onTerminal?.(job));
        return;
      case 'wake':
        this.arm(e.at);
        return;
    }
  }

  private record(job: Job, type: JobEvent['type'], now: number, reason?: string): void {
    job.history.unshift(reason === undefined ? { timestamp: now, type } : { timestamp: now, type, reason });
    job.history.length = Math.min(job.history.length, this.deps.config().maxHistory);
    job.lastUpdated = now;
    this.deps.onEvent?.(job, type, reason);
  }

  /** Runs a job; its outcome comes back as an event unless the job was stopped meanwhile. */
  private launch(job: Job): void {
    const controller = new AbortController();
    this.controllers.set(job.id, controller);
    const current = () => this.controllers.get(job.id) === controller && !controller.signal.aborted;
    const outcome = async (): Promise<SchedulerEvent | undefined> => {
      const { clock, random, run } = this.deps;
      // couch_replicator_scheduler_job:init sleeps `startup_jitter` before doing any work
      const jitter = this.deps.config().startupJitter;
      if (jitter > 0) await clock.sleep(Math.floor(random.float() * jitter), controller.signal);
      const ok = () => {
        if (!current()) return;
        job.lastUpdated = clock.now();
        this.dispatch({ type: 'ok', id: job.id });
      };
      try {
        await run(job, controller.signal, ok);
        return { type: 'completed', id: job.id };
      } catch (e) {
        return { type: 'crashed', id: job.id, reason: e instanceof Error ? e.message : String(e) };
      }
    };
    this.tasks.track(
      outcome().then(
        (event) => {
          if (!event || !current()) return;
          this.controllers.delete(job.id);
          this.dispatch(event);
        },
        (e: unknown) => {
          if (!controller.signal.aborted) throw e;
        },
      ),
    );
  }

  /** One timer for the earliest thing due (a retry or the next rotation). */
  private arm(at: number | undefined): void {
    if (!this.started || this.closed.signal.aborted || this.timer?.at === at) return;
    this.timer?.cancel.abort();
    this.timer = undefined;
    if (at === undefined) return;
    const cancel = new AbortController();
    const timer = { at, cancel };
    this.timer = timer;
    const wait = Math.max(0, at - this.deps.clock.now());
    this.tasks.track(
      this.deps.clock.sleep(wait, cancel.signal).then(
        () => {
          if (this.timer !== timer) return;
          this.timer = undefined;
          this.dispatch({ type: 'tick' });
        },
        () => undefined, // re-armed or closed
      ),
    );
  }
}

/** The job's scheduling fields are the pure state's, as of the last step. */
function mirror(job: Job, s: Slot): void {
  const { id: _id, continuous: _continuous, ...fields } = s;
  Object.assign(job, fields);
}

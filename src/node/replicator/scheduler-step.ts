/**
 * The replication scheduler's decisions as a pure function (couch_replicator_scheduler): which jobs
 * run, which wait, when a crashed job is tried again and which jobs rotate. No I/O, no timers, no
 * ids: `step(state, event, now, config)` returns the next state and the effects a driver performs
 * (scheduler.ts). Time only enters through `now`.
 */

export interface SchedulerConfig {
  /** `[replicator] max_jobs`: jobs running at once */
  maxJobs: number;
  /** `[replicator] interval`: ms between rotations */
  interval: number;
  /** `[replicator] max_churn`: jobs stopped/started per rotation at most */
  maxChurn: number;
  maxHistory: number;
  startupJitter: number;
  /** first crash backoff; CouchDB: 30 s, doubling, capped at 2^10 */
  backoffBaseMs: number;
  backoffMaxExp: number;
  /** a job that ran this long before crashing counts as healthy: its backoff starts over */
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

/** couch_replicator_scheduler:backoff_micros: base * 2^(crashes-1), the exponent capped. */
export function crashBackoff(cfg: SchedulerConfig, crashes: number): number {
  return cfg.backoffBaseMs * 2 ** Math.min(Math.max(crashes - 1, 0), cfg.backoffMaxExp);
}

/** What the scheduler knows of one job (the rest of a job — spec, stats, history — is the driver's). */
export interface Slot {
  readonly id: string;
  readonly continuous: boolean;
  readonly state: 'pending' | 'running' | 'crashing';
  readonly startedAt: number | undefined;
  /** pending jobs start oldest-waiting first */
  readonly waitingSince: number;
  /** crashes since the job last ran healthily; drives the backoff exponent */
  readonly consecutiveCrashes: number;
  /** crashes since the job last opened both endpoints (`_scheduler/docs` `error_count`) */
  readonly errorCount: number;
  readonly lastError: string | undefined;
  /** crashing: when the job may be tried again */
  readonly retryAt: number | undefined;
}

export interface SchedulerState {
  readonly slots: ReadonlyMap<string, Slot>;
  /** next `interval` rotation; undefined until the first tick */
  readonly nextRotation: number | undefined;
}

export const emptySchedulerState = (): SchedulerState => ({ slots: new Map(), nextRotation: undefined });

export type SchedulerEvent =
  | { type: 'added'; id: string; continuous: boolean }
  | { type: 'removed'; id: string }
  /** the running job opened both endpoints */
  | { type: 'ok'; id: string }
  | { type: 'crashed'; id: string; reason: string }
  | { type: 'completed'; id: string }
  /** time passed: retries and rotations that are due */
  | { type: 'tick' };

export type SchedulerEffect =
  | { type: 'added'; id: string }
  /** a job with this id already existed: it is replaced (jobs.duplicate_adds) */
  | { type: 'duplicate'; id: string }
  | { type: 'start'; id: string }
  | { type: 'stop'; id: string }
  | { type: 'removed'; id: string }
  | { type: 'crashed'; id: string; reason: string }
  | { type: 'completed'; id: string }
  /** call `tick` at this time (undefined: nothing is due) */
  | { type: 'wake'; at: number | undefined };

export interface StepResult {
  state: SchedulerState;
  effects: SchedulerEffect[];
}

const byOldest =
  <T>(key: (x: T) => number) =>
  (a: T, b: T) =>
    key(a) - key(b);

export function step(
  state: SchedulerState,
  event: SchedulerEvent,
  now: number,
  cfg: SchedulerConfig,
): StepResult {
  const slots = new Map(state.slots);
  const effects: SchedulerEffect[] = [];
  let nextRotation = state.nextRotation;
  const running = () => [...slots.values()].filter((s) => s.state === 'running');
  const put = (s: Slot, patch: Partial<Slot>) => slots.set(s.id, { ...s, ...patch });
  const start = (s: Slot) => {
    put(s, { state: 'running', startedAt: now, retryAt: undefined });
    effects.push({ type: 'start', id: s.id });
  };
  const drop = (id: string) => {
    const s = slots.get(id);
    if (!s) return;
    slots.delete(id);
    if (s.state === 'running') effects.push({ type: 'stop', id });
    effects.push({ type: 'removed', id });
  };
  /** the longest-waiting pending jobs take the free places */
  const fill = () => {
    const waiting = [...slots.values()]
      .filter((s) => s.state === 'pending')
      .sort(byOldest((s) => s.waitingSince));
    for (const s of waiting) {
      if (running().length >= cfg.maxJobs) break;
      start(s);
    }
  };
  const live = (id: string) => {
    const s = slots.get(id);
    return s?.state === 'running' ? s : undefined;
  };

  switch (event.type) {
    case 'added': {
      // couch_replicator_scheduler:add_job replaces a job with the same id and counts a duplicate add
      if (slots.has(event.id)) {
        effects.push({ type: 'duplicate', id: event.id });
        drop(event.id);
      }
      const slot: Slot = {
        id: event.id,
        continuous: event.continuous,
        state: 'pending',
        startedAt: undefined,
        waitingSince: now,
        consecutiveCrashes: 0,
        errorCount: 0,
        lastError: undefined,
        retryAt: undefined,
      };
      slots.set(slot.id, slot);
      effects.push({ type: 'added', id: slot.id });
      if (running().length < cfg.maxJobs) start(slot);
      break;
    }
    case 'removed':
      // the freed place is filled at the next rotation, as couch_replicator_scheduler's reschedule does
      drop(event.id);
      break;
    case 'ok': {
      const s = live(event.id);
      if (s) put(s, { errorCount: 0, lastError: undefined });
      break;
    }
    case 'crashed': {
      const s = live(event.id);
      if (!s) break;
      // a job that ran for `health_threshold` before crashing starts its backoff over
      const ranFor = now - (s.startedAt ?? now);
      const consecutiveCrashes = ranFor >= cfg.healthThreshold ? 1 : s.consecutiveCrashes + 1;
      put(s, {
        state: 'crashing',
        consecutiveCrashes,
        errorCount: s.errorCount + 1,
        lastError: event.reason,
        retryAt: now + crashBackoff(cfg, consecutiveCrashes),
      });
      effects.push({ type: 'crashed', id: s.id, reason: event.reason });
      fill();
      break;
    }
    case 'completed': {
      if (!live(event.id)) break;
      slots.delete(event.id);
      effects.push({ type: 'completed', id: event.id });
      fill();
      break;
    }
    case 'tick': {
      nextRotation ??= now + cfg.interval;
      const due = [...slots.values()]
        .filter((s) => s.state === 'crashing' && (s.retryAt ?? now) <= now)
        .sort(byOldest((s) => s.retryAt ?? now));
      for (const s of due) {
        // a retry finding every place taken waits its turn like any pending job
        if (running().length >= cfg.maxJobs) put(s, { state: 'pending', retryAt: undefined });
        else start(s);
      }
      if (now >= nextRotation) {
        rotate(slots, running, now, cfg, effects);
        fill();
        nextRotation = now + cfg.interval;
      }
      break;
    }
  }
  const retries = [...slots.values()].flatMap((s) =>
    s.state === 'crashing' && s.retryAt !== undefined ? [s.retryAt] : [],
  );
  const times = nextRotation === undefined ? retries : [...retries, nextRotation];
  effects.push({ type: 'wake', at: times.length ? Math.min(...times) : undefined });
  return { state: { slots, nextRotation }, effects };
}

/**
 * Every `interval` with jobs pending: stop the longest-running continuous jobs so that up to
 * `max_churn` pending ones can start (couch_replicator_scheduler:rotate_jobs). One-shot jobs are
 * left to finish. Stopped jobs queue again as the newest waiters.
 */
function rotate(
  slots: Map<string, Slot>,
  running: () => Slot[],
  now: number,
  cfg: SchedulerConfig,
  effects: SchedulerEffect[],
): void {
  const pending = [...slots.values()].filter((s) => s.state === 'pending');
  if (!pending.length) return;
  const free = cfg.maxJobs - running().length;
  const churn = Math.min(cfg.maxChurn, pending.length);
  const toStop = running()
    .filter((s) => s.continuous)
    .sort(byOldest((s) => s.startedAt ?? 0))
    .slice(0, Math.max(0, churn - free));
  for (const s of toStop) {
    slots.set(s.id, { ...s, state: 'pending', waitingSince: now });
    effects.push({ type: 'stop', id: s.id });
  }
}

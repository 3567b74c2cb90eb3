import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { seededRandom } from '../../core/random.ts';
import type { RepSpec } from './rep-doc.ts';
import { DEFAULT_SCHEDULER, type Job, type RunJob, Scheduler, type SchedulerConfig } from './scheduler.ts';
import { ReplicatorCounters } from './stats.ts';

const spec = (continuous: boolean) =>
  ({ continuous, source: { url: 'http://s/a/' }, target: { url: 'http://t/b/' } }) as unknown as RepSpec;

/** Lets woken tasks run to their next await (runner outcomes travel through a few promise hops). */
const settle = () => new Promise<void>((r) => setImmediate(r));

function harness(cfg: Partial<SchedulerConfig>, run: RunJob) {
  const clock = new ManualClock(0);
  const counters = new ReplicatorCounters();
  const errors: unknown[] = [];
  const terminal: string[] = [];
  const crashes: string[] = [];
  const scheduler = new Scheduler({
    clock,
    random: seededRandom(1),
    config: () => ({ ...DEFAULT_SCHEDULER, backoffBaseMs: 100, backoffMaxExp: 3, ...cfg }),
    run,
    counters,
    onTerminal: (j) => terminal.push(j.id),
    onCrash: (j) => crashes.push(j.id),
    onError: (e) => errors.push(e),
  });
  const add = (id: string, continuous = true) => {
    const job = scheduler.newJob(id, spec(continuous), { docId: id, db: '_replicator', user: null });
    scheduler.add(job);
    return job;
  };
  return { clock, counters, errors, terminal, crashes, scheduler, add };
}

/** A runner that runs until stopped. */
const untilStopped: RunJob = (_job, signal) =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

const times = (job: Job, type: string) =>
  job.history
    .filter((e) => e.type === type)
    .map((e) => e.timestamp)
    .reverse();

describe('scheduler driver (ManualClock)', () => {
  it('runs nothing until start(); close() stops every runner and waits for it', async () => {
    const h = harness({}, untilStopped);
    const job = h.add('a');
    assert.equal(h.clock.pending, 0);
    assert.equal(job.state, 'initializing');
    assert.deepEqual(h.scheduler.running(), []);
    h.scheduler.start();
    assert.equal(h.clock.pending, 1, 'the rotation timer');
    assert.equal(job.state, 'running');
    await h.scheduler.close();
    assert.equal(h.clock.pending, 0);
    assert.deepEqual(h.scheduler.list(), []);
    assert.equal(h.counters.c['jobs.stops'], 1);
    assert.deepEqual(h.errors, []);
  });

  it('a crashing job is retried on the exponential backoff schedule, to the cap', async () => {
    const h = harness({ interval: 1e9 }, async () => {
      throw new Error('db_not_found: could not open http://t/b/');
    });
    h.scheduler.start();
    const job = h.add('j');
    await settle();
    await h.clock.advance(2300);
    const crashed = times(job, 'crashed');
    const started = times(job, 'started');
    // history keeps max_history (20) events; here: added + 6 starts + 6 crashes
    assert.deepEqual(
      started.slice(1).map((t, i) => t - (crashed[i] as number)),
      [100, 200, 400, 800, 800],
    );
    assert.equal(job.state, 'crashing');
    assert.equal(job.errorCount, 6);
    assert.equal(job.lastError, 'db_not_found: could not open http://t/b/');
    assert.equal(h.scheduler.nextRetryAt(job), 2300 + 800);
    assert.equal(h.counters.c['jobs.crashes'], 6);
    assert.deepEqual(h.crashes.length, 6);
    await h.scheduler.close();
  });

  it('crashing -> running once a retry opens both endpoints', async () => {
    let failing = true;
    const h = harness({ interval: 1e9 }, async (_job, signal, running) => {
      if (failing) throw new Error('db_not_found');
      running();
      await untilStopped(_job, signal, running);
    });
    h.scheduler.start();
    const job = h.add('j');
    await settle();
    assert.equal(job.state, 'crashing');
    failing = false;
    await h.clock.advance(100);
    assert.equal(job.state, 'running');
    assert.equal(job.errorCount, 0);
    assert.deepEqual(
      job.history.map((e) => e.type),
      ['started', 'crashed', 'started', 'added'],
    );
    await h.scheduler.close();
  });

  it('max_jobs rotation every interval: the oldest-running stops, the longest-waiting starts', async () => {
    const h = harness({ maxJobs: 2, maxChurn: 1, interval: 1000 }, untilStopped);
    h.scheduler.start();
    for (const id of ['a', 'b', 'c']) {
      h.add(id);
      await h.clock.advance(1);
    }
    const running = () =>
      h.scheduler
        .running()
        .map((j) => j.id)
        .sort();
    assert.deepEqual(running(), ['a', 'b']);
    await h.clock.advance(997); // t = 1000
    assert.deepEqual(running(), ['b', 'c']);
    await h.clock.advance(1000);
    assert.deepEqual(running(), ['a', 'c']);
    const a = h.scheduler.get('a') as Job;
    assert.deepEqual(
      a.history.map((e) => e.type),
      ['started', 'stopped', 'started', 'added'],
    );
    assert.equal(h.counters.c['jobs.starts'], 4);
    assert.equal(h.counters.c['jobs.stops'], 2);
    await h.scheduler.close();
  });

  it('a one-shot job completes: terminal, removed, its place taken by a waiting job', async () => {
    const h = harness({ maxJobs: 1 }, async (job, signal, running) => {
      running();
      if (job.spec.continuous) await untilStopped(job, signal, running);
    });
    h.scheduler.start();
    const once = h.add('once', false);
    h.add('next');
    assert.equal(h.scheduler.get('next')?.state, 'pending');
    await settle();
    assert.equal(once.state, 'completed');
    assert.deepEqual(h.terminal, ['once']);
    assert.equal(h.scheduler.get('once'), undefined);
    assert.equal(h.scheduler.get('next')?.state, 'running');
    await h.scheduler.close();
  });

  it('a failure in a hook is surfaced to onError, not lost', async () => {
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    const scheduler = new Scheduler({
      clock,
      random: seededRandom(1),
      config: () => DEFAULT_SCHEDULER,
      run: async () => undefined,
      counters: new ReplicatorCounters(),
      onTerminal: () => {
        throw new Error('write-back failed');
      },
      onError: (e) => errors.push(e),
    });
    scheduler.start();
    scheduler.add(scheduler.newJob('x', spec(false), { docId: 'x', db: null, user: null }));
    await settle();
    await scheduler.close();
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['write-back failed'],
    );
  });

  it('pids come from the scheduler instance, not a process-wide counter', () => {
    const pids = () => {
      const h = harness({}, untilStopped);
      return [h.scheduler.newJob('a', spec(true), { docId: null, db: null, user: null }).pid];
    };
    assert.deepEqual(pids(), pids());
  });
});

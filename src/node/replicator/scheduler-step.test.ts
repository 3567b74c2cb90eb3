import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_SCHEDULER,
  emptySchedulerState,
  type SchedulerConfig,
  type SchedulerEffect,
  type SchedulerEvent,
  type SchedulerState,
  step,
} from './scheduler-step.ts';

const CFG: SchedulerConfig = {
  ...DEFAULT_SCHEDULER,
  maxJobs: 2,
  maxChurn: 1,
  interval: 60_000,
  backoffBaseMs: 100,
  backoffMaxExp: 3,
  healthThreshold: 10_000,
};

/** A scheduler fed events by hand: its state and every effect, in order. */
function machine(cfg: SchedulerConfig = CFG) {
  let state: SchedulerState = emptySchedulerState();
  const log: SchedulerEffect[] = [];
  return {
    send(event: SchedulerEvent, now: number): SchedulerEffect[] {
      const r = step(state, event, now, cfg);
      state = r.state;
      log.push(...r.effects);
      return r.effects;
    },
    slot: (id: string) => state.slots.get(id),
    get state() {
      return state;
    },
    running: () => [...state.slots.values()].filter((s) => s.state === 'running').map((s) => s.id),
    pending: () => [...state.slots.values()].filter((s) => s.state === 'pending').map((s) => s.id),
  };
}

const kinds = (fx: SchedulerEffect[]) =>
  fx.filter((e) => e.type !== 'wake').map((e) => `${e.type}:${'id' in e ? e.id : ''}`);
const wakeOf = (fx: SchedulerEffect[]) => fx.find((e) => e.type === 'wake')?.at;

describe('scheduler step (pure)', () => {
  it('crash backoff doubles from backoff_base up to 2^max_exp, each retry at the time it names', () => {
    const m = machine();
    m.send({ type: 'tick' }, 0);
    m.send({ type: 'added', id: 'j', continuous: true }, 0);
    const waits: number[] = [];
    let now = 0;
    for (let n = 1; n <= 6; n++) {
      const fx = m.send({ type: 'crashed', id: 'j', reason: 'db_not_found' }, now);
      assert.deepEqual(kinds(fx), ['crashed:j']);
      const retryAt = m.slot('j')?.retryAt as number;
      waits.push(retryAt - now);
      assert.equal(wakeOf(fx), retryAt, 'the wake-up is the retry');
      assert.equal(m.slot('j')?.state, 'crashing');
      // one tick early: nothing happens
      assert.deepEqual(kinds(m.send({ type: 'tick' }, retryAt - 1)), []);
      now = retryAt;
      assert.deepEqual(kinds(m.send({ type: 'tick' }, now)), ['start:j']);
    }
    assert.deepEqual(waits, [100, 200, 400, 800, 800, 800]);
    assert.equal(m.slot('j')?.errorCount, 6);
  });

  it('a job that ran for health_threshold before crashing starts its backoff over', () => {
    const m = machine();
    m.send({ type: 'added', id: 'j', continuous: true }, 0);
    m.send({ type: 'crashed', id: 'j', reason: 'x' }, 0);
    m.send({ type: 'tick' }, 100);
    m.send({ type: 'crashed', id: 'j', reason: 'x' }, 100);
    assert.equal(m.slot('j')?.retryAt, 300);
    m.send({ type: 'tick' }, 300);
    m.send({ type: 'crashed', id: 'j', reason: 'x' }, 300 + CFG.healthThreshold);
    assert.equal(m.slot('j')?.consecutiveCrashes, 1);
    assert.equal(m.slot('j')?.retryAt, 300 + CFG.healthThreshold + 100);
  });

  it('crashing -> running after a successful start: error_count and the reason are cleared', () => {
    const m = machine();
    m.send({ type: 'added', id: 'j', continuous: true }, 0);
    m.send({ type: 'crashed', id: 'j', reason: 'db_not_found: could not open' }, 0);
    assert.equal(m.slot('j')?.lastError, 'db_not_found: could not open');
    assert.deepEqual(kinds(m.send({ type: 'tick' }, 100)), ['start:j']);
    assert.equal(m.slot('j')?.state, 'running');
    assert.equal(m.slot('j')?.errorCount, 1, 'kept until the job opens both endpoints');
    m.send({ type: 'ok', id: 'j' }, 150);
    assert.equal(m.slot('j')?.errorCount, 0);
    assert.equal(m.slot('j')?.lastError, undefined);
    // no retry is due any more: only the rotation (armed by the first tick) is left to wake for
    assert.equal(wakeOf(m.send({ type: 'ok', id: 'j' }, 160)), 100 + CFG.interval);
  });

  it('max_jobs: extra jobs wait; each interval stops the oldest-running and starts the longest-waiting (max_churn 1)', () => {
    const m = machine();
    assert.equal(wakeOf(m.send({ type: 'tick' }, 0)), 60_000);
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) m.send({ type: 'added', id, continuous: true }, i);
    assert.deepEqual(m.running(), ['a', 'b']);
    assert.deepEqual(m.pending(), ['c', 'd']);
    const rounds: string[][] = [];
    for (let t = 60_000; t <= 240_000; t += 60_000) rounds.push(kinds(m.send({ type: 'tick' }, t)));
    assert.deepEqual(rounds, [
      ['stop:a', 'start:c'],
      ['stop:b', 'start:d'],
      ['stop:c', 'start:a'],
      ['stop:d', 'start:b'],
    ]);
    assert.equal(m.running().length, 2);
  });

  it('max_churn bounds a rotation; one-shot jobs are never rotated out', () => {
    const m = machine({ ...CFG, maxJobs: 3, maxChurn: 2 });
    m.send({ type: 'tick' }, 0);
    m.send({ type: 'added', id: 'once', continuous: false }, 0);
    for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries())
      m.send({ type: 'added', id, continuous: true }, i + 1);
    assert.deepEqual(m.running(), ['once', 'a', 'b']);
    assert.deepEqual(kinds(m.send({ type: 'tick' }, 60_000)), ['stop:a', 'stop:b', 'start:c', 'start:d']);
    assert.equal(m.slot('once')?.state, 'running');
  });

  it('completed is terminal: the slot is gone, a waiting job takes its place, late events are ignored', () => {
    const m = machine({ ...CFG, maxJobs: 1 });
    m.send({ type: 'added', id: 'once', continuous: false }, 0);
    m.send({ type: 'added', id: 'next', continuous: true }, 1);
    assert.deepEqual(kinds(m.send({ type: 'completed', id: 'once' }, 5)), ['completed:once', 'start:next']);
    assert.equal(m.slot('once'), undefined);
    assert.deepEqual(kinds(m.send({ type: 'crashed', id: 'once', reason: 'late' }, 6)), []);
    assert.deepEqual(kinds(m.send({ type: 'completed', id: 'once' }, 7)), []);
  });

  it('a retry finding every place taken waits as pending; a removed job frees its place at the next rotation', () => {
    const m = machine({ ...CFG, maxJobs: 1 });
    m.send({ type: 'tick' }, 0);
    m.send({ type: 'added', id: 'a', continuous: true }, 0);
    m.send({ type: 'crashed', id: 'a', reason: 'x' }, 0);
    m.send({ type: 'added', id: 'b', continuous: true }, 10);
    assert.deepEqual(m.running(), ['b']);
    assert.deepEqual(kinds(m.send({ type: 'tick' }, 100)), []);
    assert.equal(m.slot('a')?.state, 'pending');
    assert.deepEqual(kinds(m.send({ type: 'removed', id: 'b' }, 200)), ['stop:b', 'removed:b']);
    assert.deepEqual(m.running(), []);
    assert.deepEqual(kinds(m.send({ type: 'tick' }, 60_000)), ['start:a']);
  });

  it('adding an id that exists replaces the job (a duplicate add)', () => {
    const m = machine();
    m.send({ type: 'added', id: 'j', continuous: true }, 0);
    assert.deepEqual(kinds(m.send({ type: 'added', id: 'j', continuous: true }, 1)), [
      'duplicate:j',
      'stop:j',
      'removed:j',
      'added:j',
      'start:j',
    ]);
    assert.equal(m.slot('j')?.startedAt, 1);
  });
});

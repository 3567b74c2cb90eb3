import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { runWorkers, WorkQueue } from './queue.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('WorkQueue', () => {
  it('de-duplicates: a key added twice while waiting is one item', async () => {
    const q = new WorkQueue({ clock: new ManualClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  it('never hands out a key twice at once; re-added while processing, it comes back after done', async () => {
    const q = new WorkQueue({ clock: new ManualClock() });
    q.add('a');
    const k = await q.get();
    assert.equal(k, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 0, 'not queued while processing');
    q.done('a');
    assert.equal(q.length, 1, 'queued once after done');
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.length, 0);
  });

  it('a waiting get receives the next key', async () => {
    const q = new WorkQueue({ clock: new ManualClock() });
    const p = q.get();
    q.add('x');
    assert.equal(await p, 'x');
    q.add('x');
    assert.equal(q.length, 0, 'x is processing: the add waits for done');
  });

  it('backs off per key exponentially up to the cap; forget starts over', async () => {
    const q = new WorkQueue({ clock: new ManualClock(), baseDelayMs: 100, maxDelayMs: 1_000, burst: 1_000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => q.when('a')),
      [100, 200, 400, 800, 1_000, 1_000],
    );
    assert.equal(q.when('b'), 100, 'other keys have their own backoff');
    q.forget('a');
    assert.equal(q.when('a'), 100);
  });

  it('the overall token bucket delays rate-limited adds past the burst', () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock, baseDelayMs: 1, qps: 2, burst: 2 });
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => q.when(k)),
      [1, 1, 500, 1_000],
    );
  });

  it('delayed adds fire on the clock, the earliest wins, and shutDown drops them', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 1_000);
    q.addAfter('a', 300);
    q.addAfter('a', 2_000);
    await clock.advance(299);
    assert.equal(q.length, 0);
    await clock.advance(1);
    assert.equal(q.length, 1);
    await clock.advance(5_000);
    assert.equal(q.length, 1, 'the superseded sleeps add nothing');
    q.addAfter('b', 100);
    q.shutDown();
    await clock.advance(200);
    assert.equal(q.length, 0);
    assert.equal(await q.get(), undefined);
  });

  it('runWorkers: a failing key is retried after its backoff, one key never runs twice at once', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock, baseDelayMs: 1_000 });
    const calls: string[] = [];
    let running = 0;
    let maxRunning = 0;
    let fail = 2;
    const done = runWorkers(q, 3, async (key) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push(key);
      await tick();
      q.add(key); // an event arriving mid-reconcile
      running--;
      if (fail-- > 0) throw new Error('boom');
      return undefined;
    });
    q.add('k');
    for (let i = 0; i < 10; i++) await tick();
    // the first failure: the re-add from within handle requeues it at once after done
    assert.ok(calls.length >= 2);
    assert.equal(maxRunning, 1);
    await clock.advance(10_000);
    for (let i = 0; i < 10; i++) await tick();
    q.shutDown();
    await done;
    assert.equal(maxRunning, 1);
    assert.ok(calls.every((k) => k === 'k'));
  });
});

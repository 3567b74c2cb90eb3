import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, systemClock } from './clock.ts';

test('ManualClock wakes sleepers in time order as it advances', async () => {
  const clock = new ManualClock(1000);
  const woke: string[] = [];
  const a = clock.sleep(300).then(() => woke.push(`a@${clock.now()}`));
  const b = clock.sleep(100).then(() => woke.push(`b@${clock.now()}`));
  assert.equal(clock.pending, 2);
  await clock.advance(150);
  assert.deepEqual(woke, ['b@1100']);
  await clock.advance(1000);
  await Promise.all([a, b]);
  assert.deepEqual(woke, ['b@1100', 'a@1300']);
  assert.equal(clock.now(), 2150);
});

test('ManualClock sleep rejects when aborted and forgets the sleeper', async () => {
  const clock = new ManualClock();
  const ac = new AbortController();
  const p = clock.sleep(1000, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.equal(clock.pending, 0);
  await assert.rejects(clock.sleep(1, ac.signal), /stop/);
});

test('systemClock sleep can be aborted', async () => {
  const ac = new AbortController();
  const p = systemClock.sleep(60_000, ac.signal);
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
});

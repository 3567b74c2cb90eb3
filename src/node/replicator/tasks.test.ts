import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TaskSet } from './tasks.ts';

it('TaskSet: a rejection goes to onError; settled() waits for tasks started meanwhile', async () => {
  const errors: unknown[] = [];
  const tasks = new TaskSet((e) => errors.push(e));
  const order: string[] = [];
  let release: () => void = () => undefined;
  tasks.track(
    new Promise<void>((r) => {
      release = r;
    }).then(() => {
      order.push('first');
      // a task that starts another before it ends: settled() waits for that one too
      tasks.track(Promise.resolve().then(() => order.push('second')));
    }),
  );
  tasks.track(Promise.reject(new Error('boom')));
  assert.equal(tasks.size, 2);
  const done = tasks.settled().then(() => order.push('settled'));
  release();
  await done;
  assert.deepEqual(order, ['first', 'second', 'settled']);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['boom'],
  );
  assert.equal(tasks.size, 0);
});

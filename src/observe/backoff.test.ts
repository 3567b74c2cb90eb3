import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashBackoffMs, crashStreakMinMs, nextRetryAt } from './backoff.ts';

test('CouchDB crash backoff: 30 s × 2^min(n-1, 10)', () => {
  assert.equal(crashBackoffMs(0), 0);
  assert.equal(crashBackoffMs(1), 30_000);
  assert.equal(crashBackoffMs(2), 60_000);
  assert.equal(crashBackoffMs(11), 30_720_000);
  assert.equal(crashBackoffMs(20), 30_720_000);
  assert.equal(nextRetryAt('crashing', 3, 1000), 1000 + 120_000);
  assert.deepEqual([0, 1, 2, 3, 4].map(crashStreakMinMs), [0, 0, 30_000, 90_000, 210_000]);
  assert.equal(nextRetryAt('running', 3, 1000), null);
  assert.equal(nextRetryAt('crashing', 3, null), null);
});

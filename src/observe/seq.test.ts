import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashBackoffMs, crashStreakMinMs, nextRetryAt } from './backoff.ts';
import { seqDistance, seqEquals, seqNumber, seqText } from './seq.ts';
import { fixture } from './test-support.ts';

test('seqNumber: numeric prefix of real clustered seqs, numbers, "0"; null otherwise', () => {
  const info = (fixture('db-info') as { update_seq: string }).update_seq;
  assert.equal(seqNumber(info), 7);
  assert.equal(seqNumber('10000-g1AAAACleJzLYWBg'), 10000);
  assert.equal(seqNumber('0'), 0);
  assert.equal(seqNumber(42), 42);
  assert.equal(seqNumber('now'), null);
  assert.equal(seqNumber('g1AAAA-12'), null);
  assert.equal(seqNumber(null), null);
  assert.equal(seqNumber(undefined), null);
  assert.equal(seqNumber(-1), null);
  assert.equal(seqNumber(1.5), null);
  assert.equal(seqNumber('99999999999999999999-x'), null);
});

test('seqEquals is exact on text; seqDistance is the prefix heuristic', () => {
  assert.ok(seqEquals(0, '0'));
  assert.ok(!seqEquals('6-abc', '6-abd'));
  assert.ok(seqEquals(null, null));
  assert.ok(!seqEquals(null, '0'));
  assert.equal(seqDistance('10-x', '4-y'), 6);
  assert.equal(seqDistance('10-x', null), null);
  assert.equal(seqText(5), '5');
  assert.equal(seqText(undefined), null);
});

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

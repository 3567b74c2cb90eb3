import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDefaults } from '../health/types.ts';
import { unreachableSnapshot } from '../observe/snapshot.ts';
import { snapshot, T0, twoNodeLink } from '../observe/test-support.ts';
import { HealthBook } from './health-book.ts';

const down = (at: number) =>
  unreachableSnapshot('n2', at, { code: 'E_COUCH_UNREACHABLE', message: 'connect ECONNREFUSED' });
const unreachableNodes = (fs: ReadonlyArray<{ rule: string; node?: string | null }>) =>
  fs.filter((f) => f.rule === 'node-unreachable').map((f) => f.node);

test('record: findings diffed against the previous poll (raised, then resolved)', () => {
  const book = new HealthBook([twoNodeLink()], withDefaults({ pollIntervalMs: 10_000 }), 600_000);
  const first = book.record([snapshot('n1', T0), down(T0)], T0);
  assert.deepEqual(unreachableNodes(first.findings), ['n2']);
  assert.deepEqual(unreachableNodes(first.diff.raised), ['n2']);
  assert.deepEqual(unreachableNodes(book.findings), ['n2']);
  const back = book.record([snapshot('n1', T0 + 10_000), snapshot('n2', T0 + 10_000)], T0 + 10_000);
  assert.deepEqual(unreachableNodes(back.findings), []);
  assert.deepEqual(unreachableNodes(back.diff.resolved), ['n2']);
});

test('a silence drops matching findings until its time, then they return', () => {
  const book = new HealthBook([twoNodeLink()], withDefaults({ pollIntervalMs: 10_000 }), 600_000);
  book.silence({ rule: 'node-unreachable', until: T0 + 5_000 });
  assert.deepEqual(unreachableNodes(book.record([snapshot('n1', T0), down(T0)], T0).findings), []);
  assert.deepEqual(unreachableNodes(book.evaluate(T0 + 5_000)), ['n2']);
});

test('marks older than retainMs are dropped when a poll is recorded', () => {
  const book = new HealthBook([twoNodeLink()], withDefaults({ pollIntervalMs: 10_000 }), 60_000);
  book.record([snapshot('n1', T0), snapshot('n2', T0)], T0);
  book.record([snapshot('n1', T0 + 30_000), snapshot('n2', T0 + 30_000)], T0 + 30_000);
  assert.equal(book.marks.length, 4);
  book.record([snapshot('n1', T0 + 70_000), snapshot('n2', T0 + 70_000)], T0 + 70_000);
  assert.deepEqual(
    book.marks.map((s) => s.at - T0),
    [30_000, 30_000, 70_000, 70_000],
  );
});

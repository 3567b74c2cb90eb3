// The join over recorded cluster answers (test/fixtures/couchdb/cluster): during a handoff
// `_scheduler/jobs` lists one replication twice (54: started on 91, crashed on 92); the direction
// takes the doc's own member's job, in whichever order they are listed, never the first blindly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCluster } from './cluster.ts';
import { ALL_LINKS, clusterSnapshot, M91, M92, peer, T0 } from './cluster-test-support.ts';
import { type DirectionState, linkView } from './snapshot.ts';

const S1C = ALL_LINKS.find((l) => l.link === 'c--s1' && l.db === 'events');

test('a replication listed twice in _scheduler/jobs: the job of the member that owns the doc', () => {
  assert.ok(S1C);
  const s = clusterSnapshot(T0, { docs: 'scheduler-docs-handoff', jobs: 'scheduler-jobs-handoff' });
  assert.deepEqual(
    s.jobs?.map((j) => j.node),
    [M92, M91],
    'the stale crashed copy is listed first',
  );
  for (const jobs of [s.jobs ?? [], [...(s.jobs ?? [])].reverse()]) {
    const snap = { ...s, jobs, membership: { all: [M91, M92], cluster: [M91, M92] } };
    assert.ok(isCluster(snap));
    const d: DirectionState | undefined = linkView([snap, peer('s1', T0)], [S1C])[0]?.directions[1];
    assert.equal(d?.direction, 's1->c');
    assert.equal(d?.state, 'running');
    assert.equal(d?.clusterNode, M91);
    assert.deepEqual(d?.crashes, [], 'no crash history from the member that gave the job up');
  }
});

test('all members up (12): each direction names the member that runs it', () => {
  const s = clusterSnapshot(T0, { docs: 'scheduler-docs-all-up', tasks: 'active-tasks-all-up' });
  const views = linkView([s, peer('s1', T0), peer('s2', T0)], ALL_LINKS);
  const members = views.map((v) => [v.link, v.db, v.directions[1].clusterNode]);
  assert.deepEqual(members, [
    ['c--s1', 'events', M91],
    ['c--s1', 'sensors', M92],
    ['c--s2', 'events', 'couchdb93@127.0.0.1'],
    ['c--s2', 'sensors', 'couchdb93@127.0.0.1'],
  ]);
});

// Cluster rules over the recorded answers of a real CouchDB 3.5.0 cluster (test/fixtures/couchdb/cluster):
// member 93 stopped (46), a job handed over (54), `initializing` in the quiet period (59).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALL_LINKS,
  clusterSnapshot,
  M91,
  M93,
  peer,
  REPLICATOR_IDS,
  T0,
} from '../observe/cluster-test-support.ts';
import type { NodeSnapshot } from '../observe/snapshot.ts';
import { evaluateHealth } from './evaluate.ts';
import { memberDownRule } from './rules-cluster.ts';
import type { Finding } from './types.ts';

const POLL = 2_000;
/** Polls of c (and its reachable peers) every 2 s, as 46 was recorded. */
function polls(n: number, make: (at: number, i: number) => NodeSnapshot): NodeSnapshot[] {
  return Array.from({ length: n }, (_, i) => {
    const at = T0 + i * POLL;
    return [make(at, i), peer('s1', at), peer('s2', at)];
  }).flat();
}
const judge = (snaps: NodeSnapshot[]) =>
  evaluateHealth({ snapshots: snaps, links: ALL_LINKS }, Math.max(...snaps.map((s) => s.at)), {
    pollIntervalMs: POLL,
  });
/** Findings about c or the directions whose doc c holds (the peers hold no docs in these recordings). */
const onC = (fs: Finding[]) => fs.filter((f) => f.node === 'c' || f.direction?.endsWith('->c'));
const rules = (fs: Finding[]) => onC(fs).map((f) => `${f.rule}/${f.severity} ${f.direction ?? f.node}`);

describe('a member down (cluster-samples/46: 93 stopped, total_rows 4, 2 rows)', () => {
  const down = (at: number) =>
    clusterSnapshot(at, {
      docs: 'scheduler-docs-93-down',
      tasks: 'active-tasks-93-down',
      membership: 'membership-93-down',
      replicatorIds: REPLICATOR_IDS,
    });

  test('member-down for c, the down owner docs unassigned (info), no doc-missing, no unreachable', () => {
    const fs = judge(polls(5, down));
    assert.deepEqual(rules(fs).sort(), [
      'member-down/warning c',
      'unassigned/info s2->c',
      'unassigned/info s2->c',
    ]);
    const md = fs.find((f) => f.rule === 'member-down');
    assert.equal(md?.evidence.downMembers, M93);
    assert.equal(md?.evidence.live, 2);
    assert.match(md?.message ?? '', /couchdb93@127\.0\.0\.1 down/);
    const un = fs.find((f) => f.rule === 'unassigned');
    assert.match(un?.message ?? '', /owner is down \(couchdb93@127\.0\.0\.1\)/);
    assert.equal(un?.evidence.totalRows, 4);
    assert.equal(un?.evidence.rows, 2);
    assert.ok(!onC(fs).some((f) => f.rule === 'doc-missing' || f.rule === 'node-unreachable'));
  });

  test('unassigned past the quiet period is a warning; a doc _replicator does not hold is missing', () => {
    const long = polls(40, down); // 78 s
    assert.ok(
      onC(judge(long))
        .filter((f) => f.rule === 'unassigned')
        .every((f) => f.severity === 'warning'),
    );
    const gone = polls(2, (at) => ({
      ...down(at),
      replicatorIds: REPLICATOR_IDS.filter((id) => id !== 'couchmesh.cmix.events.s2--c'),
    }));
    assert.deepEqual(
      rules(judge(gone))
        .filter((r) => !r.startsWith('member-down'))
        .sort(),
      ['doc-missing/warning s2->c', 'unassigned/info s2->c'],
    );
  });

  test('_replicator unread (a failed side read): unassigned, never "missing"', () => {
    const snaps = polls(2, (at) => {
      const { replicatorIds: _, ...s } = down(at);
      return s;
    });
    assert.ok(!judge(snaps).some((f) => f.rule === 'doc-missing' && f.direction?.endsWith('->c')));
  });

  test('all members up (12): no cluster finding; members named per direction', () => {
    const fs = judge(
      polls(3, (at) =>
        clusterSnapshot(at, {
          docs: 'scheduler-docs-all-up',
          tasks: 'active-tasks-all-up',
          membership: 'membership-all-up',
        }),
      ),
    );
    assert.deepEqual(rules(fs), []);
  });

  test('two of three members down: critical (no write quorum for n=3)', () => {
    const m = { all: [M91], cluster: [M91, 'couchdb92@127.0.0.1', M93] };
    const mark = {
      node: 'c',
      at: T0,
      reachable: true,
      confidence: 'full' as const,
      membership: m,
      docs: { length: 0 },
    };
    const f = memberDownRule('c', [mark], T0 + 5000);
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.evidence.down, 2);
  });
});

describe('a job moving between members (cluster-samples/54, 59)', () => {
  const base = (at: number) =>
    clusterSnapshot(at, { docs: 'scheduler-docs-all-up', membership: 'membership-all-up' });
  const DOC = 'couchmesh.cmix.events.s1--c';
  /** c's poll with events.s1--c in `state` (59: `initializing` rows carry no replication id yet). */
  const withDoc = (at: number, state: 'initializing' | 'crashing' | 'running', reason?: string) => {
    const s = base(at);
    s.docs = s.docs.map((d) =>
      d.doc_id !== DOC
        ? d
        : state === 'initializing'
          ? { ...d, state, id: null, info: null, node: M91 }
          : state === 'crashing'
            ? { ...d, state, info: { error: reason ?? null }, error_count: 1, node: M91 }
            : d,
    );
    return s;
  };
  const DUP = `Duplicate replication running on ${M93}`;
  const on = (fs: Finding[]) => onC(fs).filter((f) => f.direction === 's1->c');

  test('initializing within the quiet period: handoff (info), no crash; past it: a warning', () => {
    const init = judge(polls(20, (at) => withDoc(at, 'initializing'))); // 38 s
    assert.deepEqual(
      on(init).map((f) => `${f.rule}/${f.severity}`),
      ['handoff/info'],
    );
    assert.equal(on(init)[0]?.evidence.member, M91);
    const stuck = judge(polls(40, (at) => withDoc(at, 'initializing'))); // 78 s
    assert.deepEqual(
      on(stuck).map((f) => `${f.rule}/${f.severity}`),
      ['handoff/warning'],
    );
  });

  test('initializing then "Duplicate replication running on …" within the quiet period: no crashing finding', () => {
    const snaps = polls(25, (at, i) => (i < 15 ? withDoc(at, 'initializing') : withDoc(at, 'crashing', DUP)));
    const fs = on(judge(snaps));
    assert.deepEqual(
      fs.map((f) => `${f.rule}/${f.severity}`),
      ['handoff/info'],
    );
    assert.match(fs[0]?.message ?? '', /Duplicate replication running on couchdb93/);
  });

  test('a Duplicate crash that lasts past the quiet period is a crash (a real duplicate)', () => {
    const fs = on(judge(polls(40, (at) => withDoc(at, 'crashing', DUP))));
    assert.deepEqual(
      fs.map((f) => f.rule),
      ['crashing'],
    );
  });

  test('any other crash is a crash at once (session_request_failed on a dead member, 54)', () => {
    const fs = on(judge(polls(2, (at) => withDoc(at, 'crashing', '{replication_auth_error,...}'))));
    assert.deepEqual(
      fs.map((f) => f.rule),
      ['crashing'],
    );
  });
});

test('pending on a cluster quotes the gauges of the member that owns the doc, not the sum', () => {
  const s = clusterSnapshot(T0, { docs: 'scheduler-docs-all-up', membership: 'membership-all-up' });
  const gauges = (running: number, pending: number) => ({
    values: {},
    jobs: { running, pending, crashed: 0, total: running + pending },
  });
  const pendingAt = (at: number): NodeSnapshot => ({
    ...s,
    at,
    docs: s.docs.map((d) =>
      d.doc_id === 'couchmesh.cmix.events.s1--c' ? { ...d, state: 'pending', last_updated: undefined } : d,
    ),
    memberStats: { [M91]: gauges(500, 3), 'couchdb92@127.0.0.1': gauges(1, 0), [M93]: gauges(2, 0) },
    stats: gauges(503, 3),
  });
  const snaps = Array.from({ length: 4 }, (_, i) => [
    pendingAt(T0 + i * 120_000),
    peer('s1', T0 + i * 120_000),
  ]).flat();
  const f = evaluateHealth({ snapshots: snaps, links: ALL_LINKS }, T0 + 360_000, {
    pollIntervalMs: 120_000,
  }).find((x) => x.rule === 'pending');
  assert.equal(f?.evidence.jobsRunning, 500);
  assert.match(f?.message ?? '', /500 running, 3 pending on c member couchdb91@127\.0\.0\.1/);
});

test('a single node (no member named) is never in a handoff', () => {
  const s = clusterSnapshot(T0, { docs: 'scheduler-docs-all-up' });
  const single = (at: number): NodeSnapshot => ({
    ...s,
    at,
    docs: s.docs
      .filter((d) => d.doc_id === 'couchmesh.cmix.events.s1--c')
      .map((d) => ({ ...d, node: undefined, state: 'initializing' as const, id: null, info: null })),
  });
  const snaps = Array.from({ length: 3 }, (_, i) => [
    single(T0 + i * 2000),
    peer('s1', T0 + i * 2000),
  ]).flat();
  const fs = evaluateHealth({ snapshots: snaps, links: ALL_LINKS }, T0 + 4000, { pollIntervalMs: 2000 });
  assert.ok(!fs.some((f) => f.rule === 'handoff'));
});

// A mesh node that is a CouchDB 3 cluster behind one URL, read from recorded-shape fixtures
// (test/fixtures/couchdb/samples/cluster-*.json: 3.5.0 captures with `node` set to 3 members and a
// job reported twice while it changes owner; see INDEX.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterMembers, forDoc, isCluster, oneDocPerReplication, taskFreshness } from './cluster.ts';
import type { MeshLink } from './links.ts';
import { readAllSchedulerDocs } from './paging.ts';
import { parseActiveTasks, parseSchedulerDocsPage, parseSchedulerJobsPage } from './parse.ts';
import { linkView, type NodeSnapshot } from './snapshot.ts';
import { sampleBody } from './test-support.ts';

const C1 = 'couchdb@c1.local';
const C2 = 'couchdb@c2.local';
const C3 = 'couchdb@c3.local';
const body = (f: string) => sampleBody(`cluster-${f}.json`).body;

async function clusterSnapshot(): Promise<NodeSnapshot> {
  const all = await readAllSchedulerDocs(async () => body('scheduler-docs'));
  return {
    node: 'n1',
    at: Date.parse('2026-11-27T16:00:00Z'),
    reachable: true,
    confidence: 'full',
    docs: all.docs,
    tasks: parseActiveTasks(body('active-tasks')),
    dbInfo: {},
    jobs: parseSchedulerJobsPage(body('scheduler-jobs')).jobs,
  };
}

// n1 (the cluster) holds the docs of both directions of n1--n2 (push-to-node2 pushes, pull-from-node2 pulls)
const link: MeshLink = {
  mesh: 'm',
  link: 'n1--n2',
  db: 'sensors',
  directions: [
    { from: 'n1', to: 'n2', docNode: 'n1', mode: 'push', docId: 'push-to-node2', checkpointIntervalMs: 5000 },
    {
      from: 'n2',
      to: 'n1',
      docNode: 'n1',
      mode: 'pull',
      docId: 'pull-from-node2',
      checkpointIntervalMs: 5000,
    },
  ],
};

test('a doc reported by two members is kept once: the member that reports the later state', async () => {
  const raw = parseSchedulerDocsPage(body('scheduler-docs')).docs;
  assert.equal(raw.filter((d) => d.doc_id === 'push-to-node2').length, 2);
  for (const docs of [
    (await clusterSnapshot()).docs,
    oneDocPerReplication(raw),
    oneDocPerReplication([...raw].reverse()),
  ]) {
    assert.deepEqual(docs.map((d) => [d.doc_id, d.node, d.state]).sort(), [
      ['pull-from-node2', C1, 'running'],
      ['push-to-missing-db-node3', C3, 'crashing'],
      ['push-to-node2', C2, 'running'],
    ]);
  }
});

test('the snapshot names the 3 cluster members; a single server is not a cluster', async () => {
  const s = await clusterSnapshot();
  assert.deepEqual(clusterMembers(s), [C1, C2, C3]);
  assert.equal(isCluster(s), true);
  const single = { ...s, docs: s.docs.filter((d) => d.node === C1), tasks: [], jobs: [] };
  assert.deepEqual(clusterMembers(single), [C1]);
  assert.equal(isCluster(single), false);
});

test('tasks match docs by replication id on the member that runs them, not the stale copy', async () => {
  const s = await clusterSnapshot();
  const doc = s.docs.find((d) => d.doc_id === 'push-to-node2');
  assert.ok(doc);
  const task = forDoc(s.tasks, (t) => t.replication_id, doc, taskFreshness);
  assert.equal(task?.node, C2);
  // in either order of the listing
  assert.equal(forDoc([...s.tasks].reverse(), (t) => t.replication_id, doc, taskFreshness)?.node, C2);
  // without the doc's member among them, the freshest report wins
  const others = s.tasks.filter((t) => t.node !== C2);
  const stale = forDoc(others, (t) => t.replication_id, { ...doc, node: C1 }, taskFreshness);
  assert.equal(stale?.node, C3);
});

test('linkView over a cluster node: one row per direction, its member, stats of the running copy', async () => {
  const [v] = linkView([await clusterSnapshot()], [link]);
  assert.ok(v);
  const [push, pull] = v.directions;
  assert.deepEqual(
    [push, pull].map((d) => [d.direction, d.state, d.clusterNode, d.docsWritten]),
    [
      ['n1->n2', 'running', C2, 3],
      ['n2->n1', 'running', C1, 3],
    ],
  );
  // a single server's rows carry no cluster member (the field is only for clusters)
  const s = await clusterSnapshot();
  const single: NodeSnapshot = {
    ...s,
    docs: s.docs.filter((d) => d.node === C1),
    tasks: s.tasks.filter((t) => t.node === C1),
    jobs: [],
  };
  const [w] = linkView([single], [link]);
  assert.equal(w?.directions[1].clusterNode, undefined);
  assert.equal(w?.directions[1].state, 'running');
});

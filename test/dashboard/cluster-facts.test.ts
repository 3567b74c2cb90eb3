// CLUSTERS (#17) on the dashboard, without a browser: the link panel's facts name the member running
// the direction's job and, per endpoint, its members down and the member that answered; the graph's
// node label counts the members down. From the recorded healthy poll, with node n1 made a cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphOf, recordedStatus, seedSpec } from '../../src/api/testing.ts';
import type { StatusReport } from '../../src/ops/status.ts';
import { memberFacts, membersDownLabel } from '../../web/src/cluster.ts';

const C = ['couchdb@c1.local', 'couchdb@c2.local', 'couchdb@c3.local'];
const { directions } = graphOf(seedSpec());

function clusterStatus(): { status: StatusReport; into: string; other: string } {
  const status = recordedStatus('healthy');
  const n1 = status.nodes.find((n) => n.node === 'n1');
  if (!n1) throw new Error('fixture: no n1');
  n1.cluster_members = C;
  n1.members_down = [C[0] as string];
  n1.member = 'http://10.0.0.2:5984';
  const into = directions.find((d) => d.to === 'n1');
  const other = directions.find((d) => d.from !== 'n1' && d.to !== 'n1');
  if (!into || !other) throw new Error('fixture: directions');
  const row = status.directions.find((r) => r.direction === into.direction && r.db === into.db);
  if (!row) throw new Error('fixture: row');
  row.cluster_node = C[1] as string;
  return { status, into: into.direction, other: other.direction };
}

test('link panel: the member per direction, the endpoint members down and the member that answered', () => {
  const { status, into, other } = clusterStatus();
  const d = directions.find((x) => x.direction === into) ?? assert.fail();
  assert.deepEqual(memberFacts(status, d), [
    ['member', 'couchdb@c2.local'],
    ['n1 members down', 'couchdb@c1.local'],
    ['n1 answered by', 'http://10.0.0.2:5984'],
  ]);
  // a direction away from the cluster: no cluster fact
  assert.deepEqual(memberFacts(status, directions.find((x) => x.direction === other) ?? assert.fail()), []);
  // an unassigned direction (its owner down, not yet moved) says so
  const row = status.directions.find((r) => r.direction === into) ?? assert.fail();
  delete row.cluster_node;
  row.state = 'unassigned';
  assert.deepEqual(memberFacts(status, d)[0], ['member', 'owner down, not yet moved']);
  // before the first poll: nothing
  assert.deepEqual(memberFacts(null, d), []);
});

test('graph label: the members down of a cluster node, nothing for the others', () => {
  const { status } = clusterStatus();
  assert.equal(membersDownLabel(status, 'n1'), '1 of 3 members down');
  assert.equal(membersDownLabel(status, 'n2'), '');
  assert.equal(membersDownLabel(null, 'n1'), '');
});

// A cluster node in the status views: the MEMBER column (plain and fitted), a line per cluster node
// with its members and those down, and a line per side read dropped this poll.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusReport } from '../../ops/status.ts';
import { meshReport } from '../../ops/status-test-support.ts';
import { paint } from './paint.ts';
import { renderStatus } from './status.ts';
import { renderStatusFit } from './status-fit.ts';

const plain = paint(false, {});
const C = ['couchdb@c1.local', 'couchdb@c2.local', 'couchdb@c3.local'];

function clusterReport(): StatusReport {
  const r = meshReport(3);
  const [a, b] = r.directions;
  if (!a || !b) throw new Error('fixture');
  a.cluster_node = C[0] as string;
  b.state = 'unassigned';
  const n1 = r.nodes[0];
  if (!n1) throw new Error('fixture');
  n1.cluster_members = C;
  n1.members_down = [C[2] as string];
  n1.member = 'http://10.0.0.2:5984';
  n1.notes = [{ read: '_scheduler/jobs', code: 'E_COUCH_HTTP', message: 'GET /_scheduler/jobs -> 500' }];
  return r;
}

test('status text: MEMBER after STATE, the cluster line, the dropped side read', () => {
  const r = clusterReport();
  const text = renderStatus(r, plain);
  const [a, b] = r.directions;
  assert.match(text, /LINK\s+DB\s+DIRECTION\s+STATE\s+MEMBER\s+LAG/);
  assert.match(text, new RegExp(`${a?.direction}\\s+${a?.state}\\s+couchdb@c1\\.local`));
  assert.match(text, new RegExp(`${b?.direction}\\s+unassigned\\s+\\(owner down\\)`));
  assert.match(
    text,
    /n1: cluster of 3 members \(couchdb@c1\.local, couchdb@c2\.local, couchdb@c3\.local\), reads answered by http:\/\/10\.0\.0\.2:5984, down: couchdb@c3\.local/,
  );
  assert.match(
    text,
    /n1: _scheduler\/jobs not read this poll \(E_COUCH_HTTP: GET \/_scheduler\/jobs -> 500\); its data is left out/,
  );
  // a node with members that does not answer as a cluster (one CouchDB behind several URLs): the member alone
  const single = meshReport(3);
  const n2 = single.nodes[1];
  if (!n2) throw new Error('fixture');
  n2.member = 'http://10.0.0.3:5984';
  assert.match(renderStatus(single, plain), /\nn2: reads answered by http:\/\/10\.0\.0\.3:5984\n/);
  // a mesh without a cluster has no MEMBER column
  assert.doesNotMatch(renderStatus(meshReport(3), plain), /MEMBER/);
});

test('status --watch fitted: MEMBER kept when there is room, dropped before LAG and PENDING when not', () => {
  const r = clusterReport();
  const wide = renderStatusFit(r, plain, { width: 160, height: 40 });
  assert.match(wide, /STATE\s+MEMBER/);
  assert.match(wide, /couchdb@c1\.local/);
  const narrow = renderStatusFit(r, plain, { width: 50, height: 40 });
  const header = narrow.split('\n').find((l) => l.startsWith('LINK')) ?? '';
  assert.doesNotMatch(header, /MEMBER/);
  assert.match(header, /STATE/);
});

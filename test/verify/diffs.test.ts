// `couchmesh verify` on embedded nodes holding given revisions (no replication running, so nothing
// changes under the test): identical nodes exit 0; a conflict on one node only is a leaf-set
// difference, a tombstone winner on one node a winner difference, a document on one node only a
// missing one; the reader pages and pass 2 holds a bounded number of documents; an unreachable node
// is reported as such.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyOperation } from '../../src/ops/verify.ts';
import { bucketOf } from '../../src/verify/digest.ts';
import { cli, DB, type Json, TelemetryMesh } from '../telemetry/helpers.ts';
import { baseDoc, ids, losingLeaf, putRevs, tombstone } from './helpers.ts';

const DOCS = ids('d', 60);

describe('verify: what differs between nodes', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    await mesh.start(
      [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }, { name: 'n4' }],
      [
        ['n1', 'n2'],
        ['n2', 'n3'],
        ['n3', 'n4'],
      ],
    );
    for (const n of ['n1', 'n2', 'n3', 'n4']) {
      await mesh.ok(n, 'PUT', `/${DB}`);
      // each node receives the same documents in another order: `_changes` orders differ
      const order = n === 'n2' ? [...DOCS].reverse() : DOCS;
      await putRevs(mesh, n, order.map(baseDoc));
    }
  });
  after(() => mesh.close());

  it('identical nodes: every linked pair identical, exit 0', async () => {
    const { code, o } = await cli(mesh, ['verify', '-f', mesh.file]);
    assert.equal(code, 0, o.all);
    assert.match(o.stdout, /n1 -- n2 {2}identical/);
    assert.match(o.stdout, /verify t: 3 pairs: 3 identical, 0 divergent/);
    assert.equal(o.stderr, '', 'no progress line without a terminal');
  });

  it('a conflict on one node only, a tombstone winner, a document on one node only', async () => {
    await putRevs(mesh, 'n2', [losingLeaf('d-003')]);
    await putRevs(mesh, 'n3', [tombstone('d-005')]);
    await putRevs(mesh, 'n1', [baseDoc('only-n1')]);
    const { code, o } = await cli(mesh, ['verify', '-f', mesh.file, '--json']);
    assert.equal(code, 2, o.all);
    const out: Json = JSON.parse(o.stdout);
    const pair = (a: string) => out.report.databases[0].pairs.find((p: Json) => p.a === a);
    const n12 = pair('n1');
    assert.equal(n12.state, 'divergent');
    assert.deepEqual(n12.missing_on_b, { count: 1, ids: ['only-n1'] });
    assert.deepEqual(n12.leaves, { count: 1, ids: ['d-003'] });
    assert.deepEqual([n12.missing_on_a.count, n12.winners.count], [0, 0]);
    const n23 = pair('n2');
    assert.deepEqual(n23.leaves, { count: 1, ids: ['d-003'] });
    assert.deepEqual(n23.winners, { count: 1, ids: ['d-005'] });
    assert.deepEqual(pair('n3').winners, { count: 1, ids: ['d-005'] }, 'n4 has not the tombstone');
    assert.deepEqual(out.report.summary, {
      pairs: 3,
      identical: 0,
      divergent: 3,
      not_compared: 0,
      unreachable: [],
    });
  });

  it('pages of `limit` rows, pass 2 in rounds: the reader holds a bounded number of documents', async () => {
    const seen: number[] = [];
    const r = await verifyOperation(
      { file: mesh.file, db: DB, nodes: ['n1', 'n2'], pageSize: 7, buckets: 16, maxHeld: 1 },
      mesh.deps(),
      (e) => e.kind === 'read' && seen.push(e.docs),
    );
    const [d] = r.report.databases;
    assert.ok(d);
    assert.equal(d.stats.max_page_rows, 7, 'no page held more than `limit` rows');
    // maxHeld 1: a round per differing bucket (only-n1's and d-003's), each holding that bucket's
    // documents of both nodes: the largest such bucket is the most pass 2 ever held
    const buckets = [bucketOf('only-n1', 16), bucketOf('d-003', 16)];
    assert.equal(d.stats.rounds, new Set(buckets).size);
    const inBucket = (b: number) =>
      [...DOCS, ...DOCS, 'only-n1'].filter((id) => bucketOf(id, 16) === b).length;
    assert.equal(d.stats.max_held_docs, Math.max(...buckets.map(inBucket)));
    assert.ok(d.stats.max_held_docs < 20, `held ${d.stats.max_held_docs} of 121`);
    assert.deepEqual(d.pairs[0]?.missing_on_b.ids, ['only-n1']);
    assert.deepEqual(d.pairs[0]?.leaves.ids, ['d-003']);
    assert.ok(seen.includes(7) && seen.includes(14), 'progress per page');
  });

  it('--nodes compares a pair the mesh does not link; --repair never uses a direction it does not declare', async () => {
    const { code, o } = await cli(mesh, ['verify', '-f', mesh.file, '--nodes', 'n1,n3', '--repair']);
    assert.equal(code, 2, o.all);
    assert.match(
      o.stdout,
      /n1 -- n3 {2}divergent\n {4}1 missing on n3: only-n1\n {4}1 winners differ: d-005/,
    );
    assert.match(
      o.stdout,
      /repair:\n {2}n1--n3 \(sensors\): 2 docs not repaired: no link between them in the mesh/,
    );
    assert.equal((await mesh.request('n3', 'GET', `/${DB}/only-n1`)).status, 404, 'nothing replicated');
  });

  it('a database missing on a node: compared as empty; --repair skips it (apply creates databases)', async () => {
    await mesh.ok('n4', 'DELETE', `/${DB}`);
    const { code, o } = await cli(mesh, ['verify', '-f', mesh.file, '--nodes', 'n3,n4', '--repair']);
    assert.equal(code, 2, o.all);
    assert.match(o.stdout, /^sensors \(n3 60 docs, n4 no database\)/);
    assert.match(o.stdout, /60 missing on n4: d-000, d-001/);
    assert.match(
      o.stdout,
      /n3->n4 \(sensors\): 60 docs not repaired: database sensors missing on n4: run couchmesh apply/,
    );
    await mesh.ok('n4', 'PUT', `/${DB}`);
  });

  it('an unreachable node: reported as such, the others compared, exit 1, no stack', async () => {
    await mesh.stop('n4');
    const { code, o } = await cli(mesh, ['verify', '-f', mesh.file, '--nodes', 'n3,n4']);
    assert.equal(code, 1, o.all);
    assert.match(o.stdout, /n3 -- n4 {2}not compared: n4 unreachable/);
    assert.match(o.stdout, /n4: E_COUCH_UNREACHABLE/);
    assert.doesNotMatch(o.all, /at .*\.ts:\d+/);
    assert.doesNotMatch(o.all, new RegExp(mesh.password));
  });
});

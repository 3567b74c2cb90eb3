// TOPOLOGY must-show, on the seed mesh of four embedded nodes: apply creates exactly 10 documents
// in the right `_replicator`s and data flows; a second apply writes nothing; a hand-edited managed
// document is drift and gets repaired; foreign documents are never touched (apply, prune, destroy).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { applyOperation } from '../../src/ops/apply.ts';
import { cli, DB, type Json, poll, RequestLog, SEED_DIRECTIONS, SeedMesh, seedId } from './helpers.ts';

const yes = async () => true;

describe('seed mesh on embedded nodes: plan / apply / destroy', () => {
  const mesh = new SeedMesh();
  before(() => mesh.start());
  after(() => mesh.close());

  it('apply creates exactly 10 docs in the right _replicators (pull: on the target), and data flows n1 -> n4', async () => {
    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 0, o.all);
    assert.match(o.stdout, /Plan: 4 to create db, 10 to add, 0 to change, 0 to destroy\./);
    assert.match(o.stdout, /\+ create couchmesh\.seed\.sensors\.n1--n2 on n2 \(pull, cellular\)/);
    assert.match(o.stdout, /Apply complete: 14 changes on 4 nodes\./);

    let total = 0;
    for (const node of ['n1', 'n2', 'n3', 'n4']) {
      const docs = await mesh.replicator(node);
      const want = SEED_DIRECTIONS.filter(([, to]) => to === node).map(([from, to]) => seedId(from, to));
      assert.deepEqual([...docs.keys()].sort(), want.sort(), `the documents on ${node}`);
      total += docs.size;
      for (const [id, doc] of docs) {
        const [from, to] = id.slice(`couchmesh.seed.${DB}.`.length).split('--') as [string, string];
        assert.equal(doc.source.url, `${mesh.url(from)}/${DB}`);
        assert.equal(doc.target.url, `${mesh.url(to)}/${DB}`);
        assert.equal(doc.source.auth.basic.username, 'admin');
        assert.equal(doc.continuous, true);
        assert.equal(doc.create_target, false);
        assert.equal(doc.checkpoint_interval, 10000, 'the cellular class');
        assert.deepEqual(
          { mesh: doc.couchmesh.mesh, db: doc.couchmesh.db, from: doc.couchmesh.from, to: doc.couchmesh.to },
          { mesh: 'seed', db: DB, from, to },
        );
      }
      assert.ok((await mesh.ok(node, 'GET', `/${DB}`)).db_name === DB, `${DB} exists on ${node}`);
    }
    assert.equal(total, 10);

    // n4 is two hops from n1 (n1 -> n2|n3 -> n4): the mesh carries the write there
    await mesh.ok('n1', 'PUT', `/${DB}/reading-from-n1`, { temperature_c: 19.5 });
    const seen = await poll('the n1 write on n4', async () => {
      const r = await mesh.request(mesh.url('n4'), 'GET', `/${DB}/reading-from-n1`);
      return r.status === 200 ? r.body : undefined;
    });
    assert.equal(seen.temperature_c, 19.5);
    await mesh.ok('n4', 'PUT', `/${DB}/reading-from-n4`, { temperature_c: 7 });
    await poll('the n4 write on n1', async () =>
      (await mesh.request(mesh.url('n1'), 'GET', `/${DB}/reading-from-n4`)).status === 200 ? true : undefined,
    );
  });

  it('a second apply makes zero writes; observing costs at most 2 requests per node', async () => {
    const log = new RequestLog();
    const r = await applyOperation({ file: mesh.file }, mesh.deps(log), yes);
    assert.ok(r.outcome);
    assert.equal(r.outcome.plan.changes, false);
    assert.equal(r.outcome.plan.summary.unchanged, 10);
    assert.equal(log.writes(), 0, 'no PUT / POST _bulk_docs / DELETE at all');
    for (const node of ['n1', 'n2', 'n3', 'n4']) {
      assert.ok(log.reads(mesh.url(node)) <= 2, `${node}: ${log.reads(mesh.url(node))} reads`);
      assert.deepEqual(r.outcome.nodes.find((n) => n.node === node)?.requests, { reads: 0, writes: 0 });
    }
    assert.ok(r.outcome.nodes.every((n) => n.status === 'unchanged'));

    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 0);
    assert.match(o.stdout, /No changes\. The nodes match .*mesh\.yaml \(10 documents up to date\)\./);
  });

  it('a hand-edited managed doc shows as drift in plan, and apply repairs it', async () => {
    const id = seedId('n1', 'n2');
    const doc = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
    await mesh.ok('n2', 'PUT', `/_replicator/${id}`, {
      ...doc,
      checkpoint_interval: 500,
      filter: 'app/only-mine',
    });

    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    assert.match(
      plan.o.stdout,
      /~ update couchmesh\.seed\.sensors\.n1--n2 on n2 \(repairs drift: checkpoint_interval: 500 -> 10000, filter: app\/only-mine -> \(absent\)\)/,
    );
    assert.match(
      plan.o.stdout,
      /Drift \(managed documents edited by hand[^\n]*\n {2}! drift couchmesh\.seed\.sensors\.n1--n2 on n2: checkpoint_interval is 500, declared 10000; filter is app\/only-mine, declared \(absent\)/,
    );
    assert.match(plan.o.stdout, /Plan: 0 to create db, 0 to add, 1 to change, 0 to destroy\./);

    const json = await cli(mesh, ['plan', '-f', mesh.file, '--json']);
    const view = JSON.parse(json.o.stdout);
    assert.deepEqual(
      view.drift.map((d: Json) => [d.node, d.id, d.fields]),
      [['n2', id, ['checkpoint_interval', 'filter']]],
    );

    const apply = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(apply.code, 0, apply.o.all);
    assert.match(apply.o.stdout, /n2: applied 1 change \(1 request, 1 writing\)/);
    const repaired = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
    assert.equal(repaired.checkpoint_interval, 10000);
    assert.equal(repaired.filter, undefined);
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode'])).code, 0);
  });

  it('foreign replication docs are never touched: not by apply, not by --prune, not by destroy', async () => {
    // an operator's own replication, another mesh's document, and a doc squatting on one of our ids
    const foreign = {
      source: { url: `${mesh.url('n1')}/${DB}` },
      target: { url: `${mesh.url('n3')}/backup` },
      continuous: true,
      create_target: true,
    };
    await mesh.ok('n3', 'PUT', '/_replicator/my-backup', foreign);
    await mesh.ok('n3', 'PUT', '/_replicator/couchmesh.other.sensors.n1--n3', {
      ...foreign,
      couchmesh: { mesh: 'other', db: DB, from: 'n1', to: 'n3', link: 'n1--n3', class: 'lan', spec: 'x' },
    });
    // a managed doc of *this* mesh that the file no longer declares: an orphan
    const managed = await mesh.ok('n2', 'GET', `/_replicator/${seedId('n1', 'n2')}`);
    const { _id, _rev, owner, ...body } = managed;
    await mesh.ok('n4', 'PUT', '/_replicator/couchmesh.seed.sensors.n1--n4', {
      ...body,
      couchmesh: { ...body.couchmesh, from: 'n1', to: 'n4', link: 'n1--n4' },
    });
    const revs = async () => {
      const docs = await mesh.replicator('n3');
      return [docs.get('my-backup')?._rev, docs.get('couchmesh.other.sensors.n1--n3')?._rev];
    };
    const before = await revs();
    assert.ok(before.every(Boolean));

    const kept = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(kept.code, 0, kept.o.all);
    assert.match(
      kept.o.stdout,
      /Kept: 1 managed document no longer declared \(run with --prune to delete them\):\n {2}couchmesh\.seed\.sensors\.n1--n4 on n4/,
    );
    assert.doesNotMatch(kept.o.stdout, /my-backup|couchmesh\.other/);
    assert.ok((await mesh.replicator('n4')).has('couchmesh.seed.sensors.n1--n4'));

    const pruned = await cli(mesh, ['apply', '-f', mesh.file, '--prune', '--yes']);
    assert.equal(pruned.code, 0, pruned.o.all);
    assert.match(
      pruned.o.stdout,
      /- delete couchmesh\.seed\.sensors\.n1--n4 on n4 \(no longer declared: --prune\)/,
    );
    assert.match(pruned.o.stdout, /Plan: 0 to create db, 0 to add, 0 to change, 1 to destroy\./);
    assert.equal((await mesh.replicator('n4')).has('couchmesh.seed.sensors.n1--n4'), false);
    assert.deepEqual(await revs(), before, 'foreign documents untouched by apply and --prune');

    const destroy = await cli(mesh, ['destroy', '-f', mesh.file, '--yes']);
    assert.equal(destroy.code, 0, destroy.o.all);
    assert.match(destroy.o.stdout, /Plan: 0 to create db, 0 to add, 0 to change, 10 to destroy\./);
    assert.match(destroy.o.stdout, /- delete couchmesh\.seed\.sensors\.n1--n2 on n2 \(destroy\)/);
    assert.match(destroy.o.stdout, /Databases are kept \(sensors on n1, n2, n3, n4\)/);
    for (const node of ['n1', 'n2', 'n4']) assert.equal((await mesh.replicator(node)).size, 0, node);
    assert.deepEqual([...(await mesh.replicator('n3')).keys()].sort(), [
      'couchmesh.other.sensors.n1--n3',
      'my-backup',
    ]);
    assert.deepEqual(await revs(), before, 'foreign documents untouched by destroy');
    for (const node of ['n1', 'n2', 'n3', 'n4'])
      assert.equal((await mesh.ok(node, 'GET', `/${DB}`)).db_name, DB, `${DB} kept on ${node}`);
    assert.ok((await mesh.ok('n4', 'GET', `/${DB}/reading-from-n1`)).temperature_c, 'data kept');

    const again = await cli(mesh, ['destroy', '-f', mesh.file, '--yes']);
    assert.equal(again.code, 0);
    assert.match(again.o.stdout, /Nothing to destroy/);
  });

  it('a foreign doc squatting on one of our ids is reported as blocked and left alone (exit 1)', async () => {
    const id = seedId('n1', 'n2');
    await mesh.ok('n2', 'PUT', `/_replicator/${id}`, {
      source: { url: `${mesh.url('n1')}/${DB}` },
      target: { url: `${mesh.url('n2')}/${DB}` },
    });
    const rev = (await mesh.replicator('n2')).get(id)._rev;
    const r = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(r.code, 1);
    assert.match(
      r.o.stdout,
      /Blocked \(left as they are\):\n {2}n2 couchmesh\.seed\.sensors\.n1--n2: a replication document not managed by mesh 'seed'/,
    );
    assert.match(r.o.stderr, /apply partially done: n2 has 1 blocked document/);
    assert.equal((await mesh.replicator('n2')).get(id)._rev, rev);
    assert.equal((await mesh.replicator('n1')).size, 2, 'the rest was applied');
    await mesh.ok('n2', 'DELETE', `/_replicator/${id}?rev=${rev}`);
  });

  it('a password file is read at plan time, and its content never printed', async () => {
    const pwFile = `${mesh.dir}/n1.pw`;
    writeFileSync(pwFile, `${mesh.password}\n`);
    const text = mesh.text.replace('password_env: COUCHMESH_PASSWORD }', `password_file: ${pwFile} }`);
    const file = `${mesh.dir}/file-auth.yaml`;
    writeFileSync(file, text);
    const r = await cli(mesh, ['apply', '-f', file, '--yes', '--json']);
    assert.equal(r.code, 0, r.o.all);
    assert.equal(r.o.all.includes(mesh.password), false);
  });
});

// TOPOLOGY must-show: one unreachable node -> the others are applied and the exit code says
// partial; `plan --detailed-exitcode` exit codes. The directions out of the unreachable node are
// withheld (not created on their targets): that node may still run them, pushing (src/plan/plan.ts).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { applyOperation } from '../../src/ops/apply.ts';
import { cli, RequestLog, SEED_DIRECTIONS, SeedMesh, seedId } from './helpers.ts';

describe('one node unreachable (n4 down)', () => {
  const mesh = new SeedMesh();
  before(() => mesh.start(['n4']));
  after(() => mesh.close());

  it('plan reports n4 and plans the others; exit 1 (incomplete), also with --detailed-exitcode', async () => {
    const r = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(r.code, 1);
    assert.match(
      r.o.stdout,
      /Unreachable \(nothing planned there; the other nodes are planned\):\n {2}n4 http:\/\/127\.0\.0\.1:\d+: E_COUCH_UNREACHABLE — /,
    );
    // n1..n3: their 3 dbs and the 6 documents that live on them, but for n4's two directions
    assert.match(r.o.stdout, /Plan: 3 to create db, 6 to add, 0 to change, 0 to destroy\./);
    assert.match(
      r.o.stdout,
      /Blocked \(left as they are\):\n {2}n3 couchmesh\.seed\.sensors\.n4--n3: not created: n4 is unreachable and may still run this direction .*\n {4}hint: bring n4 back/,
    );
    assert.match(
      r.o.stderr,
      /couchmesh: the plan is incomplete: 1 node unreachable \(n4\), 2 creates withheld while n4 cannot be seen\n {2}hint: /,
    );
  });

  it('apply writes n1..n3, says n4 failed and why, exits 1 (partial)', async () => {
    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 1, o.all);
    assert.match(o.stdout, /n1: applied 3 changes/);
    assert.match(
      o.stdout,
      /n2: applied 3 changes; WITHHELD couchmesh\.seed\.sensors\.n4--n2 \(n4 is unreachable and may still run them\)/,
    );
    assert.match(o.stdout, /n3: applied 3 changes; WITHHELD couchmesh\.seed\.sensors\.n4--n3/);
    assert.match(o.stdout, /n4: UNREACHABLE, nothing written — E_COUCH_UNREACHABLE: .*ECONNREFUSED/);
    assert.match(o.stdout, /Apply incomplete: 1 of 4 nodes done; not done: n2, n3, n4\./);
    assert.match(
      o.stderr,
      /couchmesh: apply partially done: n2 has 1 blocked document, n3 has 1 blocked document, n4 unreachable\n {2}hint: the other nodes are done/,
    );
    for (const node of ['n1', 'n2', 'n3']) {
      const want = SEED_DIRECTIONS.filter(([from, to]) => to === node && from !== 'n4').map(([f, t]) =>
        seedId(f, t),
      );
      assert.deepEqual([...(await mesh.replicator(node)).keys()].sort(), want.sort());
    }

    const json = await cli(mesh, ['apply', '-f', mesh.file, '--yes', '--json']);
    assert.equal(json.code, 1);
    const out = JSON.parse(json.o.stdout);
    assert.equal(out.ok, false);
    assert.deepEqual(out.failed, ['n2', 'n3', 'n4']);
    assert.deepEqual(
      out.nodes.map((n: { node: string; status: string }) => [n.node, n.status]),
      [
        ['n1', 'unchanged'],
        ['n2', 'blocked'],
        ['n3', 'blocked'],
        ['n4', 'unreachable'],
      ],
    );
    assert.equal(JSON.parse(json.o.stderr).error.code, 'E_APPLY_PARTIAL');
  });

  it('once n4 is back, apply does only what is left (n4 and its directions) and exits 0', async () => {
    await mesh.bringUp('n4');
    const log = new RequestLog();
    const r = await applyOperation({ file: mesh.file }, mesh.deps(log), async () => true);
    assert.ok(r.outcome?.ok);
    assert.equal(r.outcome.plan.summary.add, 4);
    assert.equal(r.outcome.plan.summary.create_db, 1);
    assert.deepEqual(
      r.outcome.nodes.filter((n) => n.status === 'applied').map((n) => n.node),
      ['n2', 'n3', 'n4'],
    );
    assert.equal(log.writes(mesh.url('n1')), 0);
    for (const node of ['n2', 'n3']) assert.equal(log.writes(mesh.url(node)), 1, `${node}: n4's direction`);
    assert.equal(log.writes(mesh.url('n4')), 2, 'PUT /sensors + one _bulk_docs');
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode'])).code, 0);
  });
});

describe('plan --detailed-exitcode', () => {
  const mesh = new SeedMesh();
  before(() => mesh.start());
  after(() => mesh.close());

  it('2 with changes, 0 without, 1 on an invalid mesh; plain plan exits 0 either way', async () => {
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file])).code, 0);
    const changes = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(changes.code, 2);
    assert.equal(changes.o.stderr, '', 'exit 2 is not an error: nothing on stderr');
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode', '--json'])).code, 2);

    assert.equal((await cli(mesh, ['apply', '-f', mesh.file, '--yes'])).code, 0);
    const none = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(none.code, 0);
    assert.match(none.o.stdout, /No changes\./);

    const bad = `${mesh.dir}/bad.yaml`;
    writeFileSync(bad, mesh.text.replace('  - [n4, n2]', '  - [n4, n9]'));
    const invalid = await cli(mesh, ['plan', '-f', bad, '--detailed-exitcode']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.o.stderr, /bad\.yaml:\d+:\d+ links\[4\]\[1\]: unknown node 'n9'/);
    assert.match(invalid.o.stderr, /couchmesh: .*bad\.yaml is not valid: 1 error/);
    assert.equal(invalid.o.stdout, '');
  });

  it('apply without --yes and without a terminal refuses (exit 1) and writes nothing', async () => {
    const id = seedId('n1', 'n2');
    const doc = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
    await mesh.ok('n2', 'PUT', `/_replicator/${id}`, { ...doc, worker_batch_size: 7 });
    const r = await cli(mesh, ['apply', '-f', mesh.file]);
    assert.equal(r.code, 1);
    assert.match(
      r.o.stderr,
      /couchmesh apply changes the nodes and there is no terminal to confirm it\n {2}hint: .*--yes/,
    );
    assert.equal((await mesh.ok('n2', 'GET', `/_replicator/${id}`)).worker_batch_size, 7);
  });
});

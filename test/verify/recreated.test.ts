// Must show (VERIFY-CHAOS #16): a 3-node mesh applied, data replicated everywhere, then the database
// deleted and recreated on n2 while the jobs are idle. Every job still says `running` with nothing
// pending, yet n2 is empty: `verify` names exactly the missing documents on both of n2's links,
// `--repair` replicates exactly those ids along the declared directions into n2 (one-shot jobs, no
// document left behind), and the second verify finds every pair identical.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyOperation } from '../../src/ops/verify.ts';
import { cli, DB, type Json, TelemetryMesh, until } from '../telemetry/helpers.ts';

const N = 40;
const expected = Array.from({ length: N }, (_, i) => `r-${String(i).padStart(5, '0')}`);

describe('verify: a database recreated on one node', () => {
  const mesh = new TelemetryMesh();
  const count = async (n: string) => (await mesh.ok(n, 'GET', `/${DB}`)).doc_count as number;
  const idle = async () => {
    for (const n of ['n1', 'n2', 'n3']) {
      const { docs } = await mesh.ok(n, 'GET', '/_scheduler/docs');
      for (const d of docs)
        if (d.state !== 'running' || String(d.info?.checkpointed_source_seq) !== String(d.info?.through_seq))
          return undefined;
    }
    return true;
  };
  before(async () => {
    await mesh.start(
      [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }],
      [
        ['n1', 'n2'],
        ['n2', 'n3'],
        ['n3', 'n1'],
      ],
    );
    await mesh.apply();
    await mesh.write('n1', 'r', N);
    for (const n of ['n2', 'n3'])
      await until(`${N} docs on ${n}`, async () => ((await count(n)) === N ? true : undefined), 500);
    // idle: every job has checkpointed all it read. CouchDB's job checks the target's
    // instance_start_time only when it checkpoints, and skips a checkpoint without progress
    // (couch_replicator_scheduler_job:do_checkpoint), so from now on nothing notices the recreation
    await until('every job idle and checkpointed', idle, 500);
    await mesh.ok('n2', 'DELETE', `/${DB}`);
    await mesh.ok('n2', 'PUT', `/${DB}`);
  });
  after(() => mesh.close());

  it('verify names exactly the missing documents; --repair fixes them; verify again: identical', async () => {
    // the jobs are idle: nothing brings the documents back by itself, and they all say running
    // (a job whose source was the deleted database may take a checkpoint interval to say so again)
    await until('every job running, nothing pending', idle, 500);
    assert.equal(await count('n2'), 0);
    const first = await cli(mesh, ['verify', '-f', mesh.file, '--json', '--limit', '100']);
    assert.equal(first.code, 2, first.o.all);
    const report: Json = JSON.parse(first.o.stdout).report;
    const pairs = report.databases[0].pairs;
    const byPair = new Map(pairs.map((p: Json) => [`${p.a}--${p.b}`, p]));
    const n12: Json = byPair.get('n1--n2');
    const n23: Json = byPair.get('n2--n3');
    assert.deepEqual(n12.missing_on_b, { count: N, ids: expected });
    assert.deepEqual(n23.missing_on_a, { count: N, ids: expected });
    assert.equal((byPair.get('n3--n1') as Json).state, 'identical');
    for (const p of [n12, n23]) assert.equal(p.winners.count + p.leaves.count, 0);
    assert.deepEqual(
      report.databases[0].nodes.map((n: Json) => [n.node, n.docs]),
      [
        ['n1', N],
        ['n2', 0],
        ['n3', N],
      ],
    );

    const { code, o } = await cli(mesh, ['verify', '-f', mesh.file, '--repair']);
    assert.equal(code, 0, o.all);
    // the repair runs only the declared directions into n2, with exactly the 40 ids
    // n1->n2 runs first and writes the 40; n3->n2 then finds nothing missing (_revs_diff)
    assert.match(
      o.stdout,
      /repair:\n {2}n1->n2 \(sensors\): 40 docs, 40 written, 0 write failures \(1 one-shot job on n2\)/,
    );
    assert.match(o.stdout, /n3->n2 \(sensors\): 40 docs, 0 written/);
    assert.doesNotMatch(o.stdout, /n2->n1|n2->n3/);
    assert.match(o.stdout, /after repair:[\s\S]*verify t: 3 pairs: 3 identical, 0 divergent/);
    assert.equal(await count('n2'), N);
    // the one-shot documents are gone: only the mesh's own replications remain
    const rep = await mesh.ok('n2', 'GET', '/_replicator/_all_docs');
    assert.deepEqual(
      rep.rows.map((r: Json) => r.id).filter((id: string) => !id.startsWith('_design/')),
      ['couchmesh.t.sensors.n1--n2', 'couchmesh.t.sensors.n3--n2'],
    );
    const again = await verifyOperation({ file: mesh.file }, mesh.deps());
    assert.equal(again.exit_code, 0);
    assert.equal(again.report.summary.identical, 3);
  });
});

// Must show: the checkpoint of a direction deleted on one side -> the checkpoint-integrity finding
// (critical: the next restart re-scans from 0), seen by `checkpoint verify` (exit 2), by `doctor`
// (with the couch_replicator log lines of that replication when --log is given) and by the poller
// once the pair is read on demand.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCheckpoints, repIdBase } from '../../src/observe/checkpoints.ts';
import { cli, DB, direction, findingsOf, type Json, pollUntil, TelemetryMesh } from './helpers.ts';

describe('telemetry: checkpoint integrity', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    await mesh.apply();
    await mesh.write('n1', 'doc', 20);
  });
  after(() => mesh.close());

  it('deleted checkpoint on one side -> integrity finding', async () => {
    const poller = mesh.poller();
    const r = await pollUntil(poller, 'n1->n2 idle and checkpointed at 20', (x) => {
      const d = direction(x, 'n1', 'n2');
      return d.state === 'running' && d.lagEstimate === 0 && d.docsWritten === 20;
    });
    const repId = direction(r, 'n1', 'n2').repId as string;
    const base = repIdBase(repId);
    // consistent first
    const verify0 = await cli(mesh, [
      'checkpoint',
      'verify',
      'n2--n1',
      '-f',
      mesh.file,
      '--direction',
      'n1->n2',
    ]);
    assert.equal(verify0.code, 0, verify0.o.all);
    assert.match(verify0.o.stdout, /consistent: same session on both sides, a restart resumes from 20/);

    // the target's checkpoint disappears (idle job: it writes no new checkpoint)
    const t = await mesh.ok('n2', 'GET', `/${DB}/_local/${base}`);
    await mesh.ok('n2', 'DELETE', `/${DB}/_local/${base}?rev=${t._rev}`);

    const verify = await cli(mesh, [
      'checkpoint',
      'verify',
      'n1--n2',
      '-f',
      mesh.file,
      '--direction',
      'n1->n2',
    ]);
    assert.equal(verify.code, 2, verify.o.all);
    assert.match(verify.o.stdout, /target n2 sensors\/_local\/[0-9a-f]{32}: none/);
    assert.match(verify.o.stdout, /the target checkpoint is MISSING: a restart re-scans from 0/);
    assert.match(verify.o.stdout, /CRITICAL checkpoint-integrity/);

    // the poller judges pairs read on demand
    const m = mesh.openMesh();
    const pair = await readCheckpoints({ link: 'n1--n2', db: DB, from: 'n1', to: 'n2', repId }, m.clients);
    assert.equal(pair.source.doc?.session_id !== undefined, true);
    assert.equal(pair.target.doc, null);
    poller.addCheckpoints(pair.pair ? [pair.pair] : []);
    const after1 = await poller.pollOnce();
    const [f] = findingsOf(after1, 'checkpoint-integrity', 'n1->n2');
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.evidence.outcome, 'missing');
    assert.match(
      f?.playbook ?? '',
      /delete the _local checkpoints on source and target and recreate the job/,
    );

    // doctor: evidence, the finding, next steps, and the log lines about this replication
    const log = join(mesh.dir, 'couch.log');
    writeFileSync(
      log,
      [
        `[notice] 2026-11-27T16:00:01.000000Z couchdb@127.0.0.1 <0.1.0> -------- couch_replicator_scheduler_job: Replication \`${repId}\` is using:`,
        '[info] 2026-11-27T16:00:02.000000Z couchdb@127.0.0.1 <0.2.0> -------- something else entirely',
        `[error] 2026-11-27T16:00:03.000000Z couchdb@127.0.0.1 <0.3.0> -------- couch_replicator_docs: doc couchmesh.t.${DB}.n1--n2 crashed`,
      ].join('\n'),
    );
    const doc = await cli(mesh, ['doctor', 'n1--n2', '-f', mesh.file, '--log', log, '--samples', '1']);
    assert.equal(doc.code, 2, doc.o.all);
    assert.match(doc.o.stdout, /n1--n2 n1->n2 \(sensors\): running/);
    assert.match(doc.o.stdout, /checkpoints \(missing\): source: session .*; target: none/);
    assert.match(doc.o.stdout, /CRITICAL checkpoint-integrity/);
    assert.match(
      doc.o.stdout,
      /next steps:\n\s+1\. the _local\/<replication_id> checkpoints on source and target disagree/,
    );
    assert.match(doc.o.stdout, /couchmesh checkpoint reset n1--n2 --db sensors --direction n1->n2/);
    assert.match(doc.o.stdout, /log .*couch\.log: 2 line\(s\) mention/);
    assert.match(doc.o.stdout, /Replication `[0-9a-f]{32}\+continuous` is using/);
    assert.doesNotMatch(doc.o.stdout, /something else entirely/);
    // the other direction is fine
    assert.match(doc.o.stdout, /n1--n2 n2->n1 \(sensors\): running[\s\S]*?no findings/);

    const json = await cli(mesh, ['doctor', 'n1--n2', '-f', mesh.file, '--json', '--samples', '1']);
    const report: Json = JSON.parse(json.o.stdout);
    const dx = report.directions.find((x: Json) => x.direction === 'n1->n2');
    assert.equal(dx.checkpoints.outcome, 'missing');
    assert.equal(dx.healthy, false);
    assert.equal(report.healthy, false);
    assert.ok(!json.o.stdout.includes(mesh.password));
  });
});

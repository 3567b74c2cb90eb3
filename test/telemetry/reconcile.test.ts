// Must show: `couchmesh reconcile` -> a one-shot `continuous:false` job on the direction's driving node,
// progress lines (no terminal) until `completed`, its stats — the counts match what the target was
// missing — and then its document (and its own checkpoints) removed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reconcileOperation } from '../../src/ops/reconcile.ts';
import { reconcileDocId } from '../../src/ops/reconcile-doc.ts';
import { cli, DB, TelemetryMesh, until } from './helpers.ts';

describe('telemetry: one-shot reconcile', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    await mesh.apply();
    await mesh.write('n1', 'early', 10);
    await until('the first 10 on n2', async () =>
      (await mesh.ok('n2', 'GET', `/${DB}`)).doc_count === 10 ? true : undefined,
    );
    // the continuous n1->n2 job is gone (deleted by hand): n2 misses what n1 gets from now on
    const id = `couchmesh.t.${DB}.n1--n2`;
    const doc = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
    await mesh.ok('n2', 'DELETE', `/_replicator/${id}?rev=${doc._rev}`);
    await until('the job stopped', async () =>
      (await mesh.request('n2', 'GET', `/_scheduler/docs/_replicator/${id}`)).status === 404
        ? true
        : undefined,
    );
    await mesh.write('n1', 'late', 40);
  });
  after(() => mesh.close());

  it('one-shot reconcile completes with correct counts', async () => {
    assert.equal((await mesh.ok('n2', 'GET', `/${DB}`)).doc_count, 10);
    const { code, o } = await cli(mesh, ['reconcile', 'n1--n2', '-f', mesh.file, '--direction', 'n1->n2']);
    assert.equal(code, 0, o.all);
    // progress lines (no terminal): at least the final one, no ANSI
    assert.match(o.stdout, /n1->n2 \[#{30}\] 100% completed ~50\/50, 40 written/);
    assert.doesNotMatch(o.stdout, new RegExp(String.fromCharCode(27)));
    // its stats: a full pass — every doc checked, exactly the 40 missing ones found and written
    assert.match(
      o.stdout,
      /n1->n2 \(sensors\): completed — 40 docs written, 40 missing revisions found of 50 checked, 40 read, 0 write failures/,
    );
    assert.match(
      o.stdout,
      /one-shot job couchmesh-reconcile\.t\.sensors\.n1--n2 on n2: removed, its checkpoints _local\/[0-9a-f]{32} removed/,
    );
    assert.equal((await mesh.ok('n2', 'GET', `/${DB}`)).doc_count, 50);
    // the one-shot document is gone; the managed docs are untouched
    const rep = await mesh.ok('n2', 'GET', '/_replicator/_all_docs');
    const ids = rep.rows.map((r: { id: string }) => r.id).filter((x: string) => !x.startsWith('_design/'));
    assert.deepEqual(ids, [], 'n2 held only the (deleted) n1->n2 doc and the one-shot');
    assert.equal(
      (await mesh.request('n2', 'GET', `/_replicator/${reconcileDocId('t', DB, 'n1', 'n2')}`)).status,
      404,
    );

    // again, as data: nothing missing any more -> 50 checked, 0 written; a new full pass each time
    const steps: string[] = [];
    const [r] = await reconcileOperation(
      { file: mesh.file, link: 'n1--n2', direction: 'n1->n2', intervalMs: 50 },
      mesh.deps(),
      (p) => steps.push(p.state),
    );
    assert.equal(steps.at(-1), 'completed');
    assert.deepEqual(r?.stats, {
      revisions_checked: 50,
      missing_revisions_found: 0,
      docs_read: 0,
      docs_written: 0,
      doc_write_failures: 0,
    });
    assert.deepEqual(r?.cleaned, { doc: true, checkpoints: true });
    // the one-shot's checkpoints are gone from both sides; the continuous n2->n1 job's remain
    const base = String(r?.rep_id).split('+')[0];
    assert.equal((await mesh.request('n1', 'GET', `/${DB}/_local/${base}`)).status, 404);
    assert.equal((await mesh.request('n2', 'GET', `/${DB}/_local/${base}`)).status, 404);
  });
});

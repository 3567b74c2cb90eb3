// Must show: `couchmesh checkpoint reset` -> the job is stopped, `_local/<rep id>` is deleted on source
// AND target, the document recreated, and the re-scan from 0 is observed: the poller sees the
// checkpoint start over, the new job checks every document again (finding nothing missing) and the
// new checkpoint's only history entry starts at 0. The reset is refused without a terminal or --yes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seqNumber } from '../../src/couchdb/seq.ts';
import { checkpointReset } from '../../src/ops/checkpoint-reset.ts';
import { cli, DB, direction, findingsOf, type Json, pollUntil, TelemetryMesh } from './helpers.ts';

const DOCS = 300;

describe('telemetry: checkpoint reset', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    // small batches, so the re-scan takes long enough to be seen by the poller
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']], { workerBatchSize: 5 });
    await mesh.apply();
    await mesh.write('n1', 'doc', DOCS);
  });
  after(() => mesh.close());

  it('checkpoint reset -> re-scan from 0 observed', async () => {
    const poller = mesh.poller();
    const before1 = await pollUntil(poller, `n1->n2 caught up at ${DOCS}`, (r) => {
      const d = direction(r, 'n1', 'n2');
      return d.state === 'running' && d.lagEstimate === 0 && d.docsWritten === DOCS;
    });
    const old = direction(before1, 'n1', 'n2');
    assert.equal(old.revisionsChecked, DOCS);

    // without a terminal and without --yes: refused, nothing changed
    const refused = await cli(mesh, [
      'checkpoint',
      'reset',
      'n1--n2',
      '-f',
      mesh.file,
      '--direction',
      'n1->n2',
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.o.stderr, /no terminal to confirm it/);
    assert.match(refused.o.stderr, /pass --yes/);
    // a "no" at the prompt: nothing changed either
    const no = await checkpointReset(
      { file: mesh.file, link: 'n1--n2', direction: 'n1->n2' },
      mesh.deps(),
      async () => false,
    );
    assert.deepEqual(no, { approved: false, results: [] });
    const ck0 = await mesh.ok('n1', 'GET', `/${DB}/_local/${(old.repId as string).split('+')[0]}`);
    assert.equal(seqNumber(ck0.source_last_seq), DOCS);

    // watch the reset as it happens
    const seen: Array<{ state: string; ckpt: number | null; checked: number | null }> = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const r = await poller.pollOnce();
        const d = direction(r, 'n1', 'n2');
        seen.push({ state: d.state, ckpt: seqNumber(d.checkpointedSeq), checked: d.revisionsChecked });
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const reset = await cli(mesh, [
      'checkpoint',
      'reset',
      'n1--n2',
      '-f',
      mesh.file,
      '--direction',
      'n1->n2',
      '--yes',
    ]);
    assert.equal(reset.code, 0, reset.o.all);
    assert.match(
      reset.o.stdout,
      /n1->n2 \(sensors\): job stopped, _local\/[0-9a-f]{32} deleted on n1 \(deleted\) and n2 \(deleted\), couchmesh\.t\.sensors\.n1--n2 recreated on n2: re-scanning from 0/,
    );
    const after1 = await pollUntil(poller, 'the new job caught up again', (r) => {
      const d = direction(r, 'n1', 'n2');
      return d.state === 'running' && d.lagEstimate === 0 && d.revisionsChecked === DOCS;
    });
    watching = false;
    await watcher;
    const now = direction(after1, 'n1', 'n2');
    assert.equal(now.repId, old.repId, 'same definition, same replication id');
    // the re-scan: every doc checked again, none missing, none written
    assert.equal(now.revisionsChecked, DOCS);
    assert.equal(now.missingFound, 0);
    assert.equal(now.docsWritten, 0);
    // the poller saw the job go away and the checkpoint start over below where it was
    const low = seen.filter((s) => s.state === 'running' && s.ckpt !== null && s.ckpt < DOCS);
    assert.ok(low.length > 0, `re-scan observed: ${JSON.stringify(seen.slice(0, 40))}`);
    assert.ok(low.some((s) => s.ckpt === 0));
    // ... and judged it a deliberate reset, not an incident: an info finding, never a critical one
    const reg = findingsOf(after1, 'seq-regression', 'n1->n2');
    assert.equal(reg.length, 1, JSON.stringify(reg));
    assert.equal(reg[0]?.severity, 'info');
    assert.equal(reg[0]?.evidence.kind, 'checkpoint-reset');
    assert.match(reg[0]?.message ?? '', /checkpoint was reset and the job recreated/);

    // the new checkpoint: one session, started at 0
    const show = await cli(mesh, [
      'checkpoint',
      'show',
      'n1--n2',
      '-f',
      mesh.file,
      '--direction',
      'n1->n2',
      '--json',
    ]);
    assert.equal(show.code, 0, show.o.all);
    const [v]: Json[] = JSON.parse(show.o.stdout);
    assert.equal(v.source.history, 1);
    assert.equal(seqNumber(v.source.newest.start_last_seq), 0);
    assert.equal(v.source.newest.missing_checked, DOCS);
    assert.notEqual(v.source.session_id, ck0.session_id);
    assert.equal(v.comparison.outcome, 'same-session');
  });
});

// Must show: a target that refuses writes (documents over its max_document_size -> 413) -> the
// direction keeps running and checkpointing, `doc_write_failures` rises, and the writes-failing
// finding names it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { direction, findingsOf, pollUntil, TelemetryMesh } from './helpers.ts';

const MAX_DOC = 4096;

describe('telemetry: refused writes', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2', options: { maxDocumentSize: MAX_DOC } }], [['n1', 'n2']]);
    await mesh.apply();
    await mesh.write('n1', 'small', 5);
  });
  after(() => mesh.close());

  it('refused writes (target maxDocumentSize) -> writes-failing', async () => {
    const poller = mesh.poller();
    const ok = await pollUntil(poller, 'n1->n2 caught up', (r) => {
      const d = direction(r, 'n1', 'n2');
      return d.state === 'running' && d.docsWritten === 5 && d.lagEstimate === 0;
    });
    assert.equal(findingsOf(ok, 'writes-failing').length, 0);

    // oversized documents: the target answers 413, the replicator skips and counts them
    await mesh.write('n1', 'big', 4, { blob: 'x'.repeat(MAX_DOC + 500) });
    const r = await pollUntil(
      poller,
      'writes-failing on n1->n2',
      (x) => findingsOf(x, 'writes-failing', 'n1->n2').length > 0,
    );
    const [f] = findingsOf(r, 'writes-failing', 'n1->n2');
    assert.ok(Number(f?.evidence.failuresRisen) >= 1);
    // critical when nothing at all was written in the window (10 min): the 5 good writes count if
    // the poller saw them happen
    assert.equal(f?.severity, f?.evidence.docsWrittenRisen === 0 ? 'critical' : 'warning');
    assert.match(f?.playbook ?? '', /413 max_document_size/);
    const d = direction(r, 'n1', 'n2');
    assert.equal(d.state, 'running', 'skipped writes do not crash the job (CouchDB >= 3.4)');
    // the job keeps checkpointing past the refused docs
    const caught = await pollUntil(poller, 'all 4 refused, checkpoint caught up', (x) => {
      const y = direction(x, 'n1', 'n2');
      return y.docWriteFailures === 4 && y.lagEstimate === 0;
    });
    assert.equal(direction(caught, 'n1', 'n2').docsWritten, 5);
    // the reverse direction is unaffected
    assert.equal(findingsOf(caught, 'writes-failing', 'n2->n1').length, 0);
  });
});

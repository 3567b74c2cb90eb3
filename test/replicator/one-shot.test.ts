// One-shot replication node -> node: 1k docs through a `_replicator` doc and through `POST /_replicate`
// (timed, printed), and the filtered variants (`doc_ids`, `selector`, `since_seq`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpoint, http, Nodes, ok, type TestNode, waitState, writeDocs } from './helpers.ts';

const N = 1000;

describe('one-shot replication node -> node', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start();
    await ok('PUT', `${src.url}/src`);
    for (let i = 0; i < N; i += 250) await writeDocs(src, 'src', 'doc', 250, i);
  });
  after(() => nodes.closeAll());

  it(`${N} docs via a _replicator doc: completed, every doc and revision identical`, async () => {
    const t0 = performance.now();
    await ok('PUT', `${tgt.url}/_replicator/copy-1k`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'copy-1k'),
      create_target: true,
    });
    const d = await waitState(tgt, 'copy-1k', 'completed', undefined, 30_000);
    const ms = performance.now() - t0;
    console.log(
      `one-shot ${N} docs node->node (_replicator doc): ${ms.toFixed(0)} ms, ${Math.round((N / ms) * 1000)} docs/s`,
    );
    assert.equal(d.info.docs_written, N);
    assert.equal(d.info.revisions_checked, N);
    assert.equal(d.info.bulk_get_docs, N);
    const [a, b] = await Promise.all([
      ok('GET', `${src.url}/src/_all_docs`),
      ok('GET', `${tgt.url}/copy-1k/_all_docs`),
    ]);
    assert.deepEqual(b.rows, a.rows);
    const doc = await ok('GET', `${tgt.url}/_replicator/copy-1k`);
    assert.equal(doc._replication_state, 'completed');
    assert.equal(doc._replication_stats.docs_written, N);
  });

  it(`${N} docs via POST /_replicate`, async () => {
    const t0 = performance.now();
    const r = await http('POST', `${tgt.url}/_replicate`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'copy-1k-b'),
      create_target: true,
    });
    const ms = performance.now() - t0;
    console.log(
      `one-shot ${N} docs node->node (POST /_replicate): ${ms.toFixed(0)} ms, ${Math.round((N / ms) * 1000)} docs/s`,
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.history[0].docs_written, N);
    assert.equal((await ok('GET', `${tgt.url}/copy-1k-b`)).doc_count, N);
  });

  it('filtered: doc_ids, selector, since_seq', async () => {
    const base = { source: endpoint(src, 'src'), create_target: true };
    const ids = ['doc-00003', 'doc-00500', 'doc-00999'];
    let r = await http('POST', `${tgt.url}/_replicate`, {
      ...base,
      target: endpoint(tgt, 'by-ids'),
      doc_ids: ids,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      (await ok('GET', `${tgt.url}/by-ids/_all_docs`)).rows.map((x: { id: string }) => x.id),
      ids,
    );
    r = await http('POST', `${tgt.url}/_replicate`, {
      ...base,
      target: endpoint(tgt, 'by-selector'),
      selector: { n: { $gte: 990 } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await ok('GET', `${tgt.url}/by-selector`)).doc_count, 10);
    const seq = (await ok('GET', `${src.url}/src/_changes?limit=1&since=${N - 5 - 1}`)).results[0].seq;
    r = await http('POST', `${tgt.url}/_replicate`, {
      ...base,
      target: endpoint(tgt, 'since'),
      since_seq: seq,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await ok('GET', `${tgt.url}/since`)).doc_count, 5);
  });
});

// Must show: the audit's group commit, and its lazy opening. Batches that record while an audit write is in flight are sent
// together in the next `_bulk_docs` (one commit on the node instead of one per batch); each caller
// learns of its own refused entries only once the write holding its entries was answered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countingPosts, sampleEntry } from '../../src/resolve/audit/test-support.ts';
import { CouchAuditSink, parseConflictsConfig, ResolverWorker } from '../../src/resolve/index.ts';
import { createDb, suiteNode } from './helpers.ts';

const entry = (i: number) => sampleEntry(i);

describe('audit group commit', () => {
  const node = suiteNode('audit-group');

  it('batches recording while a write is in flight share the next _bulk_docs; a refused chunk fails closed', async () => {
    const sent: Array<Array<{ _id: string }>> = [];
    const sizes = () => sent.map((docs) => docs.length);
    const sink = new CouchAuditSink(countingPosts(node().client, sent), 'audit_group');
    await sink.open();
    // a batch the node refuses: its validate_doc_update forbids one holding doc-99 (a per-document error row)
    await node().client.put('/audit_group/_design/guard', {
      validate_doc_update:
        "function (doc) { if ((doc.entries || []).some(function (e) { return e.doc_id === 'doc-99'; })) throw { forbidden: 'not this one' }; }",
    });
    const bad = entry(99);
    const first = sink.record([entry(0), entry(1)]);
    const second = sink.record([entry(2), bad]);
    const third = sink.record([entry(3)]);
    const [a, b, c] = await Promise.all([first, second, third]);
    // each write is one chunk: its batch and its index
    assert.deepEqual(sizes(), [2, 2], 'the first batch alone at once, the two that waited together');
    assert.equal(a.size, 0);
    // the two waiting callers shared the refused chunk: each hears of its own entries, all of them
    assert.deepEqual([...b.keys()], [entry(2)._id, bad._id]);
    assert.match(b.get(bad._id) ?? '', /forbidden: not this one \(audit batch b:/);
    assert.deepEqual([...c.keys()], [entry(3)._id]);
    for (const i of [0, 1]) assert.ok(await sink.get(entry(i)._id), `entry ${i} stored`);
    for (const i of [2, 3, 99]) assert.equal(await sink.get(entry(i)._id), undefined, `entry ${i} refused`);
    // a lone batch later is sent at once, on its own
    assert.equal((await sink.record([entry(4)])).size, 0);
    assert.deepEqual(sizes(), [2, 2, 2]);
  });

  it('an audit database that cannot be created fails the run, even one with nothing to record', async () => {
    await createDb(node(), 'calm');
    const worker = await ResolverWorker.create({
      client: node().client,
      db: 'calm',
      config: parseConflictsConfig({ strategy: 'lww' }),
      // its creation travels beside the first read; the run still waits for (and reports) it
      audit: new CouchAuditSink(node().client, 'Not A Valid Name'),
    });
    await assert.rejects(worker.runOnce(), /illegal_database_name|Name/);
  });
});

// Must show: the audit's batch documents as written. A group becomes chunks, each a batch and its
// index, all in the one `_bulk_docs` of the group; an undo stays a document of its own; a chunk the
// node refuses refuses every entry it holds, so the resolver leaves all their documents untouched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbPath } from '../../couch/index.ts';
import { parseConflictsConfig } from '../config.ts';
import { ResolverWorker } from '../worker.ts';
import { listAuditEntries } from './batch-read.ts';
import { CouchAuditSink } from './couch-sink.ts';
import type { DeclineEntry, UndoEntry } from './entry.ts';
import { auditNode, countingPosts, sampleEntry } from './test-support.ts';

const undo: UndoEntry = {
  _id: `u:doc-1:${'f'.repeat(32)}`,
  type: 'couchmesh.undo',
  db: 'sensors',
  doc_id: 'doc-1',
  resolution: `r:doc-1:${'e'.repeat(32)}`,
  restored_rev: '1-b',
  parent_rev: '2-c',
  replaced_body: { v: 1 },
  new_rev: '3-d',
  recorded_at: '2026-01-02T00:00:00.000Z',
};

describe('audit batch documents', () => {
  const client = auditNode();

  it('one group, chunked by count and size, batch and index side by side in one _bulk_docs', async () => {
    const sent: Array<Array<{ _id: string }>> = [];
    const sink = new CouchAuditSink(countingPosts(client(), sent), 'by_count');
    const many = Array.from({ length: 1_500 }, (_, i) => sampleEntry(i));
    const big = sampleEntry(9_999, { reason: 'x'.repeat(1_100_000) }); // over the 1 MiB cap: alone
    assert.equal((await sink.record([...many, big])).size, 0);
    assert.deepEqual(
      sent.map((docs) => docs.map((d) => d._id.slice(0, 2))),
      [['b:', 'x:', 'b:', 'x:', 'b:', 'x:']],
      '1,000 + 500 entries, then the oversize one: three chunks, one request',
    );
    const stored = await listAuditEntries(client(), 'by_count');
    assert.equal(stored.length, 1_501);
    assert.equal(((await sink.get(big._id)) as DeclineEntry | undefined)?.reason.length, 1_100_000);
    assert.deepEqual(await sink.get(many[1_234]?._id as string), many[1_234]);
    // a resend (same entries, same time) writes the same revisions: nothing new, nothing refused
    assert.equal((await sink.record(many.slice(0, 1_000))).size, 0);
    const info = await client().get<{ doc_count: number }>(dbPath('by_count'));
    assert.equal(info.doc_count, 6);
  });

  it('an undo is a document of its own, beside batched entries of the same group', async () => {
    const sent: Array<Array<{ _id: string }>> = [];
    const sink = new CouchAuditSink(countingPosts(client(), sent), 'undo_single');
    assert.equal((await sink.record([sampleEntry(1), undo])).size, 0);
    assert.deepEqual(
      sent[0]?.map((d) => d._id.slice(0, 2)),
      ['u:', 'b:', 'x:'],
    );
    const raw = await client().get<UndoEntry & { _rev: string }>(
      `${dbPath('undo_single')}/${encodeURIComponent(undo._id)}`,
    );
    assert.equal(raw._rev, `1-${'f'.repeat(32)}`);
    assert.deepEqual(
      (await sink.forDoc('doc-1')).map((e) => e._id),
      [sampleEntry(1)._id, undo._id],
    );
  });

  it('a refused chunk refuses all its entries: the resolver touches none of their documents', async () => {
    const c = client();
    await c.put(dbPath('guarded'));
    const rev = (ch: string) => `1-${ch.repeat(32)}`;
    const docs = ['c-0', 'c-1', 'c-2'].flatMap((id, i) => [
      { _id: id, _rev: rev('a'), v: 'a', updated_at: i },
      { _id: id, _rev: rev('b'), v: 'b', updated_at: i + 10 },
    ]);
    await c.post(`${dbPath('guarded')}/_bulk_docs`, { docs, new_edits: false });
    await c.put(dbPath('guarded_audit'));
    // the node refuses a batch naming c-1 (a per-document error row, as CouchDB's validate_doc_update gives)
    await c.put(`${dbPath('guarded_audit')}/_design/guard`, {
      validate_doc_update:
        "function (doc) { if ((doc.entries || []).some(function (e) { return e.doc_id === 'c-1'; })) throw { forbidden: 'no' }; }",
    });
    const failed: string[] = [];
    const worker = await ResolverWorker.create({
      client: c,
      db: 'guarded',
      config: parseConflictsConfig({ strategy: 'lww', timestamp: 'updated_at' }),
      audit: new CouchAuditSink(c, 'guarded_audit'),
      onEvent: (e) => {
        if (e.type === 'failed') failed.push(e.docId);
      },
    });
    const report = await worker.runOnce();
    assert.deepEqual(failed.sort(), ['c-0', 'c-1', 'c-2']);
    assert.equal(report.stats.resolved, 0);
    const all = await c.get<{ rows: Array<{ id: string; doc: { _conflicts?: string[] } }> }>(
      `${dbPath('guarded')}/_all_docs`,
      { include_docs: true, conflicts: true },
    );
    for (const r of all.rows) assert.deepEqual(r.doc._conflicts, [rev('a')], `${r.id} untouched`);
    assert.deepEqual(await listAuditEntries(c, 'guarded_audit'), [], 'no entry readable');
  });
});

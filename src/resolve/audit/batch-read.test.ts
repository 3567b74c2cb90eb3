// Must show: reading the audit in both layouts. Entries of earlier versions (one document each) and
// batches found through their `x:` index read alike; an entry in two batches (one resolution recorded
// on two nodes, replicated) reads once, its earliest copy; an index whose batch has not arrived yet is
// passed over; the index is read page by page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbPath } from '../../couch/index.ts';
import { chunkDocs } from './batch-doc.ts';
import { listAuditEntries } from './batch-read.ts';
import { CouchAuditSink } from './couch-sink.ts';
import type { DeclineEntry } from './entry.ts';
import { auditNode, sampleEntry } from './test-support.ts';

const at = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}.000Z`;
/** Entry `k` of `doc`: ids unique per (doc, k). */
const of = (doc: string, k: number, s: number): DeclineEntry => ({
  ...sampleEntry(k, { doc_id: doc, recorded_at: at(s) }),
  _id: `d:${doc}:${k.toString(16).padStart(32, '0')}`,
});

describe('audit batch reading', () => {
  const client = auditNode();
  const sink = (db: string) => new CouchAuditSink(client(), db);
  /** Stores documents as they are (one-entry documents of earlier versions, stray indexes). */
  const raw = (db: string, docs: Array<{ _id: string }>) =>
    client().post(`${dbPath(db)}/_bulk_docs`, {
      docs: docs.map((d) => ({ ...d, _rev: `1-${d._id.slice(-32)}` })),
      new_edits: false,
    });

  it('get and forDoc over one-entry documents and batches, oldest first', async () => {
    const s = sink('mixed');
    await s.open();
    const legacy = of('a:b', 1, 1); // a doc id with ':' in it
    await raw('mixed', [legacy, of('other', 2, 2)]);
    const batched = [of('a:b', 3, 3), of('other', 4, 4), of('a:b', 5, 5)];
    assert.equal((await s.record(batched)).size, 0);
    assert.deepEqual(
      (await s.forDoc('a:b')).map((e) => e._id),
      [legacy._id, batched[0]?._id, batched[2]?._id],
    );
    assert.deepEqual(await s.get(legacy._id), legacy);
    assert.deepEqual(await s.get(batched[2]?._id as string), batched[2]);
    assert.equal(await s.get(of('a:b', 9, 9)._id), undefined);
    assert.deepEqual(
      (await listAuditEntries(client(), 'mixed')).map((e) => e.recorded_at),
      [1, 2, 3, 4, 5].map(at),
    );
    assert.deepEqual(await sink('never_made').forDoc('a:b'), []);
    assert.equal(await sink('never_made').get(legacy._id), undefined);
  });

  it('an entry in two batches reads once, its earliest copy', async () => {
    const s = sink('dedup');
    await s.open();
    // node A recorded entry 1 at second 7 with entry 2; node B the same resolution at second 6, alone
    await raw('dedup', chunkDocs([of('d', 1, 7), of('d', 2, 8)]));
    await raw('dedup', chunkDocs([of('d', 1, 6)]));
    assert.deepEqual(
      (await s.forDoc('d')).map((e) => [e._id, e.recorded_at]),
      [
        [of('d', 1, 0)._id, at(6)],
        [of('d', 2, 0)._id, at(8)],
      ],
    );
    assert.deepEqual(
      (await listAuditEntries(client(), 'dedup')).map((e) => e.recorded_at),
      [at(6), at(8)],
    );
  });

  it('an index whose batch is missing is passed over', async () => {
    const s = sink('torn');
    await s.open();
    await raw('torn', chunkDocs([of('t', 1, 1)]));
    // a newer chunk whose index replicated ahead of its batch: it names entry 1 again, and entry 2
    const [, index] = chunkDocs([of('t', 1, 9), of('t', 2, 9)]);
    await raw('torn', [index]);
    assert.deepEqual((await s.get(of('t', 1, 0)._id))?.recorded_at, at(1), 'found in the older batch');
    assert.equal(await s.get(of('t', 2, 0)._id), undefined);
    assert.deepEqual(
      (await s.forDoc('t')).map((e) => e.recorded_at),
      [at(1)],
    );
  });

  it('pages through an index of many chunks', async () => {
    const s = sink('paged');
    for (let i = 0; i < 130; i++) await s.record([of(`p${i % 7}`, i, i % 60)]);
    const first = of('p0', 0, 0);
    assert.deepEqual(await s.get(first._id), first, 'the oldest chunk, three index pages back');
    const p3 = await s.forDoc('p3');
    assert.equal(p3.length, 19);
    assert.ok(p3.every((e) => e.doc_id === 'p3'));
    assert.equal((await listAuditEntries(client(), 'paged')).length, 130);
  });
});

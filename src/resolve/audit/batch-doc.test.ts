// The batch layout's pure parts: chunks cut by count and by size (an oversize entry alone), and a
// chunk's two documents named by its first entry's time and the hash of its entry ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunk, chunkDocs, chunkDocsJson, chunkEntries } from './batch-doc.ts';
import { entryDocId } from './entry.ts';
import { sampleEntry } from './test-support.ts';

const entries = (n: number, reason = 'test') =>
  Array.from({ length: n }, (_, i) => sampleEntry(i, { reason }));
const sizes = (chunks: unknown[][]) => chunks.map((c) => c.length);

describe('audit batch chunks', () => {
  it('cuts by count, in order', () => {
    const chunks = chunkEntries(entries(2_500));
    assert.deepEqual(sizes(chunks), [1_000, 1_000, 500]);
    assert.deepEqual(
      chunks.flat().map((e) => e.doc_id),
      entries(2_500).map((e) => e.doc_id),
    );
    assert.deepEqual(sizes(chunkEntries(entries(5), { maxEntries: 2, maxChars: 1e9 })), [2, 2, 1]);
  });

  it('cuts by JSON size; an entry larger than the cap gets a chunk of its own', () => {
    const one = JSON.stringify(sampleEntry(0)).length + 1;
    assert.deepEqual(sizes(chunkEntries(entries(10), { maxEntries: 1_000, maxChars: one * 4 })), [4, 4, 2]);
    // 1 MiB by default: 400 KB entries go two to a chunk, a 1.5 MB one alone
    const big = (i: number, kb: number) => sampleEntry(i, { reason: 'x'.repeat(kb * 1000) });
    const chunks = chunkEntries([big(0, 400), big(1, 400), big(2, 400), big(3, 1500), big(4, 1)]);
    assert.deepEqual(
      chunks.map((c) => c.map((e) => e.doc_id)),
      [['doc-0', 'doc-1'], ['doc-2'], ['doc-3'], ['doc-4']],
    );
  });

  it('names a chunk by its first entry time and its entry ids: the same chunk, the same documents', () => {
    const chunk = entries(3).map((e, i) => ({ ...e, recorded_at: `2026-01-01T00:00:0${i}.000Z` }));
    const [batch, index] = chunkDocs(chunk);
    assert.match(batch._id, /^b:2026-01-01T00:00:00\.000Z:[0-9a-f]{32}$/);
    assert.equal(index._id, `x:${batch._id.slice(2)}`);
    assert.equal(index.batch, batch._id);
    assert.deepEqual(
      index.ids,
      chunk.map((e) => e._id),
    );
    assert.deepEqual(batch.entries, chunk);
    assert.deepEqual(chunkDocs(chunk.map((e) => ({ ...e }))), [batch, index], 'a resend is the same');
    assert.notEqual(chunkDocs(chunk.slice(0, 2))[0]._id, batch._id);
  });

  it('the JSON text sent is the two documents, each with its rev `1-<id hash>`', () => {
    const [c] = chunk(entries(3));
    assert.ok(c);
    const [batch, index] = chunkDocs(c.entries);
    const sent = chunkDocsJson(c).map((d) => [d.id, JSON.parse(d.json)]);
    assert.deepEqual(sent, [
      [batch._id, { ...batch, _rev: `1-${batch._id.slice(-32)}` }],
      [index._id, { ...index, _rev: `1-${index._id.slice(-32)}` }],
    ]);
  });

  it('entry ids give their doc id back, colons and all', () => {
    assert.equal(entryDocId(`r:a:b:c:${'0'.repeat(32)}`), 'a:b:c');
    assert.equal(entryDocId(sampleEntry(7)._id), 'doc-7');
    assert.equal(entryDocId('controller:abc'), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sample } from '../couchdb/test-support.ts';
import { bucketOf, type DocLeaves, docHashInto, fromChangeRow } from './digest.ts';

const docHash = (d: DocLeaves) => {
  const out = new Uint32Array(2);
  docHashInto(d, out);
  return [...out];
};

describe('verify digest', () => {
  test("CouchDB's style=all_docs row: winner first, every leaf (deleted ones included), sorted here", () => {
    // c1 has three live leaves: CouchDB lists the winner 3-4bd… first (changes-style-all-docs.json)
    const [c1] = sample('changes-style-all-docs.json').body.results;
    const d = fromChangeRow(c1);
    assert.equal(d.winner, '3-4bd4ffb09f9854827bb8263ed2cad5d8');
    assert.equal(d.deleted, false);
    assert.deepEqual(d.leaves, [
      '2-0ec9fa0da0eccc2832cd8b4beef740f7',
      '2-c70aa9e7f4a9964e8a8e6cd5178ca130',
      '3-4bd4ffb09f9854827bb8263ed2cad5d8',
    ]);
    // after resolution the two losers are deleted leaves, still listed, after the live winner
    const after = sample('conflicts-4-after-resolve-changes-style-all-docs.json').body.results;
    const r = fromChangeRow(after.find((x: { id: string }) => x.id === 'c1'));
    assert.equal(r.winner, '4-b344159b81939c92cf6c55314f6eebbf');
    assert.equal(r.leaves.length, 3);
  });

  test('`deleted` is the winner`s: a tombstone digests differently from the live doc', () => {
    const live = fromChangeRow({ id: 'x', changes: [{ rev: '2-a' }] });
    const gone = fromChangeRow({ id: 'x', changes: [{ rev: '2-a' }], deleted: true });
    assert.notDeepEqual(docHash(live), docHash(gone));
  });

  test('the leaf order of a row does not change the digest', () => {
    const a = fromChangeRow({ id: 'x', changes: [{ rev: '3-c' }, { rev: '2-b' }, { rev: '2-a' }] });
    const b = fromChangeRow({ id: 'x', changes: [{ rev: '3-c' }, { rev: '2-a' }, { rev: '2-b' }] });
    assert.deepEqual(docHash(a), docHash(b));
  });

  test('a one-character change flips about half of the 64 bits', () => {
    const a = docHash(fromChangeRow({ id: 'doc-1', changes: [{ rev: '1-a' }] }));
    const b = docHash(fromChangeRow({ id: 'doc-2', changes: [{ rev: '1-a' }] }));
    let bits = 0;
    for (let i = 0; i < 4; i++)
      for (let x = ((a[i] as number) ^ (b[i] as number)) >>> 0; x; x >>>= 1) bits += x & 1;
    assert.ok(bits > 16 && bits < 48, `${bits} bits differ`);
  });

  test('the bucket depends on the id alone and stays in range', () => {
    for (const id of ['', 'a', 'doc-00001', '_design/x', 'é😀'])
      for (const n of [1, 7, 4096]) {
        const b = bucketOf(id, n);
        assert.ok(Number.isInteger(b) && b >= 0 && b < n, `${id} ${n}`);
        assert.equal(bucketOf(id, n), b);
      }
    const spread = new Set(Array.from({ length: 1000 }, (_, i) => bucketOf(`doc-${i}`, 64)));
    assert.equal(spread.size, 64, 'a thousand ids cover 64 buckets');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BucketDigests, differingBuckets, planRounds } from './buckets.ts';
import { bucketOf, type DocLeaves } from './digest.ts';

const doc = (id: string, winner = '1-a', deleted = false, leaves = [winner]): DocLeaves => ({
  id,
  winner,
  deleted,
  leaves,
});

function digestsOf(docs: DocLeaves[], buckets = 16): BucketDigests {
  const d = new BucketDigests(buckets);
  for (const x of docs) d.add(x);
  return d;
}

describe('verify bucket digests', () => {
  const docs = Array.from({ length: 200 }, (_, i) => doc(`d${i}`));

  test('order-independent: the same documents in any order give the same digests', () => {
    const a = digestsOf(docs);
    const b = digestsOf([...docs].reverse());
    assert.deepEqual(differingBuckets(a, b), []);
    assert.equal(a.total, 200);
  });

  test('a missing document, another winner, another leaf set: exactly that bucket differs', () => {
    const a = digestsOf(docs);
    for (const changed of [
      docs.filter((d) => d.id !== 'd17'),
      docs.map((d) => (d.id === 'd17' ? doc('d17', '2-b') : d)),
      docs.map((d) => (d.id === 'd17' ? doc('d17', '1-a', true) : d)),
      docs.map((d) => (d.id === 'd17' ? doc('d17', '1-a', false, ['1-a', '1-b']) : d)),
    ])
      assert.deepEqual(differingBuckets(a, digestsOf(changed)), [bucketOf('d17', 16)]);
  });

  test('memory is fixed by the bucket count, not the documents', () => {
    const d = digestsOf(docs, 8);
    assert.equal(d.lanes.length, 16);
    assert.equal(d.counts.length, 8);
  });

  test('rounds stay within the budget (a bucket larger than it alone)', () => {
    const size = (b: number) => [5, 5, 5, 20, 1][b] as number;
    assert.deepEqual(planRounds([0, 1, 2, 3, 4], size, 10), [[0, 1], [2], [3], [4]]);
    assert.deepEqual(planRounds([0, 1, 2, 3, 4], size, 100), [[0, 1, 2, 3, 4]]);
    assert.deepEqual(planRounds([], size, 10), []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CanaryBook, canaryStats, percentile } from './book.ts';
import { withCanary } from './fields.ts';

const s = (from: string, to: string, at: number, latencyMs: number | null) => ({ from, to, at, latencyMs });

describe('canary book', () => {
  it('keeps a bounded history per direction, newest last', () => {
    const b = new CanaryBook(3);
    for (let i = 1; i <= 5; i++) b.add(s('a', 'b', i, i * 10));
    b.add(s('b', 'a', 9, null));
    assert.deepEqual(
      b.samples('a', 'b').map((x) => x.at),
      [3, 4, 5],
    );
    assert.equal(b.latest('a', 'b')?.latencyMs, 50);
    assert.equal(b.latest('b', 'a')?.latencyMs, null);
    assert.deepEqual(b.samples('x', 'y'), []);
    assert.equal(b.latestAll().length, 2);
    assert.throws(() => new CanaryBook(0), RangeError);
  });

  it('percentiles are nearest-rank over arrived samples; lost ones are counted apart', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([5], 95), 5);
    assert.equal(percentile([4, 1, 3, 2], 50), 2);
    assert.equal(
      percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100], 95),
      19,
    );
    const st = canaryStats([s('a', 'b', 1, 10), s('a', 'b', 2, null), s('a', 'b', 3, 30)]);
    assert.deepEqual(st, { lastMs: 30, p50Ms: 10, p95Ms: 30, samples: 3, lost: 1 });
    assert.equal(canaryStats([]).lastMs, undefined);
    assert.equal(canaryStats([s('a', 'b', 1, null)]).lastMs, null);
  });
});

describe('canary fields', () => {
  it('decorate the rows of measured directions only', () => {
    const b = new CanaryBook();
    b.add(s('a', 'b', 1, 10), s('a', 'b', 2, 30));
    const rows = withCanary(
      [
        { from: 'a', to: 'b', db: 'x' },
        { from: 'b', to: 'a', db: 'x' },
      ],
      (f, t) => b.stats(f, t),
    );
    assert.deepEqual(rows[0], {
      from: 'a',
      to: 'b',
      db: 'x',
      canary_ms: 30,
      canary_p50_ms: 10,
      canary_p95_ms: 30,
    });
    assert.deepEqual(rows[1], { from: 'b', to: 'a', db: 'x' });
  });
});

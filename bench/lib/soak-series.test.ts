import assert from 'node:assert/strict';
import { test } from 'node:test';
import { growth, heapMiB, slopePerMinute } from './soak-series.ts';

test('slope per minute of a straight line, and of too few points', () => {
  const pts = [0, 1, 2, 3].map((i) => ({ t: i * 30_000, y: 10 + i }));
  assert.equal(slopePerMinute(pts), 2);
  assert.equal(slopePerMinute(pts.slice(0, 1)), 0);
});

test('growth: start and end of all samples, the slope after the warm-up only', () => {
  const mib = 1024 * 1024;
  const samples = [
    { t: 0, rssKiB: 0, heap: 10 * mib },
    { t: 30_000, rssKiB: 0, heap: 40 * mib }, // warm-up: caches fill
    { t: 60_000, rssKiB: 0, heap: 41 * mib },
    { t: 120_000, rssKiB: 0, heap: 41 * mib },
  ];
  const g = growth(samples, 60_000, heapMiB);
  assert.equal(g.start, 10);
  assert.equal(g.end, 41);
  assert.equal(g.slope, 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConflicts } from './parse-conflicts.ts';

const OUT = `conflict resolution: 2,000 docs x 3 leaves on embedded node
  ratios: ours / naive = 17.4x (goal >= 10x); ours / limit = 35% (goal >= 50%)
headline: couchmesh resolves 2,345 conflicted docs/s with its audit = 17.4x naive (135/s), 35% of the raw write limit (6,700/s), toy batched 3,100/s - GOALS NOT MET
`;

test('the figures of bench/conflicts.ts headline line', () => {
  const r = parseConflicts(OUT);
  assert.deepEqual(
    r.figures.map((f) => [f.baselineLabel, f.ours, f.baseline, f.met]),
    [
      ['naive', 2345, 135, true],
      ['raw _bulk_docs limit', 2345, 6700, false],
      ['toy batched (no audit)', 2345, 3100, undefined],
    ],
  );
});

test('the CLI and controller figures of the two-resolver headline', () => {
  const r = parseConflicts(
    'headline: couchmesh resolves 1,423 conflicted docs/s with its audit from the CLI (16.0x naive, 27% of the raw write limit) and 1,502/s from the controller (16.9x, 28%); naive 89/s, raw limit 5,308/s, toy batched 1,220/s - GOALS NOT MET\n',
  );
  assert.deepEqual(
    r.figures.map((f) => [f.figure, f.ours, f.baseline, f.met]),
    [
      ['conflicts resolved with audit (CLI) vs naive', 1423, 89, true],
      ['conflicts resolved with audit (CLI) vs raw _bulk_docs limit', 1423, 5308, false],
      ['conflicts resolved with audit (CLI) vs toy batched (no audit)', 1423, 1220, undefined],
      ['conflicts resolved with audit (controller) vs naive', 1502, 89, true],
      ['conflicts resolved with audit (controller) vs raw _bulk_docs limit', 1502, 5308, false],
      ['conflicts resolved with audit (controller) vs toy batched (no audit)', 1502, 1220, undefined],
    ],
  );
});

test('no headline, or one with no figure it knows: an error naming it', () => {
  assert.throws(() => parseConflicts('crashed\n'), /no headline/);
  assert.throws(() => parseConflicts('headline: something else\n'), /no figure read/);
});

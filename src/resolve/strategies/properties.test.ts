// Must show (property test, fast-check): for every built-in strategy the order of the leaves does not
// change the result, resolving an already-resolved document (one leaf: the merge) gives the same
// document, and adding the merged revision to the leaf set changes nothing (a half-applied resolution
// that is retried converges to the same body).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { StrategyConfig } from '../config.ts';
import { canonicalText, type JsonObject } from '../json.ts';
import { type Leaf, revPos } from '../leaf.ts';
import type { StrategyOutcome } from '../strategy.ts';
import { builtinStrategy } from './index.ts';

const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
const revArb = fc.tuple(fc.integer({ min: 1, max: 4 }), hex).map(([p, h]) => `${p}-${h}`);
// small value ranges so that ties (equal timestamps, equal maxima, shared tags) are common
const time = fc.oneof(
  fc.integer({ min: 0, max: 6 }),
  fc.constantFrom('1970-01-01T00:00:00.003Z', 'not a date'),
);
const bodyArb: fc.Arbitrary<JsonObject> = fc.record(
  {
    updated_at: time,
    n: fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.double({ min: -3, max: 3, noNaN: true }),
      fc.constant('x'),
    ),
    tags: fc.oneof(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }), fc.constant(null)),
    nested: fc.record({ set: fc.array(fc.record({ k: fc.integer({ min: 0, max: 2 }) }), { maxLength: 3 }) }),
    x: fc.integer({ min: 0, max: 3 }),
    y: fc.string({ maxLength: 2 }),
    z: fc.boolean(),
    field_ts: fc.dictionary(fc.constantFrom('x', 'y', 'z', 'gone'), time, { maxKeys: 4 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<JsonObject>;
const leavesArb = fc.uniqueArray(
  fc.record({ rev: revArb, body: bodyArb }).map((l): Leaf => l),
  { minLength: 1, maxLength: 5, selector: (l) => l.rev },
);

const CONFIGS: Array<Exclude<StrategyConfig, { strategy: 'custom' }>> = [
  { strategy: 'lww', timestamp: 'updated_at', missing: 'oldest' },
  { strategy: 'lww', timestamp: 'updated_at', missing: 'decline' },
  { strategy: 'field-merge', timestamps: 'field_ts' },
  { strategy: 'union', fields: ['tags', 'nested.set'] },
  { strategy: 'union', fields: ['tags'], timestamp: 'updated_at' },
  { strategy: 'max', field: 'n' },
  { strategy: 'min', field: 'n' },
];

const ctx = { docId: 'd', winner: '', strategy: '', options: {}, decline: () => ({}) as never };
const run = (c: (typeof CONFIGS)[number], leaves: Leaf[]) =>
  builtinStrategy(c)(structuredClone(leaves), ctx) as StrategyOutcome;
const show = (o: StrategyOutcome) => (o.ok ? `ok ${canonicalText(o.body)}` : `declined ${o.reason}`);

/** The merged revision as CouchDB writes it: a child of the winner, so one position deeper than any leaf. */
const mergedLeaf = (leaves: Leaf[], body: JsonObject): Leaf => ({
  rev: `${Math.max(...leaves.map((l) => revPos(l.rev))) + 1}-${'f'.repeat(32)}`,
  body,
});

for (const c of CONFIGS) {
  describe(`strategy ${JSON.stringify(c)}`, () => {
    it('the order of the leaves does not change the result', () => {
      fc.assert(
        fc.property(leavesArb, fc.array(fc.nat()), (leaves, keys) => {
          const shuffled = leaves
            .map((l, i) => ({ l, k: keys[i] ?? i }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.l);
          assert.equal(show(run(c, shuffled)), show(run(c, leaves)));
          assert.equal(show(run(c, [...leaves].reverse())), show(run(c, leaves)));
        }),
        { numRuns: 300 },
      );
    });

    it('is idempotent: an already-resolved document (its one leaf) resolves to itself', () => {
      fc.assert(
        fc.property(leavesArb, (leaves) => {
          const first = run(c, leaves);
          if (!first.ok) return;
          const again = run(c, [mergedLeaf(leaves, first.body)]);
          assert.equal(show(again), show(first));
        }),
        { numRuns: 300 },
      );
    });

    it('absorbs its own result: leaves plus the merged revision merge to the same body', () => {
      fc.assert(
        fc.property(leavesArb, (leaves) => {
          const first = run(c, leaves);
          if (!first.ok) return;
          assert.equal(show(run(c, [...leaves, mergedLeaf(leaves, first.body)])), show(first));
        }),
        { numRuns: 300 },
      );
    });
  });
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { compareRevs } from '../../../couchdb/tree.ts';
import { ascendingRevs } from './bulk-get.ts';

const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
const rev = fc.oneof(
  fc.tuple(fc.constantFrom(1, 2, 10), hex).map(([p, h]) => `${p}-${h}`),
  fc.tuple(fc.constantFrom(1, 2), hex).map(([p, h]) => `${p}-${h.toUpperCase()}`),
  fc.tuple(fc.constantFrom(1, 2), fc.string({ maxLength: 33 })).map(([p, h]) => `${p}-${h}`),
  fc.constantFrom(`01-${'a'.repeat(32)}`, `1-${'g'.repeat(32)}`, 'nodash', `1${'a'.repeat(33)}`, ''),
);

it("ascendingRevs is fabric's open_revs=all order (sort by compareRevs), for any revs", () => {
  fc.assert(
    fc.property(fc.array(rev, { maxLength: 6 }), (revs) => {
      assert.deepEqual(ascendingRevs(revs), [...revs].sort(compareRevs));
    }),
    { numRuns: 3000 },
  );
  // one position and stored md5s: the plain string order
  const same = [`1-${'c'.repeat(32)}`, `1-${'a'.repeat(32)}`, `1-${'b'.repeat(32)}`];
  assert.deepEqual(ascendingRevs(same), [...same].sort(compareRevs));
});

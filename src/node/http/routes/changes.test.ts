import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { headState } from '../../engine/doc-state.ts';
import { changesList } from './changes.ts';

// what a row's `changes` array was before the splice: each rev parsed from the stored list, then
// written between quotes (the general path, still taken for lists with escapes)
const general = (revs: readonly string[]) => `[${revs.map((r) => `{"rev":"${r}"}`).join(',')}]`;
const never = { docTree: () => undefined };
const stateOf = (leaves: string[]) =>
  headState(
    { id: 'x', seq: 1, winner: leaves[0] ?? '1-a', deleted: 0, leaves: JSON.stringify(leaves) },
    never,
  );

const rev = fc.oneof(
  fc.tuple(fc.nat(20), fc.stringMatching(/^[0-9a-f]{32}$/)).map(([p, h]) => `${p}-${h}`),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('1-a","b', '1-"', '1-\\', '1-\u2028', '1-\ud800', '", "', '"},{"rev":"'),
);

it('style=all_docs: the spliced leaf list is what parsing it and writing each rev gave, for any revs', () => {
  fc.assert(
    fc.property(fc.array(rev, { minLength: 1, maxLength: 6 }), (leaves) => {
      assert.equal(changesList(stateOf(leaves), { allDocs: true }), general(leaves));
    }),
    { numRuns: 2000 },
  );
});

it('the winner alone without style=all_docs, and a filter passes its own revs', () => {
  const state = stateOf(['2-b', '1-a']);
  assert.equal(changesList(state, { allDocs: false }), '[{"rev":"2-b"}]');
  assert.equal(changesList(state, { allDocs: true }, ['1-a']), '[{"rev":"1-a"}]');
  assert.equal(changesList(state, { allDocs: false }, []), '[]');
  // an older row without stored leaves walks its tree
  const old = headState(
    { id: 'x', seq: 1, winner: '1-a', deleted: 0, leaves: null },
    {
      docTree: () => ({ seq: 1, tree: '[{"pos":1,"ids":["a",{"status":"available"},[]]}]' }),
    },
  );
  assert.equal(changesList(old, { allDocs: true }), '[{"rev":"1-a"}]');
});

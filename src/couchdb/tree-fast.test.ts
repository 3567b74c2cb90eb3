import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { leaves, mergePath, type RevNode, type RevOpts, type RevPath, type RevTree, winner } from './tree.ts';
import { mergePathFast } from './tree-fast.ts';

// a few short ids so that paths meet existing nodes (and sometimes repeat an id) often
const hashArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', `${'0'.repeat(31)}1`, `${'f'.repeat(32)}`);
const optsArb: fc.Arbitrary<RevOpts> = fc.oneof(
  fc.constant({ status: 'available' as const }),
  fc.constant({ status: 'available' as const, deleted: true }),
  fc.constant({ status: 'missing' as const }),
);

/** More ids: branched trees in which no id repeats (the fast path's case) come up often. */
const wideHashArb = fc.constantFrom(...'abcdefghijklmnopqrstuvwx'.split(''), `${'0'.repeat(31)}1`);

/** A linear path, root first: `ids[0]` at `pos`. */
const pathOf = (hashes: fc.Arbitrary<string>): fc.Arbitrary<RevPath> =>
  fc
    .record({
      pos: fc.integer({ min: 1, max: 6 }),
      nodes: fc.array(fc.tuple(hashes, optsArb), { minLength: 1, maxLength: 5 }),
    })
    .map(({ pos, nodes }) => {
      let ids: RevNode | null = null;
      for (let i = nodes.length - 1; i >= 0; i--) {
        const [h, o] = nodes[i] as [string, RevOpts];
        ids = [h, { ...o }, ids ? [ids] : []];
      }
      return { pos, ids: ids as RevNode };
    });
const pathArb = pathOf(hashArb);

/** The only leaf of a linear tree (undefined when the tree branches or has several roots). */
function onlyLeaf(tree: RevTree): { pos: number; hash: string } | undefined {
  if (tree.length !== 1) return undefined;
  let pos = (tree[0] as RevPath).pos;
  let n = (tree[0] as RevPath).ids;
  while (n[2].length === 1) {
    n = n[2][0] as RevNode;
    pos++;
  }
  return n[2].length ? undefined : { pos, hash: n[0] };
}

function check(tree: RevTree, path: RevPath, limit: number): boolean {
  const before = JSON.stringify(tree);
  const fast = mergePathFast(tree, path, limit);
  assert.equal(JSON.stringify(tree), before, 'input tree untouched');
  if (!fast) return false;
  const slow = mergePath(tree, path, limit);
  assert.deepEqual(fast.tree, slow.tree);
  assert.deepEqual(fast.stemmed, slow.stemmed);
  const w = winner(slow.tree);
  assert.deepEqual(fast.winner, { rev: w.rev, deleted: w.deleted });
  return true;
}

describe('mergePathFast', () => {
  test("gives mergePath's tree, stemmed revs and winner whenever it answers (property)", () => {
    let hits = 0;
    fc.assert(
      fc.property(
        fc.array(pathArb, { maxLength: 4 }),
        pathArb,
        fc.tuple(hashArb, optsArb),
        fc.integer({ min: 1, max: 6 }),
        (history, path, [childHash, childOpts], limit) => {
          let tree: RevTree = [];
          for (const p of history) tree = mergePath(tree, p, limit).tree;
          if (check(tree, path, limit)) hits++;
          // an edit of the only leaf (the shape interactive edits send)
          const leaf = onlyLeaf(tree);
          if (leaf) {
            const edit: RevPath = {
              pos: leaf.pos,
              ids: [leaf.hash, { status: 'available' }, [[childHash, { ...childOpts }, []]]],
            };
            if (check(tree, edit, limit)) hits++;
          }
        },
      ),
      { numRuns: 3000 },
    );
    assert.ok(hits > 200, `fast path taken ${hits} times`);
  });

  test('an edit of any leaf of a branched tree, as a conflict resolution writes (property)', () => {
    let hits = 0;
    fc.assert(
      fc.property(
        fc.array(pathOf(wideHashArb), { minLength: 2, maxLength: 5 }),
        fc.tuple(wideHashArb, optsArb),
        fc.integer({ min: 1, max: 8 }),
        (history, [childHash, childOpts], limit) => {
          let tree: RevTree = [];
          for (const p of history) tree = mergePath(tree, p, limit).tree;
          for (const leaf of leaves(tree)) {
            const edit: RevPath = {
              pos: leaf.pos,
              ids: [leaf.hash, { status: 'available' }, [[childHash, { ...childOpts }, []]]],
            };
            if (check(tree, edit, limit) && (tree.length > 1 || !onlyLeaf(tree))) hits++;
          }
        },
      ),
      { numRuns: 3000 },
    );
    assert.ok(hits > 150, `branched fast path taken ${hits} times`);
  });

  test('a conflict resolution: merged revision on the winner, tombstones on the others', () => {
    let tree: RevTree = [];
    for (const h of ['c', 'a', 'b'])
      tree = mergePath(tree, { pos: 1, ids: [h, { status: 'available' }, []] }).tree;
    const edits: RevPath[] = [
      { pos: 1, ids: ['c', { status: 'available' }, [['m', { status: 'available' }, []]]] },
      { pos: 1, ids: ['a', { status: 'available' }, [['t1', { status: 'available', deleted: true }, []]]] },
      { pos: 1, ids: ['b', { status: 'available' }, [['t2', { status: 'available', deleted: true }, []]]] },
    ];
    for (const e of edits) {
      assert.ok(check(tree, e, 1000), 'the fast path answers');
      tree = (mergePathFast(tree, e, 1000) as { tree: RevTree }).tree;
    }
    assert.deepEqual(winner(tree).rev, '2-m');
    // the branch reaches revsLimit: stemming is mergePath's
    assert.equal(mergePathFast(tree, { pos: 2, ids: ['m', {}, [['n', {}, []]]] }, 2), undefined);
  });

  test('a history of edits, stemmed as it grows (property)', () => {
    let hits = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hashArb, optsArb), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        (edits, limit) => {
          const [h0, o0] = edits[0] as [string, RevOpts];
          let tree: RevTree = [];
          let next: RevPath = { pos: 1, ids: [h0, { ...o0 }, []] };
          for (const [h, o] of edits.slice(1)) {
            if (check(tree, next, limit)) hits++;
            tree = mergePath(tree, next, limit).tree;
            const leaf = onlyLeaf(tree);
            if (!leaf) return;
            next = { pos: leaf.pos, ids: [leaf.hash, { status: 'available' }, [[h, { ...o }, []]]] };
          }
        },
      ),
      { numRuns: 2000 },
    );
    assert.ok(hits > 2000, `fast path taken ${hits} times`);
  });

  test('declines what it does not cover', () => {
    const two: RevTree = mergePath(mergePath([], { pos: 1, ids: ['a', { status: 'available' }, []] }).tree, {
      pos: 1,
      ids: ['b', { status: 'available' }, []],
    }).tree;
    const edit: RevPath = {
      pos: 1,
      ids: ['a', { status: 'available' }, [['c', { status: 'available' }, []]]],
    };
    assert.ok(mergePathFast(two, edit), 'an edit of one of several leaves');
    const missing: RevTree = [
      { pos: 1, ids: ['a', { status: 'missing' }, []] },
      { pos: 1, ids: ['b', { status: 'available' }, []] },
    ];
    assert.equal(mergePathFast(missing, edit), undefined, 'a parent known only by id');
    const unsorted: RevTree = [two[1] as RevPath, two[0] as RevPath];
    assert.equal(mergePathFast(unsorted, edit), undefined, 'not canonical');
    const one = mergePath([], { pos: 1, ids: ['a', { status: 'available' }, []] }).tree;
    assert.equal(mergePathFast(one, { pos: 1, ids: ['a', {}, [['a', {}, []]]] }), undefined, 'repeated id');
    assert.equal(mergePathFast(one, { pos: 2, ids: ['a', {}, [['c', {}, []]]] }), undefined, 'wrong pos');
    assert.ok(mergePathFast(one, edit));
  });
});

// The core's walks against pouchdb-merge's (a devDependency kept for such comparisons): same tree
// format, same visiting order, same contexts, same leaf paths.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import * as pouch from 'pouchdb-merge';
import type { RevNode, RevTree } from './tree-types.ts';
import { rootToLeaf, traverseRevTree } from './tree-walk.ts';

const optsArb = fc.record({
  status: fc.constantFrom('available' as const, 'missing' as const),
  deleted: fc.boolean(),
});

/** Nodes at most `depth` levels deep. */
const nodeArb = (depth: number): fc.Arbitrary<RevNode> =>
  fc.tuple(
    fc.constantFrom('a', 'b', 'c', 'd'),
    optsArb,
    depth === 0 ? fc.constant([]) : fc.array(nodeArb(depth - 1), { maxLength: 3 }),
  );

const treeArb: fc.Arbitrary<RevTree> = fc.array(
  fc.record({ pos: fc.integer({ min: 1, max: 20 }), ids: nodeArb(4) }),
  { maxLength: 3 },
);

const visits = (walk: typeof traverseRevTree, tree: RevTree) => {
  const out: unknown[] = [];
  walk<string>(tree, (isLeaf, pos, hash, ctx, opts) => {
    out.push([isLeaf, pos, hash, ctx, opts]);
    return `${ctx ?? ''}/${pos}-${hash}`;
  });
  return out;
};

describe('tree walks (pouchdb-merge format)', () => {
  test('traverseRevTree: the order, contexts and options pouchdb-merge gives', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        assert.deepEqual(
          visits(traverseRevTree, tree),
          visits(pouch.traverseRevTree as typeof traverseRevTree, tree),
        );
      }),
    );
  });

  test('rootToLeaf: one path per leaf, root first, in pouchdb-merge order', () => {
    fc.assert(fc.property(treeArb, (tree) => assert.deepEqual(rootToLeaf(tree), pouch.rootToLeaf(tree))));
    const tree: RevTree = [
      {
        pos: 1,
        ids: [
          'a',
          {},
          [
            ['b', {}, []],
            ['c', { deleted: true }, []],
          ],
        ],
      },
    ];
    assert.deepEqual(rootToLeaf(tree), [
      {
        pos: 1,
        ids: [
          { id: 'a', opts: {} },
          { id: 'b', opts: {} },
        ],
      },
      {
        pos: 1,
        ids: [
          { id: 'a', opts: {} },
          { id: 'c', opts: { deleted: true } },
        ],
      },
    ]);
  });
});

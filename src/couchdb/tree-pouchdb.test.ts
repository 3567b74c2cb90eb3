// Where pouchdb-merge (a devDependency kept for this) differs from CouchDB 3.x couch_key_tree, shown against it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as pouch from 'pouchdb-merge';
import { n, replicate, sample } from './test-support.ts';
import {
  canonical,
  conflicts,
  hasRev,
  latestLeavesFrom,
  mergePath,
  type RevPath,
  type RevTree,
  winner,
} from './tree.ts';

describe('pouchdb-merge deviations corrected here (each shown against pouchdb-merge)', () => {
  const A = () => ({ status: 'available' as const });
  const M = () => ({ status: 'missing' as const });
  test('_conflicts order: pouch sorts by pos only (ties in walk order), CouchDB by pos then rev desc', () => {
    const tree = replicate(
      [],
      sample('conflicts-1-bulk-docs-new-edits-false-three-leaves.json').request.body.docs,
    );
    const couch = sample('conflicts-2-get-conflicts-true.json').body._conflicts;
    assert.notDeepEqual(pouch.collectConflicts({ rev_tree: tree }), couch);
    assert.deepEqual(conflicts(tree), couch);
  });
  test('winner: pouch compares JS strings (UTF-16, hex text), CouchDB bytes (UTF-8, md5 bytes)', () => {
    for (const [x, y] of [
      ['\uffff', '\u{10000}'],
      ['zzz', 'f'.repeat(32)],
    ] as const) {
      const tree: RevTree = [{ pos: 1, ids: n('r', [n(x), n(y)]) }];
      assert.equal(pouch.winningRev({ rev_tree: tree }), `2-${x}`);
      assert.equal(winner(tree).rev, `2-${y}`);
    }
  });
  test('merge result: unconnected root, ancestors above a stemmed root', () => {
    const cases: Array<[RevTree, RevPath, string, string]> = [
      [[{ pos: 1, ids: ['a', A(), []] }], { pos: 1, ids: ['z', A(), []] }, 'internal_node', 'new_branch'],
      [
        [{ pos: 2, ids: ['b', A(), []] }],
        { pos: 1, ids: ['a', M(), [['b', M(), [['c', A(), []]]]]] },
        'internal_node',
        'new_leaf',
      ],
      [
        [{ pos: 2, ids: ['b', A(), [['c', A(), []]]] }],
        { pos: 1, ids: ['a', M(), [['b', A(), []]]] },
        'new_leaf',
        'internal_node',
      ],
    ];
    for (const [tree, path, pouchSays, couchSays] of cases) {
      assert.equal(mergePath(tree, path).conflicts, couchSays);
      assert.equal(pouch.merge(structuredClone(tree), structuredClone(path), 1000).conflicts, pouchSays);
    }
  });
  test('missing -> available upgrade: pouch keeps the stale opts and loses deleted:true', () => {
    const tree = (): RevTree => [{ pos: 1, ids: ['a', M(), [['b', A(), []]]] }];
    const path = (): RevPath => ({ pos: 1, ids: ['a', { status: 'available', deleted: true }, []] });
    assert.equal(pouch.merge(tree(), path(), 1000).tree[0]!.ids[1].deleted, undefined);
    assert.equal(mergePath(tree(), path()).tree[0]!.ids[1].deleted, true);
  });
  test('a path overlapping two roots: pouch duplicates the nodes (and leaves), CouchDB repairs', () => {
    const tree = (): RevTree => [
      { pos: 1, ids: ['a', A(), [['b', A(), []]]] },
      { pos: 3, ids: ['c', A(), []] },
    ];
    const path = (): RevPath => ({ pos: 2, ids: ['b', M(), [['c', M(), [['d', A(), []]]]]] });
    const pouchLeaves = pouch.collectLeaves(pouch.merge(tree(), path(), 1000).tree).map((l) => l.rev);
    assert.deepEqual(pouchLeaves, ['4-d', '4-d']);
    const ours = mergePath(tree(), path()).tree;
    assert.deepEqual(ours, [{ pos: 1, ids: n('a', [n('b', [n('c', [n('d')])])]) }]);
  });
  test('pouch merge mutates its input tree', () => {
    const tree: RevTree = [{ pos: 1, ids: ['a', A(), []] }];
    pouch.merge(tree, { pos: 1, ids: ['a', M(), [['b', A(), []]]] }, 1000);
    assert.equal(tree[0]!.ids[2].length, 1);
  });
  test('stem: pouch cuts each path and detaches the long branch; CouchDB keeps the shared ancestor edge', () => {
    const tree = (): RevTree => [
      {
        pos: 1,
        ids: [
          'a',
          A(),
          [
            ['b', A(), []],
            ['c', A(), [['d', A(), [['e', A(), []]]]]],
          ],
        ],
      },
    ];
    const p = pouch.merge(tree(), { pos: 1, ids: ['a', A(), []] }, 3).tree;
    assert.equal(p.length, 2, 'pouch: 2-c lost its parent 1-a although 1-a is kept');
    assert.deepEqual(mergePath(tree(), { pos: 1, ids: ['a', A(), []] }, 3).tree, canonical(tree()));
  });
  test('latest: pouch returns one leaf, CouchDB every leaf below the rev; revExists breaks on "-" in ids', () => {
    const tree: RevTree = [
      {
        pos: 1,
        ids: [
          'a',
          A(),
          [
            ['b', A(), []],
            ['c', A(), []],
          ],
        ],
      },
    ];
    assert.equal(typeof pouch.latest('1-a', { rev_tree: tree }), 'string');
    assert.deepEqual(latestLeavesFrom(tree, '1-a'), ['2-b', '2-c']);
    const dashed: RevTree = [{ pos: 1, ids: ['x-y', A(), []] }];
    assert.equal(pouch.revExists(dashed, '1-x-y'), false);
    assert.equal(hasRev(dashed, '1-x-y'), true);
  });
});

// ---- property tests --------------------------------------------------------------------------

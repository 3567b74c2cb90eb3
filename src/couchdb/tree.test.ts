import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AV, DEL, edit, type Json, MISSING, n, replicate, sample } from './test-support.ts';
import {
  conflicts,
  deletedConflicts,
  findRev,
  hasRev,
  isLeaf,
  latestLeavesFrom,
  leaves,
  mergePath,
  mergePaths,
  missingRevs,
  newEditParent,
  openRevsAllOrder,
  parseRev,
  parseRevId,
  pathFromRevisions,
  possibleAncestors,
  type RevPath,
  type RevTree,
  revisionsOf,
  revsInfo,
  stem,
  winner,
} from './tree.ts';

describe('parseRev / parseRevId', () => {
  test('accepts N-hash, lowercases 32-hex ids as CouchDB prints them', () => {
    assert.deepEqual(parseRev('3-26da0c891dfe4254877568c0bb764f73'), {
      pos: 3,
      hash: '26da0c891dfe4254877568c0bb764f73',
    });
    assert.deepEqual(parseRev('1-26DA0C891DFE4254877568C0BB764F73'), {
      pos: 1,
      hash: '26da0c891dfe4254877568c0bb764f73',
    });
    assert.deepEqual(parseRev('12-abc-def'), { pos: 12, hash: 'abc-def' }, 'split at the first dash');
    assert.deepEqual(parseRev('1-x'), { pos: 1, hash: 'x' });
  });
  test('rejects pos 0 (_local only), signs, leading zeros, junk, empty or bad hashes', () => {
    for (const bad of ['0-1', '-1-a', '+1-a', '01-a', ' 1-a', '1a-b', '1-', '-', 'notarev', '', '1.5-a'])
      assert.equal(parseRev(bad), null, bad);
    assert.equal(parseRev('99999999999999999999-a'), null, 'unsafe integer');
    assert.equal(parseRev(7), null);
    // 32 bytes must be hex (couch_doc:parse_revid -> list_to_integer(_, 16)): "Invalid rev format"
    assert.equal(parseRev(`1-${'g'.repeat(32)}`), null);
    assert.equal(parseRevId('é'.repeat(16)), null, '32 UTF-8 bytes, not hex');
    assert.equal(parseRevId('z'.repeat(31)), 'z'.repeat(31));
  });
});

describe('pathFromRevisions', () => {
  test('ids newest first, ancestors missing, leaf gets the opts', () => {
    const p = pathFromRevisions({ start: 3, ids: ['c', 'b', 'a'] }, DEL);
    assert.deepEqual(p, { pos: 1, ids: n('a', [n('b', [n('c', [], DEL)], MISSING)], MISSING) });
    assert.deepEqual(pathFromRevisions({ start: 5, ids: ['E'.repeat(32)] }, AV), {
      pos: 5,
      ids: n('e'.repeat(32)),
    });
  });
  test('throws on impossible input', () => {
    assert.throws(() => pathFromRevisions({ start: 1, ids: [] }, AV), RangeError);
    assert.throws(() => pathFromRevisions({ start: 1, ids: ['b', 'a'] }, AV), RangeError);
    assert.throws(() => pathFromRevisions({ start: 2, ids: ['b', ''] }, AV), RangeError);
  });
});

describe('mergePath (couch_key_tree:merge semantics)', () => {
  const one: RevPath = { pos: 1, ids: n('1') };
  const twoSibs: RevTree = [
    { pos: 1, ids: n('1') },
    { pos: 1, ids: n('2') },
  ];
  test('empty tree, reflexive, prefix', () => {
    assert.equal(mergePath([], one).conflicts, 'new_leaf');
    const r = mergePath([one], one);
    assert.deepEqual([r.conflicts, r.changed, r.tree], ['internal_node', false, [one]]);
    assert.equal(mergePath(twoSibs, one).conflicts, 'internal_node');
  });
  test('unrelated root is a new branch', () => {
    const r = mergePath(twoSibs, { pos: 1, ids: n('3') });
    assert.equal(r.conflicts, 'new_branch');
    assert.equal(r.tree.length, 3);
  });
  test('extending a leaf is new_leaf, a sibling is new_branch', () => {
    const twoChildSibs: RevTree = [{ pos: 1, ids: n('1', [n('1a'), n('1b')]) }];
    const r = mergePath(twoChildSibs, { pos: 1, ids: n('1', [n('1a', [n('1aa')])], MISSING) });
    assert.equal(r.conflicts, 'new_leaf');
    assert.deepEqual(r.tree, [{ pos: 1, ids: n('1', [n('1a', [n('1aa')]), n('1b')]) }]);
    assert.equal(mergePath(twoChildSibs, { pos: 2, ids: n('1c') }).conflicts, 'new_branch', 'unconnected');
    assert.equal(mergePath(twoChildSibs, { pos: 1, ids: n('1', [n('1c')]) }).conflicts, 'new_branch');
  });
  test('stemmed paths merge at the right depth (internal_node)', () => {
    const tree: RevTree = [{ pos: 1, ids: n('1', [n('1a'), n('1b', [n('1bb')])]) }];
    for (const p of [
      { pos: 2, ids: n('1a') },
      { pos: 3, ids: n('1bb') },
      { pos: 2, ids: n('1b', [n('1bb')]) },
    ])
      assert.equal(mergePath(tree, p).conflicts, 'internal_node');
  });
  test('a path reaching above a stemmed root adds the ancestors back', () => {
    const tree: RevTree = [{ pos: 2, ids: n('b') }];
    const down = mergePath(tree, { pos: 1, ids: n('a', [n('b', [n('c')], MISSING)], MISSING) });
    assert.equal(down.conflicts, 'new_leaf');
    assert.deepEqual(down.tree, [{ pos: 1, ids: n('a', [n('b', [n('c')])], MISSING) }]);
    const up = mergePath([{ pos: 2, ids: n('b', [n('c')]) }], { pos: 1, ids: n('a', [n('b')], MISSING) });
    assert.deepEqual([up.conflicts, up.changed], ['internal_node', true]);
  });
  test('COUCHDB-902: a path that misses one branch still extends the other', () => {
    const foo: RevTree = [{ pos: 1, ids: n('foo', [n('foo2'), n('foo3')]) }];
    const r = mergePath(foo, { pos: 1, ids: n('foo', [n('foo3', [n('foo4')], MISSING)], MISSING) });
    assert.equal(r.conflicts, 'new_leaf');
    assert.deepEqual(r.tree, [{ pos: 1, ids: n('foo', [n('foo2'), n('foo3', [n('foo4')])]) }]);
  });
  test('a merge touching two roots leaves one tree (CouchDB repairs the duplicate ids)', () => {
    const tree: RevTree = [
      { pos: 1, ids: n('1', [n('1a')]) },
      { pos: 3, ids: n('1aa') },
    ];
    const r = mergePath(tree, { pos: 1, ids: n('1', [n('1a', [n('1aa')])]) });
    assert.equal(r.conflicts, 'new_leaf');
    assert.deepEqual(r.tree, [{ pos: 1, ids: n('1', [n('1a', [n('1aa')])]) }]);
  });
  test('missing -> available upgrade takes the incoming value, deleted flag included', () => {
    const tree = mergePath([], pathFromRevisions({ start: 2, ids: ['b', 'a'] }, AV)).tree;
    assert.equal(findRev(tree, '1-a')?.node[1].status, 'missing');
    const r = mergePath(tree, pathFromRevisions({ start: 1, ids: ['a'] }, DEL));
    assert.deepEqual([r.conflicts, r.changed], ['internal_node', true]);
    assert.deepEqual(findRev(r.tree, '1-a')?.node[1], DEL);
    assert.deepEqual(revsInfo(r.tree, '2-b'), [
      { rev: '2-b', status: 'available' },
      { rev: '1-a', status: 'deleted' },
    ]);
    // an available node keeps its value; a 'missing' mention never downgrades it
    const again = mergePath(r.tree, pathFromRevisions({ start: 2, ids: ['b', 'a'] }, DEL));
    assert.deepEqual([again.changed, findRev(again.tree, '2-b')?.node[1]], [false, AV]);
  });
  test('inputs are not modified; mergePaths stems once', () => {
    const tree: RevTree = [{ pos: 1, ids: n('a') }];
    const path: RevPath = { pos: 1, ids: n('a', [n('b')]) };
    const snapshot = JSON.stringify([tree, path]);
    mergePath(tree, path);
    assert.equal(JSON.stringify([tree, path]), snapshot);
    const r = mergePaths(tree, [path, { pos: 1, ids: n('a', [n('c')]) }], 1);
    assert.deepEqual(r.results, ['new_leaf', 'new_branch']);
    assert.deepEqual(r.tree, [
      { pos: 2, ids: n('b') },
      { pos: 2, ids: n('c') },
    ]);
    assert.deepEqual(r.stemmed, ['1-a']);
  });
});

describe('stem (couch_key_tree:stem semantics)', () => {
  const chainOf = (k: number): RevTree => {
    let node = n(`r${k}`);
    for (let i = k - 1; i >= 1; i--) node = n(`r${i}`, [node]);
    return [{ pos: 1, ids: node }];
  };
  test('a linear history keeps exactly the last revsLimit revisions', () => {
    assert.deepEqual(stem(chainOf(3), 3).tree, chainOf(3));
    assert.deepEqual(stem(chainOf(3), 1), { tree: [{ pos: 3, ids: n('r3') }], stemmed: ['1-r1', '2-r2'] });
    assert.deepEqual(stem(chainOf(3), 2).tree, [{ pos: 2, ids: n('r2', [n('r3')]) }]);
  });
  test('a node stays while it is within the limit of its nearest leaf (CouchDB 3.x, not per path)', () => {
    // 1-a -> {2-b, 2-c -> 3-d -> 4-e}; the e path has 4 revs but a is within 2 of leaf b
    const tree: RevTree = [{ pos: 1, ids: n('a', [n('b'), n('c', [n('d', [n('e')])])]) }];
    assert.deepEqual(stem(tree, 3), { tree, stemmed: [] });
    assert.deepEqual(revisionsOf(tree, '4-e'), { start: 4, ids: ['e', 'd', 'c', 'a'] });
    assert.deepEqual(
      revisionsOf(tree, '4-e', 3),
      { start: 4, ids: ['e', 'd', 'c'] },
      'make_doc caps _revisions',
    );
    assert.deepEqual(stem(tree, 2), {
      tree: [
        { pos: 1, ids: n('a', [n('b')]) },
        { pos: 3, ids: n('d', [n('e')]) },
      ],
      stemmed: ['2-c'],
    });
  });
  test('duplicate ids are rebuilt from leaf paths cut to the limit (repair_tree)', () => {
    const tree: RevTree = [
      { pos: 1, ids: n('a', [n('b', [n('c')])]) },
      { pos: 2, ids: n('b', [n('d')]) },
    ];
    assert.deepEqual(stem(tree, 10).tree, [{ pos: 1, ids: n('a', [n('b', [n('c'), n('d')])]) }]);
    // per-path cut, then merge: the d path keeps b, d (no a), and b is shared
    assert.deepEqual(stem(tree, 2).tree, [{ pos: 2, ids: n('b', [n('c'), n('d')]) }]);
  });
  test('stemmed ancestors come back with a longer _revisions and are cut again', () => {
    let tree = mergePath([], pathFromRevisions({ start: 3, ids: ['c', 'b', 'a'] }, AV), 2).tree;
    assert.deepEqual(tree, [{ pos: 2, ids: n('b', [n('c')], MISSING) }]);
    const r = mergePath(tree, pathFromRevisions({ start: 4, ids: ['d', 'c', 'b', 'a'] }, AV), 2);
    tree = r.tree;
    assert.deepEqual([r.conflicts, r.stemmed.sort()], ['new_leaf', ['1-a', '2-b']]);
    assert.deepEqual(tree, [{ pos: 3, ids: n('c', [n('d')]) }]);
  });
  test('with spurious roots left by stemming, a re-sent path keeps absorbing them (CouchDB does too)', () => {
    // revs_limit 1: 1-a, 2-b arrive after 3-c stemmed them, so each is a leaf of its own
    let tree = mergePath([], pathFromRevisions({ start: 3, ids: ['c', 'b', 'a'] }, AV), 1).tree;
    tree = mergePath(tree, pathFromRevisions({ start: 1, ids: ['a'] }, AV), 1).tree;
    tree = mergePath(tree, pathFromRevisions({ start: 2, ids: ['b'] }, AV), 1).tree;
    assert.deepEqual(
      leaves(tree).map((l) => l.rev),
      ['3-c', '2-b', '1-a'],
    );
    const full = pathFromRevisions({ start: 3, ids: ['c', 'b', 'a'] }, AV);
    const once = mergePath(tree, full, 1).tree;
    assert.deepEqual(
      leaves(once).map((l) => l.rev),
      ['3-c', '2-b'],
    );
    assert.deepEqual(
      leaves(mergePath(once, full, 1).tree).map((l) => l.rev),
      ['3-c'],
    );
  });
  test('rejects a limit below 1', () => {
    assert.throws(() => stem([], 0), RangeError);
  });
});

describe('winner / leaves order (couch_doc:to_doc_info_path)', () => {
  test('live beats deleted, then higher pos, then greater rev-id bytes', () => {
    const tree: RevTree = [{ pos: 1, ids: n('r', [n('a', [n('x', [], DEL)]), n('b'), n('c')]) }];
    assert.deepEqual(
      leaves(tree).map((l) => l.rev),
      ['2-c', '2-b', '3-x'],
    );
    assert.deepEqual(winner(tree), { rev: '2-c', pos: 2, hash: 'c', deleted: false });
    const allDeleted: RevTree = [{ pos: 1, ids: n('r', [n('a', [], DEL), n('b', [n('y', [], DEL)], DEL)]) }];
    assert.deepEqual(winner(allDeleted), { rev: '3-y', pos: 3, hash: 'y', deleted: true });
    assert.deepEqual(deletedConflicts(allDeleted), ['2-a']);
    assert.throws(() => winner([]), RangeError);
  });
  test('compares UTF-8 bytes, not UTF-16 code units', () => {
    const tree: RevTree = [{ pos: 1, ids: n('r', [n('\uffff'), n('\u{10000}')]) }];
    assert.equal(winner(tree).hash, '\u{10000}');
  });
  test('32-hex ids compare as their 16 md5 bytes (couch_doc:parse_revid)', () => {
    const ff = 'f'.repeat(32);
    const tree: RevTree = [{ pos: 1, ids: n('r', [n('zzz'), n(ff)]) }];
    assert.equal(winner(tree).hash, ff, '0xff byte beats "z" (0x7a)');
  });
});

describe('orders seen on CouchDB 3.5.0 (samples)', () => {
  const c1 = () =>
    replicate([], sample('conflicts-1-bulk-docs-new-edits-false-three-leaves.json').request.body.docs);
  const cdoc = () => replicate([], sample('bulk-docs-new-edits-false-with-revisions.json').request.body.docs);
  const doc1 = () => {
    const s = sample('doc-get-revs-true.json').body._revisions;
    const [r3, r2, r1] = s.ids as string[];
    return edit(edit(edit([], null, r1!), `1-${r1}`, r2!), `2-${r2}`, r3!);
  };

  test('c1: winner and _conflicts (pos desc, rev desc)', () => {
    const tree = c1();
    for (const name of [
      'conflicts-2-get-conflicts-true.json',
      'all-docs-conflicted-doc-conflicts-include-docs.json',
    ]) {
      const s = sample(name).body;
      const doc = s.rows ? s.rows[0].doc : s;
      assert.equal(winner(tree).rev, doc._rev, name);
      assert.deepEqual(conflicts(tree), doc._conflicts, name);
    }
    assert.deepEqual(deletedConflicts(tree), []);
  });
  test('c1: open_revs=all is ascending (pos, rev), not winner order', () => {
    const s = sample('conflicts-2-get-open-revs-all.json').body;
    assert.deepEqual(
      openRevsAllOrder(c1()),
      s.map((r: Json) => r.ok._rev),
    );
  });
  test('c1: _changes style=all_docs lists the leaves in winner order', () => {
    for (const name of [
      'changes-style-all-docs.json',
      'changes-style-all-docs-conflicts-include-docs.json',
    ]) {
      const row = sample(name).body.results.find((r: Json) => r.id === 'c1');
      assert.deepEqual(
        leaves(c1()).map((l) => l.rev),
        row.changes.map((c: Json) => c.rev),
        name,
      );
    }
  });
  test('c1: _revs_info marks the ancestors named only in _revisions as missing', () => {
    const s = sample('conflicts-2-get-revs-info-conflicts.json').body;
    assert.deepEqual(revsInfo(c1(), s._rev), s._revs_info);
    assert.equal(findRev(c1(), '1-95df2dbfa5b048be3c5df86c7ee92c91')?.node[1].status, 'missing');
  });
  test('c1: resolving (merge on the winner, delete the losers) then the post-resolution orders', () => {
    let tree = c1();
    const req = sample('conflicts-3-resolve-bulk-docs.json');
    req.request.body.docs.forEach((d: { _rev: string; _deleted?: boolean }, i: number) => {
      const newRev = parseRev(req.body[i].rev)!;
      assert.deepEqual(newEditParent(tree, d._rev, { deleted: !!d._deleted }), {
        ok: true,
        parent: parseRev(d._rev),
      });
      tree = edit(tree, d._rev, newRev.hash, !!d._deleted);
    });
    const got = sample('conflicts-4-after-resolve-get-conflicts-deleted-conflicts.json').body;
    assert.equal(winner(tree).rev, got._rev);
    assert.deepEqual(conflicts(tree), []);
    assert.deepEqual(deletedConflicts(tree), got._deleted_conflicts);
    assert.deepEqual(revisionsOf(tree, got._rev), got._revisions);
    const open = sample('conflicts-4-after-resolve-open-revs-all.json').body;
    assert.deepEqual(
      openRevsAllOrder(tree),
      open.map((r: Json) => r.ok._rev),
    );
    const changes = sample('conflicts-4-after-resolve-changes-style-all-docs.json').body;
    const row = changes.results.find((r: Json) => r.id === 'c1');
    assert.deepEqual(
      leaves(tree).map((l) => l.rev),
      row.changes.map((c: Json) => c.rev),
    );
  });
  test('cdoc: one live and one deleted conflict', () => {
    const tree = cdoc();
    const s = sample('doc-get-conflicts-and-deleted-conflicts.json').body;
    assert.equal(winner(tree).rev, s._rev);
    assert.deepEqual(conflicts(tree), s._conflicts);
    assert.deepEqual(deletedConflicts(tree), s._deleted_conflicts);
    assert.deepEqual(revsInfo(tree, s._rev), s._revs_info, 'root sent with its body is available');
    assert.deepEqual(conflicts(tree), sample('doc-get-conflicts-true.json').body._conflicts);
    assert.deepEqual(
      deletedConflicts(tree),
      sample('doc-get-deleted-conflicts-true.json').body._deleted_conflicts,
    );
  });
  test('cdoc: open_revs=all (deleted leaf sorted in place), with _revisions; _bulk_get the same', () => {
    const tree = cdoc();
    const open = sample('doc-get-open-revs-all-revs-true.json').body;
    assert.deepEqual(
      openRevsAllOrder(tree),
      open.map((r: Json) => r.ok._rev),
    );
    for (const r of open as Json[]) assert.deepEqual(revisionsOf(tree, r.ok._rev), r.ok._revisions);
    const plain = sample('doc-get-open-revs-all.json').body.map((r: Json) => r.ok._rev);
    assert.deepEqual(openRevsAllOrder(tree), plain);
    const bulk = sample('bulk-get-revs-true-missing-doc-and-rev.json').body.results.find(
      (r: Json) => r.id === 'cdoc',
    );
    assert.deepEqual(
      openRevsAllOrder(tree),
      bulk.docs.map((d: Json) => d.ok._rev),
    );
  });
  test('_revs_diff: missing order and possible_ancestors (all leaves below the highest missing pos, winner order)', () => {
    const s = sample('revs-diff-possible-ancestors.json');
    const trees: Record<string, RevTree> = { doc1: doc1(), cdoc: cdoc(), 'unknown-doc': [] };
    for (const [id, revs] of Object.entries(s.request.body as Record<string, string[]>)) {
      const tree = trees[id]!;
      const missing = missingRevs(tree, revs);
      assert.deepEqual(missing, s.body[id].missing, id);
      const anc = tree.length ? possibleAncestors(tree, missing) : [];
      assert.deepEqual(anc, s.body[id].possible_ancestors ?? [], id);
    }
    assert.deepEqual(missingRevs(doc1(), sample('revs-diff-nothing-missing.json').request.body.doc1), []);
  });
  test('doc1: revs, revs_info, latest', () => {
    const tree = doc1();
    const revs = sample('doc-get-revs-true.json').body;
    assert.deepEqual(revisionsOf(tree, winner(tree).rev), revs._revisions);
    assert.deepEqual(revsInfo(tree, winner(tree).rev), sample('doc-get-revs-info-true.json').body._revs_info);
    const latest = sample('doc-get-open-revs-latest-true.json');
    assert.deepEqual(latestLeavesFrom(tree, '1-fc660be7ad32a9e7e4177afa5f18ec03'), [latest.body[0].ok._rev]);
    assert.deepEqual(latestLeavesFrom(tree, '1-fc660be7ad32a9e7e4177afa5f18ec03'), [
      sample('doc-get-rev-latest-true.json').body._rev,
    ]);
  });
  test('409s: PUT/DELETE without _rev on a live doc, stale _rev', () => {
    const stale = sample('error-409-conflict-stale-rev.json');
    const tree = edit(edit([], null, '7a7e4b29f3af401e69b6f86e4c26b727'), stale.request.body._rev, 'later');
    assert.deepEqual(newEditParent(tree, stale.request.body._rev), { ok: false });
    assert.equal(sample('error-409-conflict-put-existing-without-rev.json').status, 409);
    assert.deepEqual(newEditParent(tree, null), { ok: false });
    assert.deepEqual(newEditParent(tree, null, { deleted: true }), { ok: false });
  });
});

describe('lookups', () => {
  const tree: RevTree = [
    { pos: 2, ids: n('b', [n('c', [n('d'), n('e', [], DEL)]), n('f')], MISSING) },
    { pos: 1, ids: n('z') },
  ];
  test('findRev / hasRev / isLeaf', () => {
    assert.deepEqual(findRev(tree, '4-d'), { node: n('d'), path: ['d', 'c', 'b'], pos: 4 });
    assert.equal(findRev(tree, '3-d'), null);
    assert.equal(findRev(tree, 'junk'), null);
    assert.deepEqual([hasRev(tree, '2-b'), hasRev(tree, '1-a'), hasRev(tree, '1-z')], [true, false, true]);
    assert.deepEqual([isLeaf(tree, '3-c'), isLeaf(tree, '3-f'), isLeaf(tree, '9-x')], [false, true, false]);
  });
  test('revisionsOf / revsInfo', () => {
    assert.deepEqual(revisionsOf(tree, '4-e'), { start: 4, ids: ['e', 'c', 'b'] });
    assert.deepEqual(revsInfo(tree, '4-e'), [
      { rev: '4-e', status: 'deleted' },
      { rev: '3-c', status: 'available' },
      { rev: '2-b', status: 'missing' },
    ]);
    assert.throws(() => revisionsOf(tree, '5-q'), RangeError);
  });
  test('latestLeavesFrom returns every leaf below, ascending (pos, rev)', () => {
    assert.deepEqual(latestLeavesFrom(tree, '2-b'), ['3-f', '4-d', '4-e']);
    assert.deepEqual(latestLeavesFrom(tree, '4-d'), ['4-d']);
    assert.deepEqual(latestLeavesFrom(tree, '4-q'), []);
  });
  test('possibleAncestors includes deleted leaves, winner order', () => {
    assert.deepEqual(possibleAncestors(tree, '5-x'), ['4-d', '3-f', '1-z', '4-e']);
    assert.deepEqual(possibleAncestors(tree, ['2-x', '4-y']), ['3-f', '1-z']);
    assert.deepEqual(possibleAncestors(tree, []), []);
  });
  test('missingRevs follows couch_key_tree:find_missing (vectors from couch_key_tree_tests, pos + 1)', () => {
    const twoChildSibs: RevTree = [{ pos: 1, ids: n('1', [n('1a'), n('1b')]) }];
    assert.deepEqual(missingRevs(twoChildSibs, ['1-1', '2-1a']), []);
    assert.deepEqual(missingRevs(twoChildSibs, ['1-1', '1-10', '2-1a', '101-x']), ['1-10', '101-x']);
    const stemmed1: RevTree = [{ pos: 2, ids: n('1a', [n('1aa')]) }];
    assert.deepEqual(missingRevs(stemmed1, ['1-1', '2-1a', '101-x']), ['1-1', '101-x']);
    const stemmed2: RevTree = [{ pos: 3, ids: n('1aa') }];
    assert.deepEqual(missingRevs(stemmed2, ['1-1', '2-1a', '101-x']), ['1-1', '2-1a', '101-x']);
    assert.deepEqual(missingRevs(tree, ['2-b']), [], 'a node known by id only is not missing');
    assert.deepEqual(missingRevs(tree, ['4-d', '4-d']), ['4-d'], 'CouchDB matches a known rev only once');
  });
});

describe('deep trees (no recursion on depth)', () => {
  test('a 20000-revision history merges, stems and answers queries', () => {
    const ids = Array.from({ length: 20000 }, (_, i) => `h${19999 - i}`);
    const tree = mergePath([], pathFromRevisions({ start: 20000, ids }, AV), 50000).tree;
    const r = mergePath(tree, { pos: 20000, ids: n('h19999', [n('x')]) }, 50000);
    assert.equal(r.conflicts, 'new_leaf');
    assert.equal(revsInfo(r.tree, '20001-x').length, 20001);
    assert.deepEqual(latestLeavesFrom(r.tree, '1-h0'), ['20001-x']);
    assert.deepEqual(missingRevs(r.tree, ['1-h0', '5-nope', '20001-x']), ['5-nope']);
    assert.equal(stem(r.tree, 10).tree[0]!.pos, 19992);
  });
});

describe('newEditParent', () => {
  const live: RevTree = [{ pos: 1, ids: n('a', [n('b'), n('c', [], DEL), n('d')]) }];
  const gone: RevTree = [{ pos: 1, ids: n('a', [n('b', [], DEL), n('c', [], DEL)]) }];
  test('new doc', () => {
    assert.deepEqual(newEditParent([], null), { ok: true, parent: null });
    assert.deepEqual(newEditParent([], null, { deleted: true }), { ok: true, parent: null });
    assert.deepEqual(newEditParent([], '1-a'), { ok: false });
  });
  test('live doc: Json leaf (losing or deleted) is a parent; no _rev or a non-leaf is a conflict', () => {
    assert.deepEqual(newEditParent(live, '2-b'), { ok: true, parent: { pos: 2, hash: 'b' } });
    assert.deepEqual(newEditParent(live, '2-c'), { ok: true, parent: { pos: 2, hash: 'c' } });
    assert.deepEqual(newEditParent(live, '2-d', { deleted: true }), {
      ok: true,
      parent: { pos: 2, hash: 'd' },
    });
    for (const r of [null, '1-a', '3-x', 'bogus'])
      assert.deepEqual(newEditParent(live, r), { ok: false }, `${r}`);
  });
  test('deleted doc: recreation without _rev extends the winning tombstone; everything else conflicts', () => {
    assert.deepEqual(newEditParent(gone, null), { ok: true, parent: { pos: 2, hash: 'c' } });
    assert.deepEqual(newEditParent(gone, null, { deleted: true }), { ok: false });
    assert.deepEqual(newEditParent(gone, '2-c'), { ok: false }, 'merge_rev_tree wants RevDepth 1');
    assert.deepEqual(newEditParent(gone, '2-b'), { ok: false });
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as pouch from 'pouchdb-merge';
import {
  canonical,
  compareRevIds,
  compareRevs,
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
  type RevNode,
  type RevOpts,
  type RevPath,
  type RevTree,
  revisionsOf,
  revsInfo,
  stem,
  winner,
} from './tree.ts';

const SAMPLES = fileURLToPath(new URL('../../test/fixtures/couchdb/samples/', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: the samples are free-form JSON
type Json = any;

function sample(name: string): { request: { body: Json }; status: number; body: Json } {
  return JSON.parse(readFileSync(`${SAMPLES}${name}`, 'utf8'));
}

const AV: RevOpts = { status: 'available' };
const MISSING: RevOpts = { status: 'missing' };
const DEL: RevOpts = { status: 'available', deleted: true };
const n = (hash: string, children: RevNode[] = [], opts: RevOpts = AV): RevNode => [hash, opts, children];

/** Merge an interactive edit of `parentRev` (or a creation), the way the engine does. */
function edit(tree: RevTree, parentRev: string | null, hash: string, deleted = false): RevTree {
  const decision = newEditParent(tree, parentRev, { deleted });
  assert.ok(decision.ok, `edit on ${parentRev} refused`);
  const leafOpts = deleted ? DEL : AV;
  const p = decision.parent;
  const path: RevPath = p
    ? { pos: p.pos, ids: n(p.hash, [n(hash, [], leafOpts)]) }
    : { pos: 1, ids: n(hash, [], leafOpts) };
  const merged = mergePath(tree, path, 1000);
  assert.equal(merged.conflicts, 'new_leaf');
  return merged.tree;
}

/** Replays a `_bulk_docs` new_edits=false request body. */
function replicate(tree: RevTree, docs: Json[]): RevTree {
  for (const d of docs) {
    const leafOpts = d._deleted ? DEL : AV;
    tree = mergePath(tree, pathFromRevisions(d._revisions, leafOpts), 1000).tree;
  }
  return tree;
}

const allRevs = (tree: RevTree): string[] => {
  const out: string[] = [];
  pouch.traverseRevTree(tree, (_l, pos, hash) => {
    out.push(`${pos}-${hash}`);
  });
  return out.sort(compareRevs);
};

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

interface History {
  paths: RevPath[];
  depthMax: number;
}

/**
 * A random edit history: node i edits node parent[i] (or starts a new root), hashes are md5s,
 * deleted flags are per revision. Each arriving path is a leaf's history (or an older revision's),
 * optionally missing its oldest `cut` revisions as a sender with a small `_revs_limit` sends it.
 */
const historyArb: fc.Arbitrary<History> = fc
  .record({
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 24 }),
    roots: fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
    deleted: fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
    salt: fc.string({ maxLength: 4 }),
    extra: fc.array(fc.nat(), { maxLength: 4 }),
    cuts: fc.array(fc.nat({ max: 3 }), { minLength: 30, maxLength: 30 }),
  })
  .map(({ parents, roots, deleted, salt, extra, cuts }) => {
    const parent = parents.map((p, i) => (i === 0 || (roots[i] && i % 5 === 0) ? -1 : p % i));
    const hash = parents.map((_, i) => createHash('md5').update(`${salt}/${i}`).digest('hex'));
    const hasKids = new Set(parent);
    const targets = parent.map((_, i) => i).filter((i) => !hasKids.has(i));
    for (const e of extra) targets.push(e % parent.length);
    let depthMax = 0;
    const paths = targets.map((leaf, k) => {
      const ids: string[] = [];
      for (let i = leaf; i >= 0; i = parent[i]!) ids.push(hash[i]!);
      depthMax = Math.max(depthMax, ids.length);
      const keep = Math.max(1, ids.length - cuts[k % cuts.length]!);
      const opts: RevOpts = deleted[leaf] ? DEL : AV;
      return pathFromRevisions({ start: ids.length, ids: ids.slice(0, keep) }, opts);
    });
    return { paths, depthMax };
  });

const orderArb = (h: History) =>
  fc.shuffledSubarray(
    h.paths.map((_, i) => i),
    { minLength: h.paths.length, maxLength: h.paths.length },
  );

function replay(paths: RevPath[], order: number[], limit: number): RevTree {
  let tree: RevTree = [];
  for (const i of order) tree = mergePath(tree, paths[i]!, limit).tree;
  return tree;
}

const summary = (t: RevTree) => ({
  winner: winner(t),
  conflicts: conflicts(t),
  deleted: deletedConflicts(t),
});

describe('properties', () => {
  test('(1) winner and conflicts do not depend on arrival order', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h), orderArb(h))),
        ([h, o1, o2]) => {
          assert.deepEqual(summary(replay(h.paths, o1, 1000)), summary(replay(h.paths, o2, 1000)));
        },
      ),
    );
  });
  test('(2) merging the same path twice changes nothing the second time', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h))),
        ([h, order]) => {
          const tree = replay(h.paths, order, 1000);
          for (const p of h.paths) {
            const once = mergePath(tree, p);
            const twice = mergePath(once.tree, p);
            assert.deepEqual(twice.tree, once.tree);
            assert.deepEqual([twice.changed, twice.conflicts, twice.stemmed], [false, 'internal_node', []]);
          }
        },
      ),
    );
  });
  test('(3) replicas receiving the same paths in different orders hold equal trees', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h), orderArb(h))),
        ([h, o1, o2]) => {
          assert.deepEqual(canonical(replay(h.paths, o1, 1000)), canonical(replay(h.paths, o2, 1000)));
        },
      ),
    );
  });
  test('(4) stemming keeps every leaf, only nodes near a leaf, cuts linear histories to the limit', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h), fc.integer({ min: 1, max: 8 }))),
        ([h, order, limit]) => {
          const full = replay(h.paths, order, 1000);
          const { tree, stemmed } = stem(full, limit);
          const leafSet = (t: RevTree) =>
            leaves(t)
              .map((l) => `${l.rev}/${l.deleted}`)
              .sort();
          assert.deepEqual(leafSet(tree), leafSet(full));
          assert.deepEqual(winner(tree), winner(full));
          assert.deepEqual(
            [...stemmed].sort(compareRevs),
            allRevs(full).filter((r) => !hasRev(tree, r)),
          );
          for (const root of tree) assert.ok(nearestLeaf(root.ids) < limit);
          for (const p of pouch.rootToLeaf(tree)) assert.ok(p.ids.length <= h.depthMax);
          if (full.length === 1 && leaves(full).length === 1) {
            const [only] = pouch.rootToLeaf(tree);
            assert.equal(only!.ids.length, Math.min(limit, pouch.rootToLeaf(full)[0]!.ids.length));
          }
          // stemming along the way keeps those leaves too; it can add more: an old revision arriving
          // after its position was stemmed comes back as a leaf of its own (as in CouchDB)
          const online = new Set(leafSet(replay(h.paths, order, limit)));
          for (const l of leafSet(full)) assert.ok(online.has(l), l);
        },
      ),
    );
  });
  test('missingRevs reports exactly the unknown revs, in the order of a recursive find_missing', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) =>
          fc.tuple(fc.constant(h), orderArb(h), fc.array(fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 40 })))),
        ),
        ([h, order, picks]) => {
          const tree = replay(h.paths, order, 1000);
          const known = allRevs(tree);
          const asked = picks.map(([i, pos]) => (i < known.length ? known[i]! : `${pos + 1}-nope${i % 3}`));
          assert.deepEqual(missingRevs(tree, asked), findMissingReference(tree, asked));
          const once = [...new Set(asked)];
          assert.deepEqual([...missingRevs(tree, once)].sort(), once.filter((r) => !hasRev(tree, r)).sort());
        },
      ),
    );
  });
  test('rev-id comparison equals bytewise comparison of what couch_doc:parse_revid keeps', () => {
    const id = fc.oneof(
      fc.stringMatching(/^[0-9a-fA-F]{32}$/),
      fc.string({ minLength: 1, maxLength: 6 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
      fc.constantFrom('f'.repeat(32), 'zzz', '\uffff', '\u{10000}', 'A'.repeat(32), 'a'.repeat(32)),
    );
    fc.assert(
      fc.property(id, id, (a, b) => {
        const bytes = (x: string) => (/^[0-9a-f]{32}$/i.test(x) ? Buffer.from(x, 'hex') : Buffer.from(x));
        assert.equal(Math.sign(compareRevIds(a, b)), Buffer.compare(bytes(a), bytes(b)));
      }),
    );
  });
  test('agrees with pouchdb-merge where pouchdb-merge is right (md5 revs, full histories)', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h))),
        ([h, order]) => {
          let ours: RevTree = [];
          let theirs: RevTree = [];
          for (const i of order) {
            const p = h.paths[i]!;
            if (p.pos !== 1) continue; // full histories only: pouch mishandles partial ones
            ours = mergePath(ours, p).tree;
            theirs = pouch.merge(theirs, structuredClone(p), 1000).tree;
          }
          if (!ours.length) return;
          assert.equal(winner(ours).rev, pouch.winningRev({ rev_tree: theirs }));
          assert.deepEqual(statusOnly(canonical(theirs)), statusOnly(ours));
          assert.deepEqual(
            pouch
              .collectLeaves(theirs)
              .map((l) => `${l.rev}/${!!l.opts.deleted}`)
              .sort(),
            leaves(ours)
              .map((l) => `${l.rev}/${l.deleted}`)
              .sort(),
          );
        },
      ),
    );
  });
});

/** couch_key_tree:find_missing/2, written recursively as CouchDB has it. */
function findMissingReference(tree: RevTree, revs: string[]): string[] {
  type K = { pos: number; hash: string; rev: string };
  const simple = (pos: number, nodes: RevNode[], keys: K[]): K[] => {
    if (keys.length === 0) return [];
    const [node, ...rest] = nodes;
    if (!node) return keys;
    const possible = keys.filter((k) => k.pos >= pos);
    const hit = possible.findIndex((k) => k.pos === pos && k.hash === node[0]);
    if (hit >= 0) possible.splice(hit, 1);
    const fromKids = simple(pos + 1, node[2], possible);
    return keys.filter((k) => k.pos < pos).concat(simple(pos, rest, fromKids));
  };
  let keys: K[] = revs.map((rev) => ({ ...parseRev(rev)!, rev }));
  for (const root of tree) {
    if (keys.length === 0) return [];
    const later = keys.filter((k) => k.pos >= root.pos);
    keys = keys.filter((k) => k.pos < root.pos).concat(simple(root.pos, [root.ids], later));
  }
  return keys.map((k) => k.rev);
}

/** Drops the deleted flags (pouch loses them on upgraded inner nodes, a deviation tested above). */
function statusOnly(tree: RevTree): unknown {
  const strip = (x: RevNode): unknown => [x[0], x[1].status, x[2].map(strip)];
  return tree.map((r) => [r.pos, strip(r.ids)]);
}

/** Largest distance from any node of this subtree to its nearest leaf below. */
function nearestLeaf(node: RevNode): number {
  let worst = 0;
  const dist = (x: RevNode): number => {
    if (x[2].length === 0) return 0;
    const d = 1 + Math.min(...x[2].map(dist));
    worst = Math.max(worst, d);
    return d;
  };
  dist(node);
  return worst;
}

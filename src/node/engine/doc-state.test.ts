import assert from 'node:assert/strict';
import { it } from 'node:test';
import { scanJson } from '../../couchdb/json-scan.ts';
import { leaves } from '../../couchdb/tree.ts';
import { DbStore } from '../store/db-store.ts';
import { Database, type UpdateResult } from './database.ts';
import { parseDoc } from './doc-parse.ts';
import { headState, leafRevs, plainLeavesJson, toDocState } from './doc-state.ts';

function write(db: Database, docs: object[], newEdits: boolean): UpdateResult[] {
  const text = JSON.stringify(docs);
  const node = scanJson(text);
  if (node.t !== 'arr') throw new Error('array expected');
  return db.updateDocs(
    node.items.map((d) => parseDoc(text, d)),
    newEdits,
  );
}

const treeLeaves = (db: Database, id: string) => {
  const row = db.store.getDoc(id);
  assert.ok(row);
  return leaves(toDocState({ ...row, leaves: null }).tree).map((l) => l.rev);
};
const hash = (c: string) => c.repeat(32);

it('the leaves a doc row stores are its tree leaves, winner first, through edits, conflicts and resolutions', () => {
  let n = 0;
  const db = new Database('d', new DbStore(':memory:'), { newId: () => `id${n++}` });
  const [first] = write(db, [{ _id: 'x', v: 1 }], true);
  assert.ok(first && 'rev' in first);
  write(db, [{ _id: 'x', _rev: first.rev, v: 2 }], true);
  // three conflicting leaves, one of them deleted, replicated in
  write(
    db,
    [
      { _id: 'c', _rev: `1-${hash('a')}`, v: 1 },
      { _id: 'c', _rev: `2-${hash('b')}`, _revisions: { start: 2, ids: [hash('b'), hash('a')] }, v: 2 },
      { _id: 'c', _rev: `1-${hash('c')}`, v: 3 },
      { _id: 'c', _rev: `1-${hash('d')}`, _deleted: true },
    ],
    false,
  );
  for (const id of ['x', 'c']) {
    const state = db.getState(id);
    assert.ok(state?.leaves, `${id}: leaves stored`);
    assert.deepEqual([...leafRevs(state)], treeLeaves(db, id));
    // compact JSON.stringify text: what `_changes` splices (changesList) relies on
    assert.equal(db.store.getDoc(id)?.leaves, JSON.stringify(treeLeaves(db, id)));
  }
  // a resolution: the winner edited and the other live leaf deleted, in one request
  const c = db.getState('c');
  assert.ok(c);
  write(
    db,
    [
      { _id: 'c', _rev: c.winner, v: 9 },
      { _id: 'c', _rev: `1-${hash('c')}`, _deleted: true },
    ],
    true,
  );
  const after = db.getState('c');
  assert.ok(after);
  assert.equal(leafRevs(after).length, 3);
  assert.deepEqual([...leafRevs(after)], treeLeaves(db, 'c'));
  assert.equal(leafRevs(after)[0], after.winner);
});

/** A database holding `c` with two conflicting leaves. */
function twoLeaves(): Database {
  const db = new Database('d', new DbStore(':memory:'), { newId: () => 'id' });
  write(
    db,
    [
      { _id: 'c', _rev: `1-${hash('a')}` },
      { _id: 'c', _rev: `1-${hash('b')}` },
    ],
    false,
  );
  return db;
}

it('a row without stored leaves (an older file): leafRevs walks the tree; the tree is parsed on first use', () => {
  const db = twoLeaves();
  const row = db.store.getDoc('c');
  assert.ok(row);
  const old = toDocState({ ...row, leaves: null });
  assert.equal(old.leaves, undefined);
  assert.deepEqual([...leafRevs(old)], [`1-${hash('b')}`, `1-${hash('a')}`]);
  assert.equal(old.tree, old.tree, 'parsed once, then kept');
});

it('a state read without its tree (headState) reads the tree on first use, from the same row, and once', () => {
  const db = twoLeaves();
  const row = db.store.getDoc('c');
  const [head] = db.store.getDocHeads(['c']);
  assert.ok(row && head);
  let reads = 0;
  const store = {
    docTree: (id: string) => {
      reads++;
      return db.store.docTree(id);
    },
  };
  const state = headState(head, store);
  assert.deepEqual([...leafRevs(state)], [...leafRevs(toDocState(row))]);
  assert.equal(reads, 0, 'the leaves come from the row');
  assert.deepEqual(state.tree, toDocState(row).tree);
  assert.equal(state.tree, state.tree);
  assert.equal(reads, 1);
  // an older row without stored leaves: the leaves walk the lazily read tree
  assert.deepEqual([...leafRevs(headState({ ...head, leaves: null }, db.store))], [...leafRevs(state)]);
});

it('a headState whose doc moved on before its tree was read throws rather than answer another seq', () => {
  const db = new Database('d', new DbStore(':memory:'), { newId: () => 'id' });
  write(db, [{ _id: 'c', _rev: `1-${hash('a')}` }], false);
  const [head] = db.store.getDocHeads(['c']);
  assert.ok(head);
  const state = headState(head, db.store);
  write(db, [{ _id: 'c', _rev: `1-${hash('b')}` }], false);
  assert.throws(() => state.tree, /changed between/);
});

it('plainLeavesJson: the stored list when no rev needs an escape, else undefined', () => {
  const row = (leaves: string | null) => ({ id: 'x', seq: 1, winner: '1-a', deleted: 0, leaves });
  const never = { docTree: () => undefined };
  assert.equal(plainLeavesJson(headState(row('["1-a","1-b"]'), never)), '["1-a","1-b"]');
  assert.equal(plainLeavesJson(headState(row(JSON.stringify(['1-a"'])), never)), undefined);
  assert.equal(plainLeavesJson(headState(row('[]'), never)), undefined);
  assert.equal(plainLeavesJson(headState(row(null), never)), undefined);
  assert.equal(plainLeavesJson({ ...headState(row('["1-a"]'), never), tree: [] }), undefined);
});

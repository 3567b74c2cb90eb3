import assert from 'node:assert/strict';
import { it } from 'node:test';
import { scanJson } from '../../couchdb/json-scan.ts';
import { leaves } from '../../couchdb/tree.ts';
import { DbStore } from '../store/db-store.ts';
import { Database, type UpdateResult } from './database.ts';
import { parseDoc } from './doc-parse.ts';
import { leafRevs, toDocState } from './doc-state.ts';

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

it('a row without stored leaves (an older file): leafRevs walks the tree; the tree is parsed on first use', () => {
  const db = new Database('d', new DbStore(':memory:'), { newId: () => 'id' });
  write(
    db,
    [
      { _id: 'c', _rev: `1-${hash('a')}` },
      { _id: 'c', _rev: `1-${hash('b')}` },
    ],
    false,
  );
  const row = db.store.getDoc('c');
  assert.ok(row);
  const old = toDocState({ ...row, leaves: null });
  assert.equal(old.leaves, undefined);
  assert.deepEqual([...leafRevs(old)], [`1-${hash('b')}`, `1-${hash('a')}`]);
  assert.equal(old.tree, old.tree, 'parsed once, then kept');
});

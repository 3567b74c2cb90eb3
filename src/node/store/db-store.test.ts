import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { DbStore } from './db-store.ts';

const row = (id: string, seq: number) => ({
  id,
  seq,
  tree: '[{"pos":1,"ids":["a",{"status":"available"},[]]}]',
  winner: '1-a',
  deleted: 0,
  leaves: '["1-a"]',
});

it('a file made before the leaves column opens: the column is added, old rows read it as null', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-store-'));
  try {
    const file = join(dir, 'old.couch');
    const old = new Sqlite(file);
    old.exec(`CREATE TABLE docs (
      id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, tree TEXT NOT NULL,
      winner TEXT NOT NULL, deleted INTEGER NOT NULL
    ) WITHOUT ROWID`);
    old.prepare('INSERT INTO docs VALUES (?, ?, ?, ?, ?)').run('d', 1, row('d', 1).tree, '1-a', 0);
    old.close();
    const store = new DbStore(file);
    assert.equal(store.getDoc('d')?.leaves, null);
    store.putDoc(row('e', 2));
    assert.equal(store.getDoc('e')?.leaves, '["1-a"]');
    store.close();
    // opened again: nothing to add twice
    const again = new DbStore(file);
    assert.deepEqual(
      again.bySeq(0, 10).map((r) => [r.id, r.leaves]),
      [
        ['d', null],
        ['e', '["1-a"]'],
      ],
    );
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('getDocs and getRevs answer in request order, undefined where nothing is stored', () => {
  const store = new DbStore(':memory:');
  store.putDoc(row('a', 1));
  store.putDoc(row('b', 2));
  store.putRev({ doc_id: 'a', rev: '1-a', body: '{"x":1}', atts: null, deleted: 0 });
  store.putRev({ doc_id: 'b', rev: '1-a', body: '{}', atts: '[]', deleted: 1 });
  assert.deepEqual(
    store.getDocs(['b', 'nope', 'a']).map((r) => r?.id),
    ['b', undefined, 'a'],
  );
  assert.deepEqual(store.getDocs(['a'])[0], store.getDoc('a'));
  const revs = store.getRevs([
    ['b', '1-a'],
    ['a', '2-z'],
    ['a', '1-a'],
  ]);
  assert.deepEqual(revs, [store.getRev('b', '1-a'), undefined, store.getRev('a', '1-a')]);
  store.close();
});

it('the head readers are the full rows without their trees, in the same orders; docTree reads the tree and its seq', () => {
  const store = new DbStore(':memory:');
  for (const [i, id] of ['c', 'a', 'b'].entries())
    store.putDoc({ ...row(id, i + 1), leaves: i === 1 ? null : '["1-a"]' });
  const drop = ({ tree: _, ...head }: { tree: string }) => head;
  assert.deepEqual(store.bySeqHeads(1, 10), store.bySeq(1, 10).map(drop));
  assert.deepEqual(
    store.bySeqHeadsDesc(2, 10).map((r) => r.id),
    ['a', 'c'],
  );
  assert.deepEqual(store.bySeqHeadsDesc(3, 10), [...store.bySeq(0, 10)].reverse().map(drop));
  assert.deepEqual(
    store.getDocHeads(['b', 'nope', 'a']),
    ['b', 'nope', 'a'].map((id) => {
      const r = store.getDoc(id);
      return r && drop(r);
    }),
  );
  assert.deepEqual(store.docTree('a'), { seq: 2, tree: row('a', 2).tree });
  assert.equal(store.docTree('nope'), undefined);
  store.close();
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dbPath, docIdPath, docPath } from './paths.ts';

test('database names are one segment: slashes and other reserved characters encoded', () => {
  assert.equal(dbPath('a/b'), '/a%2Fb');
  assert.equal(dbPath('db$(1)+x'), '/db%24(1)%2Bx');
});

test('_design/ and _local/ keep their prefix slash; any other id is one encoded segment', () => {
  assert.equal(docIdPath('_design/a/b'), '_design/a%2Fb');
  assert.equal(docIdPath('_local/x y'), '_local/x%20y');
  assert.equal(docIdPath('a/b?c#d'), 'a%2Fb%3Fc%23d');
  assert.equal(docIdPath('_design/'), '_design%2F', 'an empty design name is not a design doc path');
  assert.equal(docIdPath('_designer/x'), '_designer%2Fx');
});

test('attachment names keep their slashes, each segment encoded', () => {
  assert.equal(docPath('db', 'doc'), '/db/doc');
  assert.equal(docPath('d/b', '_design/v', 'img/a b.png'), '/d%2Fb/_design/v/img/a%20b.png');
});

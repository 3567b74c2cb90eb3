import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSeq, seqDistance, seqEquals, seqNumber, seqText } from './seq.ts';

// db info `update_seq` of CouchDB 3.5.0 (test/fixtures/couchdb/samples, src/observe/fixtures)
const COUCHDB_SEQ =
  '7-g1AAAACfeJzLYWBgYMpgTmEQSs4vTc5ISTJ3MDQy1zMAQsMckFweC5BkaABS_4EgK4M5kTUXKMBumpZqbGBiiVUjPvMSGZLqoQYxgQ2yMExNszQywqojCwB27CkO';

test('seqNumber: numeric prefix of real clustered seqs, numbers, "0"; null otherwise', () => {
  assert.equal(seqNumber(COUCHDB_SEQ), 7);
  assert.equal(seqNumber('10000-g1AAAACleJzLYWBg'), 10000);
  assert.equal(seqNumber('0'), 0);
  assert.equal(seqNumber(42), 42);
  assert.equal(seqNumber('now'), null);
  assert.equal(seqNumber('g1AAAA-12'), null);
  assert.equal(seqNumber(null), null);
  assert.equal(seqNumber(undefined), null);
  assert.equal(seqNumber(-1), null);
  assert.equal(seqNumber(1.5), null);
  assert.equal(seqNumber('99999999999999999999-x'), null);
});

test('seqEquals is exact on text; seqDistance is the prefix heuristic', () => {
  assert.ok(seqEquals(0, '0'));
  assert.ok(!seqEquals('6-abc', '6-abd'));
  assert.ok(seqEquals(null, null));
  assert.ok(!seqEquals(null, '0'));
  assert.ok(seqEquals(COUCHDB_SEQ, `${COUCHDB_SEQ}`));
  assert.equal(seqDistance('10-x', '4-y'), 6);
  assert.equal(seqDistance('10-x', null), null);
  assert.equal(seqText(5), '5');
  assert.equal(seqText(undefined), null);
});

test('parseSeq: strings as they are (opaque), non-negative integers; null otherwise', () => {
  assert.equal(parseSeq(COUCHDB_SEQ), COUCHDB_SEQ);
  assert.equal(parseSeq(12), 12);
  assert.equal(parseSeq(0), 0);
  for (const bad of [-1, 1.5, null, undefined, {}, [1], Number.NaN]) assert.equal(parseSeq(bad), null);
});

test('seqNumber: prefixes past the safe integers are null; digits must end at `-` or the end', () => {
  assert.equal(seqNumber('9007199254740991-x'), Number.MAX_SAFE_INTEGER);
  assert.equal(seqNumber('9007199254740993-x'), null);
  assert.equal(seqNumber('12a-x'), null);
  assert.equal(seqNumber('-12'), null);
  assert.equal(seqNumber(''), null);
});

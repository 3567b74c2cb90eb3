import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalText,
  copyJson,
  isObject,
  type JsonObject,
  jsonText,
  NumberText,
  numericValue,
  parseJsonLossless,
  plainJson,
  unsafeNumberPath,
} from './json.ts';

const WRITTEN = '{"z":1.0,"a":[1e2,-0,12345678901234567890,0.1,-5],"m":{"10":2.50,"2":"x","b":1E-7}}';

test('numbers keep the lexeme they were written with, through parse, canonical text and copies', () => {
  const v = parseJsonLossless(WRITTEN) as JsonObject;
  assert.ok(v.z instanceof NumberText);
  assert.equal(
    canonicalText(v),
    '{"a":[1e2,-0,12345678901234567890,0.1,-5],"m":{"2":"x","10":2.50,"b":1E-7},"z":1.0}',
  );
  assert.equal(canonicalText(copyJson(v)), canonicalText(v));
  // what the old canonical text (JSON.parse + JSON.stringify) printed: a different body for CouchDB
  assert.notEqual(canonicalText(v), JSON.stringify(JSON.parse(canonicalText(v))));
});

test('numbers JavaScript prints back as written stay plain numbers; computed -0 is still 0', () => {
  const v = parseJsonLossless('[1,0.5,-3,1e21]') as unknown[];
  assert.deepEqual(v.slice(0, 3), [1, 0.5, -3]);
  assert.ok(v[3] instanceof NumberText, '1e21 prints as 1e+21 in JavaScript');
  assert.equal(canonicalText({ x: -0 }), '{"x":0}');
});

test('a NumberText is a number to strategies and to plain JSON, never an object', () => {
  const n = new NumberText('2.50');
  assert.equal(isObject(n), false);
  assert.equal(numericValue(n), 2.5);
  assert.equal(numericValue(3), 3);
  assert.equal(numericValue('3'), undefined);
  assert.deepEqual(plainJson({ n }), { n: 2.5 });
  assert.equal(jsonText({ n, u: undefined }), '{"n":2.50}');
});

test('a big integer held as its lexeme is exact; only doubles can be unsafe', () => {
  assert.equal(unsafeNumberPath(parseJsonLossless('{"id":12345678901234567890}')), undefined);
  assert.equal(unsafeNumberPath({ id: 2 ** 60 }), '$.id');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalText,
  copyJson,
  getPath,
  isObject,
  type JsonObject,
  jsonText,
  NumberText,
  numericValue,
  parseJsonLossless,
  plainJson,
  sameJson,
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

test('the fast paths (JSON.parse, JSON.stringify, deep compare) answer as the lossless ones', () => {
  // numbers inside strings, and rev-like hex with 'e' and '-0', must not push exact numbers to the slow path
  const plain = '{"_rev":"2-0e5a","s":"1.0 and 1e2","n":[1,0.5,-3],"o":{"b":true,"a":null}}';
  assert.deepEqual(parseJsonLossless(plain), JSON.parse(plain));
  assert.ok((parseJsonLossless('{"s":"x","n":1.50}') as JsonObject).n instanceof NumberText);
  assert.throws(() => parseJsonLossless('{"a":1,}'));
  // strings with escaped quotes and backslashes end where JSON says; every inexact lexeme is caught
  const lexeme = (t: string) => (parseJsonLossless(t) as JsonObject).n instanceof NumberText;
  assert.ok(lexeme('{"s":"a\\"1.0","n":-0}'));
  assert.ok(lexeme('{"s":"a\\\\","n":1E2}'));
  assert.ok(lexeme('{"s":"\\\\\\"","n":9007199254740993}'));
  assert.ok(lexeme('{"n":1.0e0}'));
  assert.ok(!lexeme('{"s":"\\"-0 1.0","n":123456789012345}'));
  assert.ok(!lexeme('{"n":-1234567890123456}'));
  assert.equal(jsonText({ a: [1, 'x', null], b: { c: false } }), '{"a":[1,"x",null],"b":{"c":false}}');
  assert.equal(jsonText([undefined, { u: undefined }]), '[null,{}]');
  assert.ok(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  assert.ok(!sameJson({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(sameJson({ x: -0 }, { x: 0 }));
  assert.ok(!sameJson({ n: new NumberText('1.0') }, { n: 1 }));
  assert.ok(sameJson({ n: new NumberText('1.0') }, { n: new NumberText('1.0') }));
  assert.ok(!sameJson([1, 2], { 0: 1, 1: 2 }));
});

test('getPath: a plain field, a dotted path, missing steps and inherited names', () => {
  const body = { type: 'reading', meta: { updated_at: 't1' }, n: 0 };
  assert.equal(getPath(body, 'type'), 'reading');
  assert.equal(getPath(body, 'n'), 0);
  assert.equal(getPath(body, 'meta.updated_at'), 't1');
  assert.equal(getPath(body, 'missing'), undefined);
  assert.equal(getPath(body, 'type.length'), undefined);
  assert.equal(getPath(body, 'toString'), undefined);
  assert.equal(getPath(body, 'meta.toString'), undefined);
});

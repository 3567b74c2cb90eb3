import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CouchHttpError } from '../engine/errors.ts';
import { scanRequestJson } from './json-text.ts';

const invalid = (e: unknown) =>
  e instanceof CouchHttpError && e.status === 400 && e.reason === 'invalid UTF-8 JSON';

test('a float out of a double range anywhere refuses the whole body (jiffy has no term for it)', () => {
  for (const t of [
    '{"docs":[{"a":1},{"a":1e400}]}',
    '[[[-1.5e999]]]',
    `{"a":1.${'9'.repeat(10)}e308}`,
    `{"a":${'9'.repeat(400)}.0}`,
  ])
    assert.throws(() => scanRequestJson(t), invalid, t);
});

test('finite floats, big integers (Erlang bignums) and look-alike strings pass', () => {
  for (const t of ['{"a":1e308,"b":"1e400","c":1e-400}', `{"a":${'9'.repeat(400)}}`, '{"e400":[1E300]}'])
    assert.equal(scanRequestJson(t).t, t.startsWith('{') ? 'obj' : 'arr');
});

test('syntax errors are 400 invalid UTF-8 JSON', () => {
  assert.throws(() => scanRequestJson('{"a":'), invalid);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom, systemRandom } from './random.ts';

test('uuids are 32 lowercase hex characters', () => {
  assert.match(systemRandom.uuid(), /^[0-9a-f]{32}$/);
  assert.match(seededRandom(1).uuid(), /^[0-9a-f]{32}$/);
});

test('seededRandom is reproducible and in [0, 1)', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  for (let i = 0; i < 100; i++) {
    const x = a.float();
    assert.equal(x, b.float());
    assert.ok(x >= 0 && x < 1);
  }
});

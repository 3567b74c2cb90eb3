import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictRev, tombstoneRev } from './revs.ts';

test('tombstoneRev: the fast path names the same revision as the full encoding', () => {
  const revs = [
    '1-967a00dff5e02add41819138abb3284d',
    '2-00000000000000000000000000000000',
    '7-ffffffffffffffffffffffffffffffff',
    '300-0123456789abcdef0123456789abcdef',
    '1-967a00dff5e02add41819138abb3284d', // a cached position again
    '1-not-a-hex-rev-id', // not 32 hex chars: the full encoding
    '3-0123456789ABCDEF0123456789ABCDEF',
  ];
  for (const rev of revs) assert.equal(tombstoneRev(rev), predictRev(rev, '{}', { deleted: true }), rev);
});

test('tombstoneRev: an invalid rev is refused', () => {
  assert.throws(() => tombstoneRev('x-1'), TypeError);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, editDistance, listNames } from './suggest.ts';

describe('did you mean', () => {
  it('edit distance counts transpositions as one edit', () => {
    assert.equal(editDistance('reachable', 'reachbale'), 1);
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('suggests close names and truncated ones, not unrelated ones', () => {
    assert.equal(closest('celular', ['lan', 'wan', 'cellular', 'lorawan']), 'cellular');
    assert.equal(closest('Reachable', ['url', 'reachable']), 'reachable');
    assert.equal(closest('worker_batch', ['worker_batch_size', 'http_connections']), 'worker_batch_size');
    assert.equal(closest('gateway', ['n1', 'n2']), undefined);
    assert.equal(closest('n1', ['n1', 'n2']), undefined, 'an exact match is no typo');
  });

  it('lists names, eliding long lists', () => {
    assert.equal(listNames(['a', 'b']), 'a, b');
    assert.equal(listNames(['a', 'b', 'c', 'd'], 2), 'a, b, … (2 more)');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffDoc, diffMaps, divergentCount, emptyTally, type RepairIds, tally } from './compare.ts';
import type { DocLeaves } from './digest.ts';

const doc = (id: string, winner: string, leaves = [winner], deleted = false): DocLeaves => ({
  id,
  winner,
  deleted,
  leaves: [...leaves].sort(),
});

describe('verify diff of two nodes', () => {
  test('missing on either side: the direction that has it carries it', () => {
    assert.deepEqual(diffDoc('x', doc('x', '1-a'), undefined), {
      id: 'x',
      kind: 'missing_on_b',
      aToB: true,
      bToA: false,
    });
    assert.equal(diffDoc('x', undefined, doc('x', '1-a'))?.kind, 'missing_on_a');
    assert.equal(diffDoc('x', doc('x', '1-a'), doc('x', '1-a')), undefined);
  });

  test('a conflict on one node only (same winner): leaves; a deleted winner: winners', () => {
    const conflict = diffDoc('x', doc('x', '2-b', ['2-a', '2-b']), doc('x', '2-b'));
    assert.deepEqual(conflict, { id: 'x', kind: 'leaves', aToB: true, bToA: false });
    const deleted = diffDoc('x', doc('x', '2-d', ['2-d'], true), doc('x', '1-a'));
    assert.deepEqual(deleted, { id: 'x', kind: 'winners', aToB: true, bToA: true });
    // same rev, deleted on one side only cannot come from CouchDB, but is a winner difference
    assert.equal(diffDoc('x', doc('x', '1-a', ['1-a'], true), doc('x', '1-a'))?.kind, 'winners');
  });

  test('a tally keeps counts, the first N ids and (for a repair) every id per direction', () => {
    const a = new Map([
      ['p', doc('p', '1-a')],
      ['q', doc('q', '1-a')],
      ['r', doc('r', '1-a')],
    ]);
    const b = new Map([['s', doc('s', '1-a')]]);
    const t = emptyTally();
    const repair: RepairIds = { aToB: [], bToA: [] };
    for (const d of diffMaps(a, b)) tally(t, d, 2, repair);
    assert.deepEqual(t.missing_on_b, { count: 3, ids: ['p', 'q'] });
    assert.deepEqual(t.missing_on_a, { count: 1, ids: ['s'] });
    assert.deepEqual(repair, { aToB: ['p', 'q', 'r'], bToA: ['s'] });
    assert.equal(divergentCount(t), 4);
    assert.deepEqual(
      diffMaps(a, b, (id) => id !== 'q').map((d) => d.id),
      ['p', 'r', 's'],
    );
  });
});

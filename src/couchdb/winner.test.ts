import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sortByWinner, winnerOf, winnerOrder } from './winner.ts';

const md5 = (c: string) => c.repeat(32);

describe('winner order (couch_doc:to_doc_info_path)', () => {
  test('a live leaf beats a deleted one, whatever their positions', () => {
    const live = { rev: `1-${md5('a')}` };
    const dead = { rev: `9-${md5('f')}`, deleted: true };
    assert.ok(winnerOrder(live, dead) < 0);
    assert.equal(winnerOf([dead, live]), live);
  });

  test('then the longer path (pos compared as a number, not as text), then the greater rev id bytes', () => {
    const leaves = [
      { rev: `2-${md5('f')}` },
      { rev: `10-${md5('a')}` },
      { rev: `10-${md5('b')}` },
      { rev: `3-${md5('0')}`, deleted: true },
    ];
    assert.deepEqual(
      sortByWinner(leaves).map((l) => l.rev),
      [`10-${md5('b')}`, `10-${md5('a')}`, `2-${md5('f')}`, `3-${md5('0')}`],
    );
  });

  test('rev ids compare as CouchDB binaries: md5 ids by their bytes (case-insensitive), others by UTF-8', () => {
    assert.equal(winnerOrder({ rev: `1-${md5('A')}` }, { rev: `1-${md5('a')}` }), 0);
    assert.ok(winnerOrder({ rev: '1-b' }, { rev: '1-abc' }) < 0);
  });

  test('winnerOf an empty set is undefined; sortByWinner copies', () => {
    assert.equal(winnerOf([]), undefined);
    const input = [{ rev: '1-a' }, { rev: '1-b' }];
    assert.notEqual(sortByWinner(input), input);
    assert.deepEqual(input, [{ rev: '1-a' }, { rev: '1-b' }]);
  });
});

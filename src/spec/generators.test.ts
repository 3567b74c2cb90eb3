import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatePairs, pairKey } from './generators.ts';

describe('link generators', () => {
  const four = ['a', 'b', 'c', 'd'];

  it('full-mesh: every pair once', () => {
    assert.deepEqual(generatePairs('full-mesh', four), [
      ['a', 'b'],
      ['a', 'c'],
      ['a', 'd'],
      ['b', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ]);
    assert.equal(
      generatePairs(
        'full-mesh',
        Array.from({ length: 100 }, (_, i) => `n${i}`),
      ).length,
      4950,
    );
  });

  it('ring: in list order, closed; two nodes make one link, one node none', () => {
    assert.deepEqual(generatePairs('ring', four), [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'a'],
    ]);
    assert.deepEqual(generatePairs('ring', ['a', 'b']), [['a', 'b']]);
    assert.deepEqual(generatePairs('ring', ['a']), []);
  });

  it('star: hub to every other node (the hub may or may not be in the list)', () => {
    assert.deepEqual(generatePairs('star', four, 'b'), [
      ['b', 'a'],
      ['b', 'c'],
      ['b', 'd'],
    ]);
    assert.deepEqual(generatePairs('star', ['c', 'd'], 'a'), [
      ['a', 'c'],
      ['a', 'd'],
    ]);
  });

  it('pair keys ignore order', () => {
    assert.equal(pairKey('n2', 'n1'), 'n1--n2');
    assert.equal(pairKey('n1', 'n2'), 'n1--n2');
  });
});

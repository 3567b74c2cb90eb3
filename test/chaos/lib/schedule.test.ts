import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../src/core/random.ts';
import { presence } from './invariants.ts';
import { describeFault, linksCut, schedule } from './schedule.ts';
import { seedTopology } from './topology.ts';

const t = seedTopology();

describe('chaos schedule', () => {
  it('reads the seed mesh: four nodes, five links', () => {
    assert.deepEqual(t.nodes, ['n1', 'n2', 'n3', 'n4']);
    assert.equal(t.links.length, 5);
  });

  it('the same seed gives the same steps; another seed other steps', () => {
    const a = schedule(seededRandom(7), t, 6).map((s) => describeFault(s.fault));
    assert.deepEqual(
      schedule(seededRandom(7), t, 6).map((s) => describeFault(s.fault)),
      a,
    );
    assert.notDeepEqual(
      schedule(seededRandom(8), t, 6).map((s) => describeFault(s.fault)),
      a,
    );
  });

  it('isolating a node cuts its links; a split cuts exactly the links across it', () => {
    assert.deepEqual(linksCut({ kind: 'isolate', node: 'n1' }, t), [
      ['n1', 'n2'],
      ['n3', 'n1'],
    ]);
    assert.deepEqual(linksCut({ kind: 'split', side: ['n1', 'n2'] }, t), [
      ['n2', 'n3'],
      ['n3', 'n1'],
      ['n4', 'n2'],
    ]);
    assert.deepEqual(linksCut({ kind: 'heal-all' }, t), []);
  });

  it('an acked rev is a winner, a losing leaf, an ancestor, or lost', () => {
    const held = new Map([
      ['d', { winner: '2-b', leaves: new Set(['2-b', '2-a']), all: new Set(['2-b', '2-a', '1-x']) }],
    ]);
    const ack = (rev: string, id = 'd') => ({ node: 'n1', id, rev, deleted: false });
    assert.equal(presence(held, ack('2-b')), 'winner');
    assert.equal(presence(held, ack('2-a')), 'leaf');
    assert.equal(presence(held, ack('1-x')), 'ancestor');
    assert.equal(presence(held, ack('1-y')), undefined);
    assert.equal(presence(held, ack('2-b', 'e')), undefined);
  });
});

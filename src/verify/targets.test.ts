import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCouchmeshError } from '../core/errors.ts';
import type { MeshLink } from '../observe/links.ts';
import { verifyTargets } from './targets.ts';

const link = (a: string, b: string, db: string): MeshLink =>
  ({
    mesh: 'm',
    link: `${a}--${b}`,
    db,
    directions: [
      { from: a, to: b },
      { from: b, to: a },
    ],
  }) as unknown as MeshLink;

const LINKS = [link('n1', 'n2', 'a'), link('n2', 'n3', 'a'), link('n3', 'n4', 'b')];
const NODES = ['n1', 'n2', 'n3', 'n4'];

describe('verify targets', () => {
  test('without --nodes: per database, the nodes at its links and the linked pairs', () => {
    assert.deepEqual(verifyTargets(LINKS, NODES, ['a', 'b'], {}), [
      {
        db: 'a',
        nodes: ['n1', 'n2', 'n3'],
        pairs: [
          ['n1', 'n2'],
          ['n2', 'n3'],
        ],
      },
      { db: 'b', nodes: ['n3', 'n4'], pairs: [['n3', 'n4']] },
    ]);
  });

  test('--nodes: every pair of those nodes holding the database, linked or not; --db: one database', () => {
    assert.deepEqual(verifyTargets(LINKS, NODES, ['a', 'b'], { db: 'a', nodes: ['n3', 'n1'] }), [
      { db: 'a', nodes: ['n1', 'n3'], pairs: [['n1', 'n3']] },
    ]);
  });

  test('unknown database or node, or one node: a user error naming what exists', () => {
    for (const choice of [{ db: 'x' }, { nodes: ['n1', 'n9'] }, { nodes: ['n1', 'n1'] }]) {
      assert.throws(
        () => verifyTargets(LINKS, NODES, ['a', 'b'], choice),
        (e: unknown) => isCouchmeshError(e) && e.code === 'E_VERIFY_SELECTION' && e.kind === 'user',
      );
    }
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CouchClient } from '../couch/client.ts';
import { twoNodeLink } from '../observe/test-support.ts';
import { pollTargets } from './targets.ts';

test('pollTargets: a node of a link reports its databases (sorted, once); a node of no link none', () => {
  const client = {} as CouchClient;
  const clients = new Map([
    ['n1', client],
    ['n2', client],
    ['n3', client],
  ]);
  const links = [
    twoNodeLink('n1', 'n2', 'sensors'),
    twoNodeLink('n1', 'n2', 'alerts'),
    twoNodeLink('n2', 'n1'),
  ];
  assert.deepEqual(
    pollTargets(links, clients).map((t) => [t.name, t.dbs]),
    [
      ['n1', ['alerts', 'sensors']],
      ['n2', ['alerts', 'sensors']],
      ['n3', []],
    ],
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeshSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import { makePlan } from './plan.ts';
import { observedEmpty, pw, seed } from './test-support.ts';

test('q/n of a database go on its creation on nodes with members (clusters) only', () => {
  const spec: MeshSpec = {
    ...seed,
    nodes: seed.nodes.map((n) => (n.name === 'n1' ? { ...n, members: [n.url, 'http://10.0.0.2:5984'] } : n)),
    databases: seed.databases.map((d) => ({ ...d, q: 2, n: 3 })),
  };
  const plan = makePlan(desiredState(spec, pw), observedEmpty(spec));
  const creates = plan.actions.filter((a) => a.kind === 'create-db' && a.db !== '_replicator');
  assert.deepEqual(
    creates.map((a) => (a.kind === 'create-db' ? [a.node, a.q, a.n] : [])),
    [
      ['n1', 2, 3],
      ['n2', undefined, undefined],
      ['n3', undefined, undefined],
      ['n4', undefined, undefined],
    ],
  );
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteMarker } from '../failover/types.ts';
import { desiredState } from '../plan/desired.ts';
import { routeDesired } from '../plan/routes.ts';
import { link, node, pw, seed } from '../plan/test-support.ts';
import type { DesiredState, ObservedNode } from '../plan/types.ts';
import { DEFAULT_FAILOVER } from '../spec/failover.ts';
import type { MeshSpec } from '../spec/types.ts';
import { routesOf } from './routes.ts';

const spec: MeshSpec = {
  ...seed,
  nodes: [...seed.nodes, { ...node('r', 9), role: 'relay' }],
  links: [...seed.links, link('r', 'n1')],
  failover: DEFAULT_FAILOVER,
};
const held = (d: DesiredState, down: string[] = []): ObservedNode[] =>
  spec.nodes.map((n) => ({
    node: n.name,
    reachable: !down.includes(n.name),
    databases: [],
    replicator: down.includes(n.name)
      ? []
      : d.docs
          .filter((x) => x.node === n.name)
          .map((x) => ({ id: x.id, rev: '1-a', body: JSON.parse(JSON.stringify(x.body)) })),
    requests: 1,
  }));
const marker: RouteMarker = {
  via: 'r',
  mode: 'store-and-forward',
  reason: 'job crashing',
  since: '2026-01-01T00:00:00.000Z',
};

describe('ops: routes read from the nodes', () => {
  it('direct directions, a relayed one with its reason and legs, and unread nodes', () => {
    const d = routeDesired(desiredState(spec, pw), {
      spec,
      routes: new Map([['n3->n4', marker]]),
      password: pw,
    });
    const v = routesOf(spec, held(d, ['n2']));
    const n34 = v.directions.find((x) => x.direction === 'n3->n4');
    assert.equal(n34?.path, 'relayed');
    assert.equal(n34?.via, 'r');
    assert.equal(n34?.reason, 'job crashing');
    assert.deepEqual(
      n34?.legs.map((l) => `${l.from}->${l.to}@${l.node}`),
      ['n3->r@r', 'r->n4@n4'],
    );
    assert.equal(v.directions.find((x) => x.direction === 'n4->n3')?.path, 'direct');
    // n2 drives n1->n2 and n3->n2 (pull): unknown while it is unread
    assert.equal(v.directions.find((x) => x.direction === 'n1->n2')?.path, 'unknown');
    assert.deepEqual(v.unreachable, ['n2']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteMarker } from '../failover/types.ts';
import { DEFAULT_FAILOVER } from '../spec/failover.ts';
import type { MeshSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import { makePlan } from './plan.ts';
import { legId, observedRoutes, routeDesired } from './routes.ts';
import { link, node, pw, seed } from './test-support.ts';
import type { DesiredState, ObservedNode } from './types.ts';

const spec: MeshSpec = {
  ...seed,
  nodes: [...seed.nodes, { ...node('r', 9), role: 'relay' }],
  links: [...seed.links, link('r', 'n1')],
  failover: { ...DEFAULT_FAILOVER, relays: { r: { proxy: 'http://127.0.0.1:3128' } } },
};
const route = (mode: RouteMarker['mode']): RouteMarker => ({
  via: 'r',
  mode,
  reason: 'job crashing',
  since: '2026-01-01T00:00:00.000Z',
});
/** What the nodes hold once `d` is applied. */
const held = (d: DesiredState): ObservedNode[] =>
  spec.nodes.map((n) => ({
    node: n.name,
    reachable: true,
    databases: ['_replicator', ...new Set(d.databases.filter((x) => x.node === n.name).map((x) => x.db))],
    replicator: d.docs
      .filter((x) => x.node === n.name)
      .map((x) => ({ id: x.id, rev: '1-a', body: JSON.parse(JSON.stringify(x.body)) })),
    requests: 2,
  }));
const base = desiredState(spec, pw);
const overlay = (routes: Map<string, RouteMarker>) => routeDesired(base, { spec, routes, password: pw });
const doc = (d: DesiredState, id: string) => d.docs.find((x) => x.id === id);

describe('plan: routes as desired state (FAILOVER overlay)', () => {
  it('proxy: the pulled direction reaches its source through the relay; the marker and hash follow', () => {
    const d = overlay(new Map([['n3->n4', route('proxy')]]));
    const n34 = doc(d, 'couchmesh.seed.sensors.n3--n4');
    assert.equal(n34?.node, 'n4');
    assert.equal(n34?.body.source_proxy, 'http://127.0.0.1:3128');
    assert.equal(n34?.body.target_proxy, undefined);
    assert.deepEqual(n34?.body.couchmesh.route, route('proxy'));
    assert.notEqual(n34?.body.couchmesh.spec, doc(base, n34?.id ?? '')?.body.couchmesh.spec);
    assert.equal(d.docs.length, base.docs.length);
    // every other direction as it was
    assert.deepEqual(doc(d, 'couchmesh.seed.sensors.n4--n3'), doc(base, 'couchmesh.seed.sensors.n4--n3'));
  });

  it('a routed mesh re-planned against itself is a no-op; the routes read back from the nodes', () => {
    const d = overlay(new Map([['n3->n4', route('proxy')]]));
    const nodes = held(d);
    assert.deepEqual([...observedRoutes('seed', nodes)], [['n3->n4', route('proxy')]]);
    const again = routeDesired(base, { spec, routes: observedRoutes('seed', nodes), password: pw });
    assert.equal(makePlan(again, nodes).actions.length, 0);
    // the router gives the route up: one update, proxy removed, marker gone
    const back = makePlan(base, nodes);
    assert.deepEqual(
      back.actions.map((a) => [a.kind, a.node, 'changed' in a ? a.changed : []]),
      [['update-doc', 'n4', ['source_proxy', 'couchmesh']]],
    );
  });

  it('store-and-forward: marked legs n3->r (on r) and r->n4 (on n4), the database created on r', () => {
    const d = overlay(new Map([['n3->n4', route('store-and-forward')]]));
    // r holds no sensors yet
    const before = held(base).map((n) => (n.node === 'r' ? { ...n, databases: ['_replicator'] } : n));
    const plan = makePlan(d, before);
    const kinds = plan.actions.map((a) => `${a.kind} ${a.node} ${'id' in a ? a.id : 'db' in a ? a.db : ''}`);
    assert.deepEqual(kinds.sort(), [
      'create-db r sensors',
      `create-doc n4 ${legId('seed', 'sensors', 'r', 'n4')}`,
      `create-doc r ${legId('seed', 'sensors', 'n3', 'r')}`,
      'update-doc n4 couchmesh.seed.sensors.n3--n4',
    ]);
    const leg = doc(d, legId('seed', 'sensors', 'n3', 'r'));
    assert.equal(leg?.body.source.url, `${node('n3', 2).url}/sensors`);
    assert.equal(leg?.body.couchmesh.route?.leg, true);
    // the direct doc keeps its fields (it keeps retrying the direct path)
    const direct = doc(d, 'couchmesh.seed.sensors.n3--n4');
    assert.equal(direct?.body.source_proxy, undefined);
    assert.equal(direct?.body.couchmesh.route?.mode, 'store-and-forward');
  });

  it('store-and-forward: no leg where a declared link already carries the pair; legs deleted when given up', () => {
    const d = overlay(new Map([['n1->n2', route('store-and-forward')]]));
    assert.equal(doc(d, legId('seed', 'sensors', 'n1', 'r')), undefined, 'the r--n1 link carries it');
    assert.ok(doc(d, legId('seed', 'sensors', 'r', 'n2')));
    const plan = makePlan(base, held(d));
    const deletes = plan.actions.filter((a) => a.kind === 'delete-doc');
    assert.deepEqual(
      deletes.map((a) => [a.node, a.kind === 'delete-doc' ? a.reason : '']),
      [['n2', 'unrouted']],
    );
    assert.equal(plan.orphans.length, 0);
  });

  it("store-and-forward with the target unread: its legs keep the direction's route (never deleted meanwhile)", () => {
    const d = overlay(new Map([['n3->n4', route('store-and-forward')]]));
    const nodes = held(d).map((n) => (n.node === 'n4' ? { ...n, reachable: false, replicator: [] } : n));
    assert.deepEqual([...observedRoutes('seed', nodes)], [['n3->n4', route('store-and-forward')]]);
  });

  it('never reroutes the canary database', () => {
    const canary = { ...spec, databases: [...spec.databases, { name: 'couchmesh_canary' }] };
    canary.links = canary.links.map((l) => ({ ...l, databases: [...l.databases, 'couchmesh_canary'] }));
    const d = routeDesired(desiredState(canary, pw), {
      spec: canary,
      routes: new Map([['n3->n4', route('proxy')]]),
      password: pw,
    });
    assert.equal(doc(d, 'couchmesh.seed.couchmesh_canary.n3--n4')?.body.source_proxy, undefined);
    assert.equal(doc(d, 'couchmesh.seed.sensors.n3--n4')?.body.source_proxy, 'http://127.0.0.1:3128');
  });
});

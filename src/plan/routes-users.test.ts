// Store-and-forward legs under least-privilege replication users (#15 with SECURITY): a leg never
// carries admin credentials; its user exists on both of its ends; the relay's copy of the database
// lets that user in (per node by the shared role, per link by name).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteMarker } from '../failover/types.ts';
import { DEFAULT_FAILOVER } from '../spec/failover.ts';
import type { MeshSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import { legId, routeDesired } from './routes.ts';
import { link, node, pw, seed, withLinkUsers, withNodeUsers } from './test-support.ts';
import type { DesiredState } from './types.ts';

const base: MeshSpec = {
  ...seed,
  nodes: [...seed.nodes, { ...node('r', 9), role: 'relay' }],
  links: [...seed.links, link('r', 'n1')],
  failover: { ...DEFAULT_FAILOVER, mode: 'store-and-forward' },
};
const perLink = withLinkUsers;
const routes = new Map<string, RouteMarker>([
  [
    'n3->n4',
    { via: 'r', mode: 'store-and-forward', reason: 'job crashing', since: '2026-01-01T00:00:00.000Z' },
  ],
]);
const routed = (spec: MeshSpec) => routeDesired(desiredState(spec, pw), { spec, routes, password: pw });
const legs = (d: DesiredState) => d.docs.filter((x) => x.body.couchmesh.route?.leg);
const usersOn = (d: DesiredState, n: string) =>
  (d.users ?? []).filter((u) => u.node === n).map((u) => u.name);
const members = (d: DesiredState, n: string, db = 'sensors') =>
  d.security?.find((s) => s.node === n && s.db === db)?.security.members;
const legUsers = (d: DesiredState) =>
  legs(d).flatMap((l) => [l.body.source.auth?.basic?.username, l.body.target.auth?.basic?.username]);

describe('plan: store-and-forward legs follow replication_users', () => {
  it("per link: both legs authenticate as the rerouted link's user, never admin; that user on n3, r, n4; r's database lists it by name", () => {
    const d = routed(perLink(base));
    const ids = legs(d).map((l) => l.id);
    assert.deepEqual(
      ids.sort(),
      [legId('seed', 'sensors', 'n3', 'r'), legId('seed', 'sensors', 'r', 'n4')].sort(),
    );
    assert.deepEqual([...new Set(legUsers(d))], ['couchmesh-repl-n3--n4']);
    for (const n of ['n3', 'n4', 'r']) assert.ok(usersOn(d, n).includes('couchmesh-repl-n3--n4'), n);
    // r is on the link r--n1 (which carries sensors): its own link's user stays, the route's joins
    assert.deepEqual(members(d, 'r')?.names, ['couchmesh-repl-n1--r', 'couchmesh-repl-n3--n4']);
    assert.deepEqual(members(d, 'r')?.roles, []);
    // nothing else's _security changes: n3 and n4 already list the link's user
    const before = desiredState(perLink(base), pw);
    for (const n of ['n1', 'n2', 'n3', 'n4']) assert.deepEqual(members(d, n), members(before, n), n);
  });

  it('per link, a relay on no link of the database: the database and its _security (the leg user only) on r', () => {
    const spec = perLink({ ...base, links: seed.links });
    const d = routed(spec);
    assert.ok(d.databases.some((x) => x.node === 'r' && x.db === 'sensors'));
    assert.deepEqual(members(d, 'r'), { names: ['couchmesh-repl-n3--n4'], roles: [] });
    assert.deepEqual(d.security?.find((s) => s.node === 'r')?.security.admins, { names: [], roles: [] });
  });

  it("per node: each leg as its driving node's user, that user on both ends; r's database by the shared role", () => {
    const spec = withNodeUsers({ ...base, links: seed.links });
    const d = routed(spec);
    const byId = new Map(legs(d).map((l) => [l.id, l]));
    const inLeg = byId.get(legId('seed', 'sensors', 'n3', 'r'));
    const outLeg = byId.get(legId('seed', 'sensors', 'r', 'n4'));
    // pulled: n3->r driven by r, r->n4 by n4
    assert.equal(inLeg?.body.source.auth?.basic?.username, 'couchmesh-repl-r');
    assert.equal(outLeg?.body.source.auth?.basic?.username, 'couchmesh-repl-n4');
    assert.ok(usersOn(d, 'n3').includes('couchmesh-repl-r'), 'the relay pulls from n3 as its own user');
    assert.ok(usersOn(d, 'r').includes('couchmesh-repl-r') && usersOn(d, 'r').includes('couchmesh-repl-n4'));
    assert.deepEqual(members(d, 'r'), { names: [], roles: ['couchmesh-replicator'] });
    assert.ok(!legUsers(d).includes('admin'));
  });

  it("without replication_users the legs keep the nodes' credentials, and no users or _security appear", () => {
    const d = routed({ ...base, links: seed.links });
    assert.equal(legs(d).length, 2);
    assert.equal(d.users, undefined);
    assert.equal(d.security, undefined);
  });
});

// Replication users no longer desired are pruned as managed docs are (least privilege): plan-level
// tests of users-prune.ts. The embedded-node walk-through is test/security/replication-users-prune.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteMarker } from '../failover/types.ts';
import { DEFAULT_FAILOVER } from '../spec/failover.ts';
import type { MeshSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import { makePlan } from './plan.ts';
import { routeDesired } from './routes.ts';
import { link, node, pw, seed, withLinkUsers, withNodeUsers } from './test-support.ts';
import type { Action, DesiredState, ObservedNode } from './types.ts';

const ROLE = 'couchmesh-replicator';

/** What the nodes hold once `d` was applied: its docs, its users (marked with the mesh), its `_security`. */
function holding(d: DesiredState, spec: MeshSpec): ObservedNode[] {
  return spec.nodes.map((n) => ({
    node: n.name,
    reachable: true,
    databases: ['_replicator', '_users', 'sensors'],
    replicator: d.docs
      .filter((x) => x.node === n.name)
      .map((x) => ({ id: x.id, rev: '1-a', body: JSON.parse(JSON.stringify(x.body)) })),
    users: Object.fromEntries(
      (d.users ?? [])
        .filter((u) => u.node === n.name)
        .map((u) => [u.name, { rev: '1-u', roles: u.roles, password_ok: true, mesh: d.mesh }]),
    ),
    security: Object.fromEntries(
      (d.security ?? [])
        .filter((s) => s.node === n.name)
        .map((s) => [s.db, { ...structuredClone(s.security) }]),
    ),
    requests: 3,
  }));
}

const perLink = withLinkUsers;
const deleted = (actions: Action[]) =>
  actions.flatMap((a) => (a.kind === 'delete-user' ? [`${a.name}@${a.node}:${a.reason}`] : [])).sort();

describe('plan: replication users no longer desired', () => {
  const before = withNodeUsers(seed);
  const observed = holding(desiredState(before, pw), before);
  const after = desiredState(perLink(seed), pw);

  it('per node -> per link, without --prune: every node user is kept and listed, nothing deleted', () => {
    const plan = makePlan(after, observed);
    assert.deepEqual(deleted(plan.actions), []);
    const kept = plan.kept_users?.map((u) => `${u.name}@${u.node}`) ?? [];
    assert.ok(kept.includes('couchmesh-repl-n1@n1') && kept.includes('couchmesh-repl-n4@n2'), kept.join());
    assert.ok(
      kept.every((k) => /^couchmesh-repl-n\d@n\d$/.test(k)),
      'node users only',
    );
  });

  it('with --prune: the same users deleted (pruned), after the _security without the shared role', () => {
    const kept = makePlan(after, observed).kept_users?.map((u) => `${u.name}@${u.node}:pruned`);
    const plan = makePlan(after, observed, { prune: true });
    assert.deepEqual(deleted(plan.actions), kept?.sort());
    assert.equal(plan.kept_users, undefined);
    const kinds = plan.actions.map((a) => a.kind);
    assert.ok(kinds.lastIndexOf('set-security') < kinds.indexOf('delete-user'));
    for (const a of plan.actions)
      if (a.kind === 'set-security') assert.ok(!a.security.members.roles.includes(ROLE), a.node);
  });

  it('a user of another mesh or without the marker is never touched, --prune or not', () => {
    const foreign = observed.map((o) => ({
      ...o,
      users: {
        ...o.users,
        'couchmesh-repl-x': { rev: '1-x', roles: [ROLE], password_ok: false, mesh: 'other' },
        'couchmesh-repl-hand': { rev: '1-h', roles: [ROLE], password_ok: false },
      },
    }));
    for (const prune of [false, true]) {
      const plan = makePlan(after, foreign, { prune });
      const text = JSON.stringify([plan.actions, plan.kept_users]);
      assert.ok(!text.includes('couchmesh-repl-x') && !text.includes('couchmesh-repl-hand'), String(prune));
    }
  });

  it('the shared role stays in a database while a desired node user still needs it', () => {
    // n4 leaves every link: its user goes, the role stays where other node users remain
    const spec = withNodeUsers({ ...seed, links: seed.links.filter((l) => !l.nodes.includes('n4')) });
    const plan = makePlan(desiredState(spec, pw), observed, { prune: true });
    assert.ok(deleted(plan.actions).includes('couchmesh-repl-n4@n4:pruned'));
    assert.ok(deleted(plan.actions).includes('couchmesh-repl-n4@n2:pruned'));
    // n2 keeps its other node users (role holders): its sensors keeps the role
    assert.ok(!plan.actions.some((a) => a.kind === 'set-security' && a.node === 'n2'));
    // n4 carries nothing now and holds no desired user: its copy is left admin-only, never public
    const n4 = plan.actions.find((a) => a.kind === 'set-security' && a.node === 'n4');
    assert.deepEqual(n4?.kind === 'set-security' && n4.security.members, { names: [], roles: ['_admin'] });
  });

  it('a route given up: its leg users go without --prune (unrouted), as the leg docs do', () => {
    const spec = perLink({
      ...seed,
      nodes: [...seed.nodes, { ...node('r', 9), role: 'relay' }],
      links: [...seed.links, link('r', 'n1')],
      failover: { ...DEFAULT_FAILOVER, mode: 'store-and-forward' },
    });
    const routes = new Map<string, RouteMarker>([
      ['n3->n4', { via: 'r', mode: 'store-and-forward', reason: 'x', since: '2026-01-01T00:00:00.000Z' }],
    ]);
    const desired = desiredState(spec, pw);
    const routedHeld = holding(routeDesired(desired, { spec, routes, password: pw }), spec);
    const plan = makePlan(desired, routedHeld);
    assert.ok(plan.actions.some((a) => a.kind === 'delete-doc' && a.reason === 'unrouted'));
    assert.deepEqual(deleted(plan.actions), ['couchmesh-repl-n3--n4@r:unrouted']);
    // r's sensors is declared (link r--n1): the declared object, without the leg's user, is put back
    const r = plan.actions.find((a) => a.kind === 'set-security' && a.node === 'r');
    assert.deepEqual(r?.kind === 'set-security' && r.security.members.names, ['couchmesh-repl-n1--r']);
  });

  it('a route given up through a relay on no link of the database: its copy is left admin-only', () => {
    const spec = perLink({
      ...seed,
      nodes: [...seed.nodes, { ...node('r', 9), role: 'relay' }],
      failover: { ...DEFAULT_FAILOVER, mode: 'store-and-forward' },
    });
    const routes = new Map<string, RouteMarker>([
      ['n3->n4', { via: 'r', mode: 'store-and-forward', reason: 'x', since: '2026-01-01T00:00:00.000Z' }],
    ]);
    const desired = desiredState(spec, pw);
    const plan = makePlan(desired, holding(routeDesired(desired, { spec, routes, password: pw }), spec));
    assert.deepEqual(deleted(plan.actions), ['couchmesh-repl-n3--n4@r:unrouted']);
    const r = plan.actions.filter((a) => a.kind === 'set-security' && a.node === 'r');
    assert.deepEqual(
      r.map((a) => a.kind === 'set-security' && a.security.members),
      [{ names: [], roles: ['_admin'] }],
    );
  });

  it('destroy also deletes a user of this mesh no longer desired (kept by an earlier plan)', () => {
    const plan = makePlan(after, observed, { destroy: true });
    const kept = makePlan(after, observed).kept_users?.map((u) => `${u.name}@${u.node}:destroy`);
    assert.deepEqual(deleted(plan.actions), kept?.sort());
  });
});

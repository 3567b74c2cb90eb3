import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredState } from './desired.ts';
import { makePlan } from './plan.ts';
import { observedEmpty, pw, seed, withNodeUsers } from './test-support.ts';
import type { ObservedNode } from './types.ts';
import { withoutReplicationMembers } from './users-destroy.ts';

const ROLE = 'couchmesh-replicator';

describe('destroy and replication users', () => {
  it('takes out only our entries; keeps the operator`s', () => {
    const names = new Set(['couchmesh-repl-a--b']);
    const roles = new Set([ROLE]);
    const mixed = { members: { names: ['alice', 'couchmesh-repl-a--b'], roles: [ROLE, 'readers'] } };
    assert.deepEqual(withoutReplicationMembers(mixed, names, roles)?.members, {
      names: ['alice'],
      roles: ['readers'],
    });
    assert.equal(withoutReplicationMembers({ members: { roles: ['readers'] } }, names, roles), undefined);
  });

  it('a database left with no member is made admin-only (CouchDB reads no members as public)', () => {
    const s = withoutReplicationMembers({ members: { roles: [ROLE] } }, new Set(), new Set([ROLE]));
    assert.deepEqual(s, {
      admins: { names: [], roles: ['_admin'] },
      members: { names: [], roles: ['_admin'] },
    });
    const kept = withoutReplicationMembers(
      { admins: { names: ['ops'] }, members: { roles: [ROLE] } },
      new Set(),
      new Set([ROLE]),
    );
    assert.deepEqual(kept?.admins, { names: ['ops'], roles: [] });
  });

  it('per node: deletes the users marked with this mesh, never one marked otherwise or unmarked', () => {
    const spec = withNodeUsers(seed);
    const desired = desiredState(spec, (n) => (n.auth?.username === 'admin' ? pw() : `repl-${n.name}`));
    const observed = observedEmpty(spec).map((o): ObservedNode => {
      const users: NonNullable<ObservedNode['users']> = {};
      for (const u of desired.users ?? [])
        if (u.node === o.node)
          users[u.name] = {
            rev: '1-a',
            roles: [ROLE],
            password_ok: true,
            // n1's users were made by hand (no marker); n2's by another mesh
            ...(o.node === 'n1' ? {} : { mesh: o.node === 'n2' ? 'other' : seed.mesh }),
          };
      const security = Object.fromEntries(
        (desired.security ?? [])
          .filter((s) => s.node === o.node)
          .map((s) => [s.db, { ...s.security } as Record<string, unknown>]),
      );
      return { ...o, databases: ['sensors', '_users'], users, security };
    });
    const plan = makePlan(desired, observed, { destroy: true });
    const deleted = plan.actions.filter((a) => a.kind === 'delete-user');
    assert.ok(deleted.length > 0);
    assert.ok(deleted.every((a) => a.node !== 'n1' && a.node !== 'n2'));
    const sec = plan.actions.filter((a) => a.kind === 'set-security');
    assert.equal(sec.length, 4, 'the role leaves every mesh database');
    for (const a of sec)
      if (a.kind === 'set-security') assert.deepEqual(a.security.members.roles, ['_admin']);
    assert.ok(!plan.actions.some((a) => a.kind === 'set-user' || a.kind === 'create-db'));
  });
});

import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import { desiredState } from './desired.ts';
import { makePlan } from './plan.ts';
import { observedEmpty, pw, seed, withNodeUsers } from './test-support.ts';
import type { ObservedNode } from './types.ts';
import { passwordMatches, planUsers } from './users.ts';

const spec = withNodeUsers(seed);

describe('replication users in the plan', () => {
  const desired = desiredState(spec, (n) => (n.auth?.username === 'admin' ? pw() : `repl-${n.name}`));

  it('docs carry the driving node`s user on both endpoints, never admin', () => {
    for (const d of desired.docs) {
      assert.equal(d.body.source.auth?.basic.username, `couchmesh-repl-${d.node}`);
      assert.equal(d.body.target.auth?.basic.username, `couchmesh-repl-${d.node}`);
      assert.notEqual(d.body.source.auth?.basic.password, pw());
    }
  });

  it('every mesh database gets the couchmesh-replicator role as members', () => {
    assert.equal(desired.security?.length, 4);
    for (const s of desired.security ?? [])
      assert.deepEqual(s.security.members.roles, ['couchmesh-replicator']);
  });

  it('creates the users (and _users) where missing, secrets redacted in the view', () => {
    const plan = makePlan(desired, observedEmpty(spec));
    const users = plan.actions.filter((a) => a.kind === 'set-user');
    assert.equal(users.length, desired.users?.length);
    assert.ok(users.every((a) => a.kind === 'set-user' && a.change === 'create'));
    assert.ok(plan.actions.some((a) => a.kind === 'create-db' && a.db === '_users'));
  });

  it('a user with the declared password and role is a no-op; another password is a rotation', async () => {
    const u = desired.users?.[0] as NonNullable<typeof desired.users>[number];
    // the fields CouchDB 3 writes (couch_users_db:before_doc_update)
    const doc = {
      password_scheme: 'pbkdf2',
      pbkdf2_prf: 'sha256',
      iterations: 10,
      salt: 'abc',
      derived_key: pbkdf2Sync(u.password, 'abc', 10, 32, 'sha256').toString('hex'),
      roles: ['couchmesh-replicator'],
    };
    assert.equal(await passwordMatches(doc, u.password), true);
    assert.equal(await passwordMatches(doc, 'other'), false);
    const seen = (ok: boolean, roles = ['couchmesh-replicator']): Map<string, ObservedNode> =>
      new Map([
        [
          u.node,
          {
            ...(observedEmpty(spec)[0] as ObservedNode),
            node: u.node,
            users: { [u.name]: { rev: '1-a', roles, password_ok: ok } },
          },
        ],
      ]);
    assert.deepEqual(
      planUsers([u], seen(true), () => true, 'seed'),
      { actions: [], noop: 1 },
    );
    assert.equal(planUsers([u], seen(false), () => true, 'seed').actions[0]?.change, 'password');
    assert.equal(planUsers([u], seen(true, ['_admin']), () => true, 'seed').actions[0]?.change, 'roles');
  });
});

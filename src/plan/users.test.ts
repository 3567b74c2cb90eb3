import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { desiredState } from './desired.ts';
import { makePlan } from './plan.ts';
import { observedEmpty, pw, seed, withNodeUsers } from './test-support.ts';
import type { ObservedNode } from './types.ts';
import { passwordMatches, planUsers, readUsers, userReads } from './users.ts';

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

describe('readUsers (embedded node)', () => {
  it('one range read: the desired users and this mesh`s others, never another mesh`s or a hand-made one', async () => {
    const node = await startNode({ port: 0, inMemory: true, admins: { admin: 'adm' } });
    let reads = 0;
    const client = new CouchClient({
      url: node.url,
      retries: 0,
      auth: { username: 'admin', password: 'adm' },
      onResponse: () => reads++,
    });
    const put = (name: string, extra: Record<string, unknown> = {}) =>
      client.put(`/_users/org.couchdb.user:${name}`, {
        name,
        password: 'p1',
        roles: [],
        type: 'user',
        ...extra,
      });
    const want = (name: string, password = 'p1') => ({ node: 'n1', name, roles: [], password });
    try {
      assert.deepEqual(await readUsers(client, [want('couchmesh-repl-a')], undefined, 'm'), {}, 'none yet');
      await put('couchmesh-repl-a', { couchmesh: { mesh: 'm' } });
      await put('couchmesh-repl-old', { couchmesh: { mesh: 'm' }, roles: ['couchmesh-replicator'] });
      await put('couchmesh-repl-x', { couchmesh: { mesh: 'other' } });
      await put('couchmesh-repl-hand');
      await put('alice');
      const users = [want('couchmesh-repl-a'), want('alice', 'wrong')];
      reads = 0;
      const seen = await readUsers(client, users, undefined, 'm');
      assert.equal(reads, userReads(users, 'm'));
      assert.equal(reads, 2, 'the range read, and alice (outside the prefix) by id');
      assert.deepEqual(Object.keys(seen).sort(), ['alice', 'couchmesh-repl-a', 'couchmesh-repl-old']);
      assert.equal(seen['couchmesh-repl-a']?.password_ok, true);
      assert.equal(seen.alice?.password_ok, false);
      assert.equal(seen.alice?.mesh, undefined);
      assert.deepEqual(seen['couchmesh-repl-old'], {
        rev: seen['couchmesh-repl-old']?.rev,
        roles: ['couchmesh-replicator'],
        password_ok: false,
        mesh: 'm',
      });
      // without a mesh (the routed legs' users): the desired ones only
      assert.deepEqual(Object.keys(await readUsers(client, [want('couchmesh-repl-a')])), [
        'couchmesh-repl-a',
      ]);
    } finally {
      await client.close();
      await node.close();
    }
  });
});

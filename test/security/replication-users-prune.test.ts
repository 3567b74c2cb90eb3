// SECURITY (least privilege): replication users no longer desired are pruned like managed docs. Three
// embedded nodes, links a--b and b--c carrying sensors. Per node -> per link leaves
// `couchmesh-repl-<node>` users (and their shared role in `_security`) behind: plan lists them as kept
// without --prune; apply --prune takes the role out, then deletes them. A user of another mesh with the
// same prefix, and one made by hand, are never touched. Removing link b--c then prunes its user on b and
// c, and its name from c's copy of sensors (c carries no database any more: left admin-only, never public).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../../src/node/index.ts';
import { applyOperation } from '../../src/ops/apply.ts';
import { planOperation } from '../../src/ops/plan.ts';
import type { Json, TestNode } from '../topology/helpers.ts';

const ADMIN = 'prune-admin-pw-2c9d';
const NAMES = ['a', 'b', 'c'] as const;
const AB = 'couchmesh-repl-a--b';
const BC = 'couchmesh-repl-b--c';
const yes = async () => true;
const STALE = [
  'couchmesh-repl-a@a',
  'couchmesh-repl-a@b',
  'couchmesh-repl-b@a',
  'couchmesh-repl-b@b',
  'couchmesh-repl-b@c',
  'couchmesh-repl-c@b',
  'couchmesh-repl-c@c',
];

describe('stale replication users are pruned (embedded nodes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-repl-prune-'));
  const file = join(dir, 'mesh.yaml');
  const env: Record<string, string> = {
    P: ADMIN,
    REPL_A: 'a-secret',
    REPL_B: 'b-secret',
    REPL_C: 'c-secret',
    REPL_A__B: 'ab-secret',
    REPL_B__C: 'bc-secret',
  };
  const deps = () => ({ env, client: { retries: 0, timeoutMs: 5000 } });
  const nodes = new Map<string, TestNode>();
  const url = (n: string) => nodes.get(n)?.url as string;
  const req = async (n: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url(n)}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  const userStatus = async (n: string, name: string) =>
    (await req(n, 'GET', `/_users/org.couchdb.user:${name}`)).status;
  const members = async (n: string, db = 'sensors') => (await req(n, 'GET', `/${db}/_security`)).body.members;
  const mesh = (users: string, links: string[]) => {
    const auth = '{ username: admin, password_env: P }';
    writeFileSync(
      file,
      `mesh: pr\nnodes:\n${NAMES.map((n) => `  ${n}: { url: "${url(n)}", auth: ${auth} }`).join('\n')}\n` +
        `databases: [sensors]\ndefaults: { class: lan }\nlinks:\n${links.map((l) => `  - ${l}`).join('\n')}\n` +
        `replication_users: ${users}\n`,
    );
  };
  const deletes = (actions: Json[]) =>
    actions
      .filter((a) => a.kind === 'delete-user')
      .map((a) => `${a.name}@${a.node}`)
      .sort();

  before(async () => {
    for (const n of NAMES) {
      const node = await startNode({ port: 0, inMemory: true, admins: { admin: ADMIN } });
      nodes.set(n, node);
      // fewer pbkdf2 iterations than CouchDB's 600,000: the test hashes many passwords
      await req(n, 'PUT', '/_node/_local/_config/chttpd_auth/iterations', '1000');
      await req(n, 'PUT', '/_users');
    }
    // same prefix, not ours: another mesh's user, and one made by hand
    for (const [name, marker] of [
      ['couchmesh-repl-x', { couchmesh: { mesh: 'other' } }],
      ['couchmesh-repl-hand', {}],
    ] as const)
      await req('b', 'PUT', `/_users/org.couchdb.user:${name}`, {
        name,
        password: 'not-ours',
        roles: ['couchmesh-replicator'],
        type: 'user',
        ...marker,
      });
    mesh('{ password_env: "REPL_{NODE}" }', ['[a, b]', '[b, c]']);
  });
  after(async () => {
    await Promise.all([...nodes.values()].map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('per node: apply creates the node users, members by the shared role', async () => {
    const r = await applyOperation({ file }, deps(), yes);
    assert.equal(r.outcome?.ok, true, JSON.stringify(r.outcome?.plan.errors));
    for (const n of NAMES) assert.equal(await userStatus(n, `couchmesh-repl-${n}`), 200, n);
    assert.deepEqual((await members('b')).roles, ['couchmesh-replicator']);
    const again = await planOperation({ file, prune: true }, deps());
    assert.deepEqual(again.view.actions, [], 'nothing stale: --prune deletes nothing');
    // b holds three users: all read in one `_users` range read (+ _all_dbs, _replicator, sensors/_security)
    assert.deepEqual(again.view.nodes.find((n) => n.node === 'b')?.requests, { reads: 4, writes: 0 });
  });

  it('per node -> per link without --prune: the node users are listed as kept, none deleted', async () => {
    mesh('{ per: link, password_env: "REPL_{LINK}" }', ['[a, b]', '[b, c]']);
    const r = await applyOperation({ file }, deps(), yes);
    assert.equal(r.outcome?.ok, true, JSON.stringify(r.outcome?.plan.errors));
    assert.deepEqual(deletes(r.outcome?.plan.actions ?? []), []);
    const plan = await planOperation({ file }, deps());
    const kept = (plan.view.kept_users ?? []).map((u) => `${u.name}@${u.node}`).sort();
    // pulled (lan): each direction's target drives it, its user on both ends of the link
    assert.deepEqual(kept, STALE);
    const text = JSON.stringify(plan.view);
    assert.ok(!text.includes('couchmesh-repl-x') && !text.includes('couchmesh-repl-hand'), 'not ours');
    for (const n of NAMES) assert.equal(await userStatus(n, `couchmesh-repl-${n}`), 200, n);
    assert.equal(plan.view.summary.destroy, 0);
    // the declared `_security` lists only desired users: the shared role left with the switch
    assert.deepEqual(await members('b'), { names: [AB, BC], roles: [] });
  });

  it('apply --prune: the node users are deleted, the shared role is out of _security; others untouched', async () => {
    const plan = await planOperation({ file, prune: true }, deps());
    assert.deepEqual(deletes(plan.view.actions), STALE);
    assert.equal(plan.view.kept_users, undefined);
    const r = await applyOperation({ file, prune: true }, deps(), yes);
    assert.equal(r.outcome?.ok, true, JSON.stringify(r.outcome?.nodes));
    for (const n of NAMES)
      for (const o of NAMES) assert.equal(await userStatus(n, `couchmesh-repl-${o}`), 404, `${o} on ${n}`);
    assert.equal(await userStatus('b', 'couchmesh-repl-x'), 200, 'another mesh`s user is kept');
    assert.equal(await userStatus('b', 'couchmesh-repl-hand'), 200, 'a hand-made user is kept');
    assert.deepEqual(await members('b'), { names: [AB, BC], roles: [] });
    assert.deepEqual(await members('a'), { names: [AB], roles: [] });
    const again = await planOperation({ file, prune: true }, deps());
    assert.deepEqual(again.view.actions, [], 'a second plan --prune does nothing');
  });

  it('a link removed: its user goes on both nodes, and out of the database c no longer carries', async () => {
    mesh('{ per: link, password_env: "REPL_{LINK}" }', ['[a, b]']);
    const plan = await planOperation({ file, prune: true }, deps());
    // c's sensors is declared nowhere now: its `_security` goes first (apply's phase 1), the users after
    const lines = plan.view.actions.map((a) => `${a.kind}@${a.node}`);
    assert.ok(lines.indexOf('set-security@c') >= 0, lines.join());
    assert.ok(lines.indexOf('set-security@c') < lines.indexOf('delete-user@c'), lines.join());
    const r = await applyOperation({ file, prune: true }, deps(), yes);
    assert.equal(r.outcome?.ok, true, JSON.stringify(r.outcome?.nodes));
    assert.deepEqual(deletes(r.outcome?.plan.actions ?? []), [`${BC}@b`, `${BC}@c`]);
    assert.equal(await userStatus('b', BC), 404);
    assert.equal(await userStatus('c', BC), 404);
    assert.equal(await userStatus('b', AB), 200);
    assert.deepEqual(await members('b'), { names: [AB], roles: [] });
    // no member left: admin-only (CouchDB 3's default), never public
    assert.deepEqual(await members('c'), { names: [], roles: ['_admin'] });
    const anon = await fetch(`${url('c')}/sensors/_all_docs`);
    await anon.arrayBuffer();
    assert.equal(anon.status, 401);
    const again = await planOperation({ file, prune: true }, deps());
    assert.deepEqual(again.view.actions, []);
  });
});

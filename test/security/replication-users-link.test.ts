// SECURITY: replication users per link on three embedded nodes. `a--b` carries sensors and billing,
// `b--c` sensors only. With `replication_users: { per: link, password_env: "REPL_{LINK}" }` apply
// creates `couchmesh-repl-a--b` on a and b and `couchmesh-repl-b--c` on b and c (no role), lists each
// by name as a member of exactly the databases its link carries, and each link's docs carry its
// own user only. `b--c`'s user reads sensors on b but is refused billing there (403 by `_security`);
// data flows a -> b -> c. Rotation works per link; doctor flags a link user with admin rights;
// destroy deletes the users this mesh created (a same-name user made by hand is kept) and takes
// their names out of `_security`, leaving a database admin-only rather than public.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../../src/node/index.ts';
import { applyOperation } from '../../src/ops/apply.ts';
import { destroyOperation } from '../../src/ops/destroy.ts';
import { doctorOperation } from '../../src/ops/doctor.ts';
import { MeshInvalidError, openMesh } from '../../src/ops/mesh.ts';
import { planOperation } from '../../src/ops/plan.ts';
import { rotateOperation } from '../../src/ops/rotate.ts';
import { type Json, poll, type TestNode } from '../topology/helpers.ts';

const ADMIN = 'link-admin-pw-7f3a';
const NAMES = ['a', 'b', 'c'] as const;
const AB = 'couchmesh-repl-a--b';
const BC = 'couchmesh-repl-b--c';
const yes = async () => true;

describe('replication users per link (embedded nodes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-repl-link-'));
  const file = join(dir, 'mesh.yaml');
  const env: Record<string, string> = { P: ADMIN, REPL_A__B: 'ab-secret-1', REPL_B__C: 'bc-secret-1' };
  const deps = () => ({ env, client: { retries: 0, timeoutMs: 5000 } });
  const nodes = new Map<string, TestNode>();
  const url = (n: string) => nodes.get(n)?.url as string;
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const req = async (
    n: string,
    method: string,
    path: string,
    body?: unknown,
    auth = basic('admin', ADMIN),
  ) => {
    const res = await fetch(`${url(n)}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  const readAs = async (n: string, db: string, user: string, pw: string) =>
    (await req(n, 'GET', `/${db}/_all_docs`, undefined, basic(user, pw))).status;

  before(async () => {
    for (const n of NAMES) {
      const node = await startNode({ port: 0, inMemory: true, admins: { admin: ADMIN } });
      nodes.set(n, node);
      // fewer pbkdf2 iterations than CouchDB's 600,000: the test hashes many passwords
      await req(n, 'PUT', '/_node/_local/_config/chttpd_auth/iterations', '1000');
    }
    const auth = '{ username: admin, password_env: P }';
    writeFileSync(
      file,
      `mesh: lk\nnodes:\n${NAMES.map((n) => `  ${n}: { url: "${url(n)}", auth: ${auth} }`).join('\n')}\n` +
        'databases: [sensors, billing]\ndefaults: { class: lan }\n' +
        'links:\n  - [a, b]\n  - { between: [b, c], databases: [sensors] }\n' +
        'replication_users: { per: link, password_env: "REPL_{LINK}" }\n',
    );
    // a user of the same name made by hand on a (same password): apply uses it, destroy keeps it
    await req('a', 'PUT', '/_users', undefined);
    await req('a', 'PUT', `/_users/org.couchdb.user:${AB}`, {
      name: AB,
      password: env.REPL_A__B,
      roles: [],
      type: 'user',
    });
  });
  after(async () => {
    await Promise.all([...nodes.values()].map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('plan shows one user per link on its two nodes; apply: each link`s docs carry its user only', async () => {
    const plan = await planOperation({ file }, deps());
    const users = plan.view.actions.filter((a) => a.kind === 'set-user');
    assert.deepEqual(users.map((a) => `${a.kind === 'set-user' && a.name}@${a.node}`).sort(), [
      `${AB}@b`,
      `${BC}@b`,
      `${BC}@c`,
    ]);
    assert.ok(!JSON.stringify(plan).includes('secret-1'), 'no replication password in the plan');

    const r = await applyOperation({ file }, deps(), yes);
    assert.equal(r.outcome?.ok, true, JSON.stringify(r.outcome?.plan.errors));
    const docs: Json[] = [];
    for (const n of NAMES) {
      const all = await req(n, 'GET', '/_replicator/_all_docs?include_docs=true');
      docs.push(...all.body.rows.filter((x: Json) => !x.id.startsWith('_design/')).map((x: Json) => x.doc));
    }
    assert.equal(docs.length, 6); // a--b: 2 dbs x 2 directions; b--c: 1 db x 2
    assert.ok(!JSON.stringify(docs).includes(ADMIN), 'no admin password in any _replicator doc');
    for (const d of docs) {
      const want = `couchmesh-repl-${d.couchmesh.link}`;
      assert.equal(d.source.auth.basic.username, want, d._id);
      assert.equal(d.target.auth.basic.username, want, d._id);
    }
    const user = await req('c', 'GET', `/_users/org.couchdb.user:${BC}`);
    assert.deepEqual(user.body.roles, []);
    assert.deepEqual(user.body.couchmesh, { mesh: 'lk' });
    // _security: members by name, exactly the links carrying the database on that node
    const members = async (n: string, db: string) => (await req(n, 'GET', `/${db}/_security`)).body.members;
    assert.deepEqual((await members('b', 'sensors')).names, [AB, BC]);
    assert.deepEqual((await members('b', 'billing')).names, [AB]);
    assert.deepEqual((await members('c', 'sensors')).names, [BC]);
    assert.equal((await req('c', 'GET', '/billing')).status, 404, 'b--c carries no billing');

    const again = await planOperation({ file }, deps());
    assert.deepEqual(again.view.actions, [], 'a second plan does nothing');
  });

  it('a link`s user reads its databases and is refused another link`s (403); data flows', async () => {
    assert.equal(await readAs('b', 'sensors', BC, env.REPL_B__C as string), 200);
    assert.equal(await readAs('b', 'billing', BC, env.REPL_B__C as string), 403);
    assert.equal(await readAs('b', 'billing', AB, env.REPL_A__B as string), 200);
    // the a--b user does not exist on c at all
    assert.equal(await readAs('c', 'sensors', AB, env.REPL_A__B as string), 401);

    await req('a', 'PUT', '/sensors/s-1', { v: 1 });
    await req('a', 'PUT', '/billing/b-1', { v: 1 });
    await poll('s-1 on c', async () =>
      (await req('c', 'GET', '/sensors/s-1')).status === 200 ? true : undefined,
    );
    await poll('b-1 on b', async () =>
      (await req('b', 'GET', '/billing/b-1')).status === 200 ? true : undefined,
    );
  });

  it('rotate-credentials rotates one link`s user on its two nodes', async () => {
    env.REPL_B__C = 'bc-secret-2';
    const r = await rotateOperation({ file }, deps(), yes);
    assert.equal(r.outcome?.ok, true);
    const kinds = r.outcome?.plan.actions.map((a) => `${a.kind}@${a.node}`).sort();
    assert.deepEqual(kinds, ['set-user@b', 'set-user@c', 'update-doc@b', 'update-doc@c']);
    assert.equal(await readAs('c', 'sensors', BC, 'bc-secret-2'), 200);
    assert.equal(await readAs('c', 'sensors', BC, 'bc-secret-1'), 401);
    await req('b', 'PUT', '/sensors/s-2', { v: 2 });
    await poll('s-2 on c', async () =>
      (await req('c', 'GET', '/sensors/s-2')).status === 200 ? true : undefined,
    );
  });

  it('doctor: a link user with admin rights is a critical finding', async () => {
    // an admin of the same name and password on c (CouchDB checks `[admins]` before `_users`)
    await req('c', 'PUT', `/_node/_local/_config/admins/${BC}`, env.REPL_B__C);
    const r = await doctorOperation({ file, samples: 1, intervalMs: 0 }, deps());
    const f = r.security.filter((x) => x.rule === 'replication-user-admin');
    assert.deepEqual(
      f.map((x) => x.node),
      ['c'],
      JSON.stringify(r.security),
    );
    assert.match(f[0]?.message ?? '', new RegExp(BC));
    assert.ok(!JSON.stringify(r).includes('bc-secret-2'));
    await req('c', 'DELETE', `/_node/_local/_config/admins/${BC}`);
  });

  it('destroy deletes the users it created and their _security names; a hand-made user is kept', async () => {
    const plan = await destroyOperation({ file }, deps(), async () => false);
    const lines = plan.outcome?.plan.actions.map((a) =>
      a.kind === 'delete-user' ? `delete-user ${a.name}@${a.node}` : `${a.kind}@${a.node}`,
    );
    assert.ok(lines?.includes(`delete-user ${AB}@b`));
    assert.ok(!lines?.includes(`delete-user ${AB}@a`), 'a user couchmesh did not create is never touched');
    assert.equal(plan.outcome?.plan.summary.destroy, 6 + 3);

    const r = await destroyOperation({ file }, deps(), yes);
    assert.equal(r.outcome?.ok, true);
    assert.equal((await req('b', 'GET', `/_users/org.couchdb.user:${AB}`)).status, 404);
    assert.equal((await req('c', 'GET', `/_users/org.couchdb.user:${BC}`)).status, 404);
    assert.equal((await req('a', 'GET', `/_users/org.couchdb.user:${AB}`)).status, 200);
    const sec = (await req('b', 'GET', '/sensors/_security')).body;
    // no member left: admin-only (CouchDB 3's default), never public
    assert.deepEqual(sec.members, { names: [], roles: ['_admin'] });
    const anon = await fetch(`${url('b')}/sensors/_all_docs`);
    await anon.arrayBuffer();
    assert.equal(anon.status, 401);
    // the data and databases are kept
    assert.equal((await req('c', 'GET', '/sensors/s-1')).status, 200);
    const left = await destroyOperation({ file }, deps(), yes);
    assert.deepEqual(left.outcome?.plan.actions, [], 'a second destroy does nothing');
  });

  it('without the replication passwords: plan names each missing variable; status-like opens still work', async () => {
    const bare = { env: { P: ADMIN }, client: { retries: 0 } };
    const e = await planOperation({ file }, bare).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof MeshInvalidError);
    const d = e.validation.diagnostics.find((x) => x.code === 'E_CREDENTIAL_ENV');
    assert.match(d?.message ?? '', /variables not set: REPL_A__B, REPL_B__C$/);
    // status, doctor, metrics never use those passwords: they open the mesh all the same
    const opened = openMesh({ file }, bare);
    assert.equal(opened.ok, true);
    if (opened.ok) await opened.mesh.close();
  });
});

// SECURITY least-privilege replication users on the seed mesh of four embedded nodes: with
// `replication_users:` apply creates `couchmesh-repl-<node>` users (role couchmesh-replicator) on every
// node they reach, adds the role to each mesh database's `_security` members, and the `_replicator`
// docs carry those users, never the admin password; data flows; a non-member is refused (403) while
// a replication user reads; rotating a replication user's password keeps the job's checkpoints (the
// replication id excludes credentials: couch_replicator_ids), so nothing is re-scanned from 0.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cli, DB, type Json, poll, SeedMesh, seedId } from '../topology/helpers.ts';

const NODES = ['n1', 'n2', 'n3', 'n4'];
const REPL_ENV = NODES.map((n) => `REPL_${n.toUpperCase()}`);

/** GET as a user (basic auth) on a node's URL. */
async function getAs(url: string, user: string, password: string): Promise<number> {
  const res = await fetch(`${url}/${DB}/_all_docs`, {
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('replication users on embedded nodes', () => {
  const mesh = new SeedMesh();
  const pw = (n: string) => process.env[`REPL_${n.toUpperCase()}`] as string;
  before(async () => {
    for (const v of REPL_ENV) process.env[v] = `${v.toLowerCase()}-secret-1`;
    await mesh.start();
    // fewer pbkdf2 iterations than CouchDB's 600,000: the test hashes and verifies many passwords
    for (const n of NODES) await mesh.ok(n, 'PUT', '/_node/_local/_config/chttpd_auth/iterations', '1000');
    mesh.text += '\nreplication_users: { password_env: "REPL_{NODE}" }\n';
    writeFileSync(mesh.file, mesh.text);
    await mesh.ok('n1', 'PUT', '/_users/org.couchdb.user:outsider', {
      name: 'outsider',
      password: 'outsider-pw',
      roles: [],
      type: 'user',
    });
  });
  after(async () => {
    for (const v of REPL_ENV) delete process.env[v];
    await mesh.close();
  });

  it('apply creates the users and docs carrying them, never the admin password; data flows; re-plan is a no-op', async () => {
    const plan = await cli(mesh, ['plan', '-f', mesh.file]);
    assert.equal(plan.code, 0, plan.o.all);
    assert.match(
      plan.o.stdout,
      /\+ user couchmesh-repl-n2 on n1 \(new, role couchmesh-replicator, password \(sensitive\)\)/,
    );
    assert.match(plan.o.stdout, /~ security sensors on n1: members\.roles \[\] -> \[couchmesh-replicator\]/);
    assert.ok(!plan.o.all.includes(pw('n1')), 'a replication password is never shown');
    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 0, o.all);
    assert.ok(!o.all.includes(pw('n2')));

    const docs: Json[] = [];
    for (const n of NODES) docs.push(...(await mesh.replicator(n)).values());
    assert.equal(docs.length, 10);
    const text = JSON.stringify(docs);
    assert.ok(!text.includes(mesh.password), 'no admin password in any _replicator doc');
    for (const x of docs)
      for (const e of [x.source, x.target]) assert.notEqual(e.auth.basic.username, 'admin');
    // n1 -> n2 is pulled by n2: both endpoints as n2's replication user
    const d = docs.find((x) => x._id === seedId('n1', 'n2'));
    assert.equal(d.source.auth.basic.username, 'couchmesh-repl-n2');
    assert.equal(d.target.auth.basic.username, 'couchmesh-repl-n2');
    const user = await mesh.ok('n1', 'GET', '/_users/org.couchdb.user:couchmesh-repl-n2');
    assert.deepEqual(user.roles, ['couchmesh-replicator']);

    // data flows n1 -> n3 -> n4 as replication users
    await mesh.ok('n1', 'PUT', `/${DB}/flow-1`, { v: 1 });
    await poll('flow-1 on n4', async () =>
      (await mesh.request(mesh.url('n4'), 'GET', `/${DB}/flow-1`)).status === 200 ? true : undefined,
    );

    const again = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(again.code, 0, again.o.all);
  });

  it('a non-member is refused by _security (403); a replication user reads', async () => {
    assert.equal(await getAs(mesh.url('n1'), 'outsider', 'outsider-pw'), 403);
    assert.equal(await getAs(mesh.url('n1'), 'couchmesh-repl-n2', pw('n2')), 200);
  });

  it('rotating a replication password keeps replicating, resuming from the checkpoint (no re-scan from 0)', async () => {
    const id = seedId('n1', 'n2');
    for (let i = 0; i < 20; i++) await mesh.ok('n1', 'PUT', `/${DB}/before-${i}`, { i });
    const last = (await mesh.ok('n1', 'GET', `/${DB}`)).update_seq;
    const sched = () => mesh.ok('n2', 'GET', `/_scheduler/docs/_replicator/${id}`);
    const ckpt = await poll('n1 -> n2 checkpointed', async () => {
      const s = await sched();
      return s.info?.checkpointed_source_seq === last ? s : undefined;
    });

    process.env.REPL_N2 = `${pw('n2')}-rotated`;
    const plan = await cli(mesh, ['plan', '-f', mesh.file]);
    assert.match(plan.o.stdout, /~ user couchmesh-repl-n2 on n1 \(rotate password, password \(sensitive\)\)/);
    assert.match(plan.o.stdout, /~ rotate credentials for n2 on/);
    // an unrelated change waits for apply: rotate-credentials writes only the rotation
    await mesh.ok('n3', 'PUT', `/${DB}/_security`, { members: { roles: ['couchmesh-replicator', 'x'] } });
    const { code, o } = await cli(mesh, ['rotate-credentials', '-f', mesh.file, '--yes']);
    assert.equal(code, 0, o.all);
    assert.ok(!o.all.includes(pw('n2')), 'the new password is never shown');
    assert.doesNotMatch(o.stdout, /security sensors on n3/);
    assert.equal(await getAs(mesh.url('n1'), 'couchmesh-repl-n2', pw('n2')), 200);

    await mesh.ok('n1', 'PUT', `/${DB}/after-1`, { v: 1 });
    await poll('after-1 on n2', async () =>
      (await mesh.request(mesh.url('n2'), 'GET', `/${DB}/after-1`)).status === 200 ? true : undefined,
    );
    const now = await sched();
    // same replication id (the password is not part of it), so the same `_local` checkpoint doc
    assert.equal(now.id, ckpt.id);
    const base = String(now.id).split('+')[0];
    assert.equal((await mesh.request(mesh.url('n1'), 'GET', `/${DB}/_local/${base}`)).status, 200);
    // the doc now carries the new password, and its job (restarted: a new definition) resumed from
    // the checkpoint: its stats continue from the checkpoint history (CouchDB restores them) with
    // exactly the one new revision checked; a re-scan from 0 would check all 22 again
    assert.equal((await mesh.replicator('n2')).get(id).source.auth.basic.password, pw('n2'));
    assert.notEqual(now.info.checkpointed_source_seq, '0');
    assert.equal(now.info.revisions_checked, ckpt.info.revisions_checked + 1);
    // what is left is the unrelated change only
    const left = await cli(mesh, ['plan', '-f', mesh.file, '--json']);
    assert.deepEqual(
      JSON.parse(left.o.stdout).actions.map((a: Json) => `${a.kind} ${a.node}`),
      ['set-security n3'],
    );
  });

  it('rotate-credentials on a mesh without replication users is refused with a hint', async () => {
    writeFileSync(mesh.file, mesh.text.replace(/\nreplication_users:.*\n/, '\n'));
    const { code, o } = await cli(mesh, ['rotate-credentials', '-f', mesh.file, '--yes']);
    assert.equal(code, 1, o.all);
    assert.match(o.stderr, /declares no replication_users/);
  });
});

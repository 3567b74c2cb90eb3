// SECURITY `_security` as code, on the seed mesh of four embedded nodes: mesh.yaml declares members
// role `readers` on sensors; apply sets it on every node (right after creating the database); a user
// without the role is refused by `_security` (403) while a member reads; a hand-edited `_security`
// is drift: plan shows it, `--detailed-exitcode` exits 2 while it differs, apply puts it back.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cli, DB, SeedMesh } from './helpers.ts';

const NODES = ['n1', 'n2', 'n3', 'n4'];
const READERS = { admins: { names: [], roles: [] }, members: { names: [], roles: ['readers'] } };

/** GET as a user (basic auth) on a node's URL. */
async function getAs(url: string, user: string, password: string): Promise<number> {
  const res = await fetch(`${url}/${DB}/_all_docs`, {
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('_security as code on embedded nodes', () => {
  const mesh = new SeedMesh();
  before(async () => {
    await mesh.start();
    mesh.text = mesh.text.replace(
      'databases:\n  - sensors\n',
      'databases:\n  - { name: sensors, security: { members: { roles: [readers] } } }\n',
    );
    assert.match(mesh.text, /security: \{ members/);
    writeFileSync(mesh.file, mesh.text);
    for (const [name, roles] of [
      ['reader', ['readers']],
      ['outsider', []],
    ] as const)
      await mesh.ok('n1', 'PUT', `/_users/org.couchdb.user:${name}`, {
        name,
        password: `${name}-pw`,
        roles,
        type: 'user',
      });
  });
  after(() => mesh.close());

  it('apply creates each database and sets its declared _security right after; a second plan is a no-op', async () => {
    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    assert.match(plan.o.stdout, /~ security sensors on n1: members\.roles \[\] -> \[readers\]/);
    assert.match(plan.o.stdout, /4 to set security,/);
    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 0, o.all);
    for (const n of NODES) assert.deepEqual(await mesh.ok(n, 'GET', `/${DB}/_security`), READERS, n);
    const again = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(again.code, 0, again.o.all);
  });

  it('a member reads; a user without the role is refused by _security (403)', async () => {
    assert.equal(await getAs(mesh.url('n1'), 'reader', 'reader-pw'), 200);
    assert.equal(await getAs(mesh.url('n1'), 'outsider', 'outsider-pw'), 403);
  });

  it('a hand-edited _security is drift: shown (text and --json), exit 2, put back by apply', async () => {
    await mesh.ok('n2', 'PUT', `/${DB}/_security`, { members: { names: ['outsider'], roles: [] } });
    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    assert.match(
      plan.o.stdout,
      /~ security sensors on n2: repairs drift: members\.names \[outsider\] -> \[\]/,
    );
    assert.match(
      plan.o.stdout,
      /! drift sensors\/_security on n2: members\.names is \[outsider\], declared \[\]/,
    );
    const json = await cli(mesh, ['plan', '-f', mesh.file, '--json']);
    const view = JSON.parse(json.o.stdout);
    assert.equal(view.summary.security, 1);
    assert.deepEqual(
      view.actions.map((a: { kind: string; node: string }) => `${a.kind} ${a.node}`),
      ['set-security n2'],
    );
    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 0, o.all);
    assert.match(o.stdout, /n2: applied 1 change/);
    assert.deepEqual(await mesh.ok('n2', 'GET', `/${DB}/_security`), READERS);
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode'])).code, 0);
  });
});

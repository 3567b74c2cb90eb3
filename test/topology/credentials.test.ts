// SECURITY must-show (credential-safe apply), on the seed mesh of four embedded nodes: one password
// reference is wrong for n1 and n2 -> they answer 401 while observed, get no writes, and no other
// node gets a `_replicator` doc carrying that password (read back with the admin on every node);
// exit 1 with the reasons and the file to check. Fixing the file converges; a password changed by
// hand in a doc is put back as a credential rotation, not a generic update.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyOperation } from '../../src/ops/apply.ts';
import { cli, DB, type Json, RequestLog, SeedMesh, seedId } from './helpers.ts';

const NODES = ['n1', 'n2', 'n3', 'n4'];

describe('credential-safe apply: a wrong password reference for n1 and n2', () => {
  const mesh = new SeedMesh();
  const wrong = `wrong-${randomBytes(9).toString('hex')}`;
  let pwFile = '';
  let file = '';

  before(async () => {
    await mesh.start();
    pwFile = join(mesh.dir, 'edge.pw');
    file = join(mesh.dir, 'edge-mesh.yaml');
    // n1 and n2 read their password from a file; n3 and n4 keep COUCHMESH_PASSWORD
    let n = 0;
    const text = mesh.text.replace(/password_env: COUCHMESH_PASSWORD/g, (m) =>
      n++ < 2 ? `password_file: ${pwFile}` : m,
    );
    assert.equal(n, 4);
    writeFileSync(file, text);
  });
  after(() => mesh.close());

  /** Every `_replicator` doc of every node, as the admin reads them. */
  const allDocs = async (): Promise<Map<string, Json>> => {
    const out = new Map<string, Json>();
    for (const node of NODES)
      for (const [id, doc] of await mesh.replicator(node)) out.set(`${node} ${id}`, doc);
    return out;
  };

  it('writes the wrong password nowhere, nothing on n1 and n2, the rest; exit 1 naming the file to check', async () => {
    writeFileSync(pwFile, `${wrong}\n`);
    const { code, o } = await cli(mesh, ['apply', '-f', file, '--yes']);
    assert.equal(code, 1, o.all);
    assert.match(
      o.stdout,
      /Credentials refused \(nothing planned there; no doc carrying their credentials is written anywhere\):\n {2}n1 http:\/\/127\.0\.0\.1:\d+: E_COUCH_AUTH — /,
    );
    for (const node of ['n1', 'n2'])
      assert.match(
        o.stdout,
        new RegExp(
          `\\n {2}${node}: CREDENTIALS REFUSED, nothing written — E_COUCH_AUTH: .*\\n {4}hint: check the password of 'admin' in file ${pwFile.replace(/[.\\/]/g, '\\$&')} \\(${node} answered 401`,
        ),
      );
    assert.match(
      o.stdout,
      /n3: applied 2 changes; WITHHELD couchmesh\.seed\.sensors\.n2--n3 \(they carry n2's credentials, which n2 refused\); WITHHELD couchmesh\.seed\.sensors\.n1--n3 \(they carry n1's credentials, which n1 refused\)/,
    );
    assert.match(
      o.stdout,
      /n4: applied 2 changes; WITHHELD couchmesh\.seed\.sensors\.n2--n4 \(they carry n2's/,
    );
    assert.match(
      o.stderr,
      /couchmesh: apply failed: n1 refused couchmesh's credentials, n2 refused couchmesh's credentials, n3 has 2 blocked documents, n4 has 1 blocked document\n {2}hint: fix the listed nodes \(the credentials of n1, n2: /,
    );
    assert.doesNotMatch(o.all, new RegExp(wrong), 'the refused password is never shown');

    const docs = await allDocs();
    assert.deepEqual([...docs.keys()].sort(), [`n3 ${seedId('n4', 'n3')}`, `n4 ${seedId('n3', 'n4')}`]);
    for (const [where, doc] of docs) assert.doesNotMatch(JSON.stringify(doc), new RegExp(wrong), where);
    for (const node of ['n1', 'n2'])
      assert.equal(
        (await mesh.request(mesh.url(node), 'GET', `/${DB}`)).status,
        404,
        `nothing written on ${node}`,
      );

    const json = await cli(mesh, ['plan', '-f', file, '--json']);
    assert.equal(json.code, 1);
    const view = JSON.parse(json.o.stdout);
    assert.deepEqual(
      view.refused.map((r: Json) => [r.node, r.code]),
      [
        ['n1', 'E_COUCH_AUTH'],
        ['n2', 'E_COUCH_AUTH'],
      ],
    );
    assert.deepEqual(
      view.nodes.map((n: Json) => [n.node, n.reachable, n.refused === true]),
      [
        ['n1', true, true],
        ['n2', true, true],
        ['n3', true, false],
        ['n4', true, false],
      ],
    );
    assert.equal(view.errors.filter((e: Json) => e.withheld === 'refused').length, 3);
  });

  it('fixing the password file converges: every doc written, each with the right password', async () => {
    writeFileSync(pwFile, `${mesh.password}\n`);
    const { code, o } = await cli(mesh, ['apply', '-f', file, '--yes']);
    assert.equal(code, 0, o.all);
    const docs = await allDocs();
    assert.equal(docs.size, 10);
    for (const [where, doc] of docs) {
      assert.equal(doc.source.auth.basic.password, mesh.password, where);
      assert.equal(doc.target.auth.basic.password, mesh.password, where);
    }
    assert.equal((await cli(mesh, ['plan', '-f', file, '--detailed-exitcode'])).code, 0);
  });

  it('broken again: the docs carrying n1/n2 credentials are not updated with the wrong one; zero writes', async () => {
    writeFileSync(pwFile, wrong);
    const before = await allDocs();
    const log = new RequestLog();
    const r = await applyOperation({ file }, mesh.deps(log), async () => true);
    assert.equal(r.outcome.ok, false);
    assert.deepEqual(
      r.outcome.nodes.map((n) => [n.node, n.status]),
      [
        ['n1', 'refused'],
        ['n2', 'refused'],
        ['n3', 'blocked'],
        ['n4', 'blocked'],
      ],
    );
    assert.equal(log.writes(), 0, 'not one write on any node');
    assert.deepEqual(await allDocs(), before);
  });

  it('a password changed by hand in one doc is put back as a rotation, not a generic update', async () => {
    writeFileSync(pwFile, mesh.password);
    const id = seedId('n1', 'n3');
    const doc = await mesh.ok('n3', 'GET', `/_replicator/${id}`);
    doc.source.auth.basic.password = 'typed-by-hand';
    await mesh.ok('n3', 'PUT', `/_replicator/${id}`, doc);
    const plan = await cli(mesh, ['plan', '-f', file]);
    assert.equal(plan.code, 0, plan.o.all);
    assert.match(plan.o.stdout, /\n {2}~ rotate credentials for n1 on 1 doc \(on n3\)\n/);
    assert.doesNotMatch(plan.o.stdout, /~ update/);
    assert.match(
      plan.o.stdout,
      /Plan: 0 to create db, 0 to add, 0 to change, 1 to rotate credentials, 0 to destroy\./,
    );
    const json = JSON.parse((await cli(mesh, ['plan', '-f', file, '--json'])).o.stdout);
    assert.deepEqual(
      json.actions.map((a: Json) => [a.kind, a.node, a.change, a.rotates]),
      [['update-doc', 'n3', 'credentials', ['n1']]],
    );
    assert.equal(json.summary.rotate, 1);
    assert.equal(json.summary.change, 0);
    assert.equal((await cli(mesh, ['apply', '-f', file, '--yes'])).code, 0);
    assert.equal(
      (await mesh.ok('n3', 'GET', `/_replicator/${id}`)).source.auth.basic.password,
      mesh.password,
    );
  });
});

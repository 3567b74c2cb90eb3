// The node's own answers beside the CouchDB 3.5 fidelity fixes (test/conformance/cases/fidelity.ts
// holds CouchDB's answers): what this node does for design-doc handlers it does not implement (501
// naming the feature, where CouchDB would run its JavaScript query server), that `_compact` really
// checkpoints a file-backed db's WAL, `_dbs_info` paging and admin checks, and the base64 check
// mirroring Erlang's base64:decode.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isBase64 } from '../../src/node/engine/doc-parse.ts';
import { startNode } from '../../src/node/index.ts';

const AUTH = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
let node: Awaited<ReturnType<typeof startNode>>;
let dir: string;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      Authorization: AUTH,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cm-fidelity-'));
  node = await startNode({ port: 0, dataDir: dir, admins: { admin: 'admin' } });
  for (const db of ['alpha', 'beta', 'gamma']) assert.equal((await call('PUT', `/${db}`)).status, 201);
  await call('PUT', '/alpha/_design/d', { views: { v: { map: 'function (doc) { emit(doc._id); }' } } });
});

after(async () => {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('design-doc handlers this node does not run -> 501 naming the feature', () => {
  for (const [method, path, feature] of [
    ['GET', '/alpha/_design/d/_view/v', '_view'],
    ['POST', '/alpha/_design/d/_view/v', '_view'],
    ['GET', '/alpha/_design/missing/_view/v', '_view'],
    ['GET', '/alpha/_design/d/_list/l/v', '_list'],
    ['GET', '/alpha/_design/d/_show/s', '_show'],
    ['POST', '/alpha/_design/d/_update/u', '_update'],
    ['GET', '/alpha/_design/d/_rewrite/x', '_rewrite'],
    ['GET', '/alpha/_design/d/_info', '_info'],
  ] as const)
    test(`${method} ${path}`, async () => {
      const r = await call(method, path, method === 'POST' ? {} : undefined);
      assert.equal(r.status, 501);
      assert.equal(r.json?.error, 'not_implemented');
      assert.match(
        String(r.json?.reason),
        new RegExp(`\\(${feature}\\) are not implemented by the couchmesh node`),
      );
    });

  test('an attachment of a design doc is still served', async () => {
    const put = await call(
      'PUT',
      `/alpha/_design/d/file.txt?rev=${(await call('GET', '/alpha/_design/d')).json?._rev}`,
      'x',
      {
        'Content-Type': 'text/plain',
      },
    );
    assert.equal(put.status, 201);
    assert.equal(
      (await fetch(`${node.url}/alpha/_design/d/file.txt`, { headers: { Authorization: AUTH } })).status,
      200,
    );
  });
});

describe('_compact', () => {
  test('checkpoints the WAL into the main file (the -wal file is truncated)', async () => {
    for (let i = 0; i < 50; i++) await call('PUT', `/beta/d${i}`, { i, pad: 'x'.repeat(500) });
    const wal = join(dir, ...findWal('beta'));
    assert.ok(statSync(wal).size > 0, 'writes went to the WAL');
    assert.deepEqual(await call('POST', '/beta/_compact', {}), { status: 202, json: { ok: true } });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(statSync(wal).size, 0);
    assert.equal((await call('GET', '/beta')).json?.doc_count, 50);
  });

  test('_compact/{ddoc} -> 202, GET -> 405, missing db -> 404', async () => {
    assert.equal((await call('POST', '/alpha/_compact/d', {})).status, 202);
    assert.equal((await call('GET', '/alpha/_compact')).status, 405);
    assert.equal((await call('POST', '/nope/_compact', {})).status, 404);
  });
});

/** The path of a db's `-wal` file, relative to the data folder. */
function findWal(db: string): string[] {
  const store = node.state.get(db)?.store.db;
  assert.ok(store);
  return [`${store.name.slice(dir.length + 1)}-wal`];
}

describe('_dbs_info', () => {
  test('GET pages like _all_dbs', async () => {
    const keys = async (q: string) =>
      ((await call('GET', `/_dbs_info${q}`)).json as unknown as Array<{ key: string }>).map((r) => r.key);
    assert.deepEqual(await keys('?startkey=%22alpha%22&endkey=%22gamma%22'), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(await keys('?startkey=%22alpha%22&endkey=%22gamma%22&inclusive_end=false'), [
      'alpha',
      'beta',
    ]);
    assert.deepEqual(await keys('?descending=true&startkey=%22gamma%22&endkey=%22alpha%22&limit=2&skip=1'), [
      'beta',
      'alpha',
    ]);
  });

  test('POST needs keys, application/json, at most 100 keys', async () => {
    assert.deepEqual((await call('POST', '/_dbs_info', {})).json, {
      error: 'bad_request',
      reason: '`keys` member must exist.',
    });
    assert.equal(
      (await call('POST', '/_dbs_info', '{"keys":[]}', { 'Content-Type': 'text/plain' })).status,
      415,
    );
    const many = Array.from({ length: 101 }, (_, i) => `db${i}`);
    assert.equal((await call('POST', '/_dbs_info', { keys: many })).status, 400);
  });

  test('anonymous -> 401 for _dbs_info and _membership', async () => {
    for (const [method, path] of [
      ['GET', '/_dbs_info'],
      ['POST', '/_dbs_info'],
      ['GET', '/_membership'],
    ]) {
      const r = await fetch(`${node.url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        ...(method === 'POST' ? { body: '{"keys":["alpha"]}' } : {}),
      });
      assert.equal(r.status, 401, `${method} ${path}`);
    }
  });

  test('a system database that does not exist is a database: 404 for its docs, created by PUT', async () => {
    // CouchDB 3.5: chttpd_db answers {not_found, "Database does not exist."}; not a 400 "Referer header required."
    assert.ok([200, 404].includes((await call('DELETE', '/_global_changes')).status));
    for (const path of ['/_global_changes', '/_global_changes/some-doc'])
      assert.deepEqual((await call('GET', path)).json, {
        error: 'not_found',
        reason: 'Database does not exist.',
      });
    assert.equal((await call('PUT', '/_global_changes')).status, 201);
    assert.equal((await call('GET', '/_global_changes')).status, 200);
    assert.equal((await call('DELETE', '/_global_changes')).status, 200);
    assert.equal((await call('GET', '/_nonsense')).json?.error, 'illegal_database_name');
  });

  test('_membership names this node as /_node does', async () => {
    const me = `couchmesh@${node.state.uuid}`;
    assert.deepEqual((await call('GET', '/_membership')).json, { all_nodes: [me], cluster_nodes: [me] });
  });
});

test('isBase64 follows base64:decode: alphabet, whitespace skipped, padding only at the end', () => {
  for (const ok of ['', 'aGVsbG8=', 'aGVsbA==', 'aGVs', 'aGVs\nbG8=', 'aGVsbG8']) assert.ok(isBase64(ok), ok);
  for (const bad of ['not base64!', 'aGVsbG8=x', 'a', '====', 'aGV-bG8=', 'aGVsbG8==='])
    assert.ok(!isBase64(bad), bad);
});

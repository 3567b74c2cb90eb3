import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../node/index.ts';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import { dbPath, docPath } from './url.ts';

type Node = Awaited<ReturnType<typeof startNode>>;

describe('CouchClient against the embedded node: JSON CRUD and error mapping', () => {
  let node: Node;
  let admin: CouchClient;

  before(async () => {
    node = await startNode({
      port: 0,
      inMemory: true,
      admins: { admin: 'admin' },
      users: { bob: { password: 'bobpw' } },
    });
    admin = new CouchClient({ url: node.url, auth: { username: 'admin', password: 'admin' }, retries: 0 });
  });
  after(async () => {
    await admin.close();
    await node.close();
  });

  it('creates a db, writes, reads, updates and deletes a doc', async () => {
    assert.deepEqual(await admin.put(dbPath('crud')), { ok: true });
    const created = await admin.put<{ ok: boolean; id: string; rev: string }>(docPath('crud', 'a'), { n: 1 });
    assert.equal(created.ok, true);
    assert.match(created.rev, /^1-[0-9a-f]{32}$/);
    const doc = await admin.get<{ _id: string; _rev: string; n: number }>(docPath('crud', 'a'));
    assert.deepEqual(doc, { _id: 'a', _rev: created.rev, n: 1 });
    const updated = await admin.put<{ rev: string }>(docPath('crud', 'a'), { ...doc, n: 2 });
    assert.match(updated.rev, /^2-/);
    const head = await admin.head(docPath('crud', 'a'));
    assert.equal(head.status, 200);
    assert.equal(head.headers.etag, `"${updated.rev}"`);
    const del = await admin.delete<{ ok: boolean }>(docPath('crud', 'a'), { rev: updated.rev });
    assert.equal(del.ok, true);
  });

  it('POSTs JSON, encodes JSON query params, and handles ids with slashes and _design/_local prefixes', async () => {
    await admin.put(dbPath('q'));
    const posted = await admin.post<{ id: string }>(dbPath('q'), { _id: 'x/y', v: 1 });
    assert.equal(posted.id, 'x/y');
    await admin.put(docPath('q', '_local/cp'), { seq: 1 });
    await admin.put(docPath('q', '_design/dd'), { views: {} });
    assert.equal((await admin.get<{ _id: string }>(docPath('q', 'x/y')))._id, 'x/y');
    assert.equal((await admin.get<{ seq: number }>(docPath('q', '_local/cp'))).seq, 1);
    const rows = await admin.get<{ rows: Array<{ id: string }> }>(`${dbPath('q')}/_all_docs`, { key: 'x/y' });
    assert.deepEqual(
      rows.rows.map((r) => r.id),
      ['x/y'],
    );
    const keys = await admin.post<{ rows: Array<{ key: string; error?: string }> }>(
      `${dbPath('q')}/_all_docs`,
      {
        keys: ['x/y', 'nope'],
      },
    );
    assert.deepEqual(
      keys.rows.map((r) => [r.key, r.error]),
      [
        ['x/y', undefined],
        ['nope', 'not_found'],
      ],
    );
  });

  it('low-level request returns non-2xx answers with body helpers instead of throwing', async () => {
    const res = await admin.request({ path: docPath('nodb', 'x') });
    assert.equal(res.status, 404);
    assert.equal(res.ok, false);
    assert.deepEqual(res.json(), { error: 'not_found', reason: 'Database does not exist.' });
    assert.equal(res.attempts, 1);
    const raw = await admin.request({ method: 'PUT', path: dbPath('rawbody'), body: '' });
    assert.equal(raw.status, 201);
    assert.match(raw.text(), /"ok":true/);
  });

  it('maps 404 to E_COUCH_NOT_FOUND with CouchDB error and reason', async () => {
    await admin.put(dbPath('errs'));
    const e = await admin.get(docPath('errs', 'missing')).catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.NOT_FOUND);
    assert.equal(e.status, 404);
    assert.equal(e.error, 'not_found');
    assert.equal(e.reason, 'missing');
    assert.equal(e.node, node.url);
    assert.equal(e.method, 'GET');
    assert.equal(e.path, '/errs/missing');
    assert.equal(e.kind, 'user');
    assert.match(e.message, /GET http:\/\/127\.0\.0\.1:\d+\/errs\/missing -> 404 not_found: missing/);
  });

  it('maps 409 to E_COUCH_CONFLICT', async () => {
    await admin.put(docPath('errs', 'c'), { v: 1 });
    const e = await admin.put(docPath('errs', 'c'), { v: 2 }).catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.CONFLICT);
    assert.equal(e.status, 409);
    assert.equal(e.error, 'conflict');
    assert.equal(e.reason, 'Document update conflict.');
  });

  it('maps 401 to E_COUCH_AUTH (wrong password, and anonymous on an admin-only endpoint)', async () => {
    const wrong = new CouchClient({ url: node.url, auth: { username: 'admin', password: 'nope' } });
    const e = await wrong.get('/_all_dbs').catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.AUTH);
    assert.equal(e.status, 401);
    assert.equal(e.error, 'unauthorized');
    assert.equal(e.reason, 'Name or password is incorrect.');
    assert.ok(e.hint);
    assert.equal(e.attempts, 1, '401 is not retried');
    await wrong.close();
    const anon = new CouchClient({ url: node.url });
    const e2 = await anon.get('/_node/_local/_config').catch((x: unknown) => x);
    assert.ok(e2 instanceof CouchError);
    assert.equal(e2.code, CouchErrorCode.AUTH);
    assert.equal(e2.reason, 'You are not a server admin.');
    await anon.close();
  });

  it('maps 403 to E_COUCH_FORBIDDEN and other 4xx to E_COUCH_HTTP', async () => {
    await admin.put(dbPath('members'));
    await admin.put(`${dbPath('members')}/_security`, { members: { names: ['someone'] } });
    const asBob = new CouchClient({ url: node.url, auth: { username: 'bob', password: 'bobpw' } });
    const e = await asBob.get(dbPath('members')).catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.FORBIDDEN);
    assert.equal(e.status, 403);
    const e2 = await admin.put(dbPath('errs')).catch((x: unknown) => x);
    assert.ok(e2 instanceof CouchError);
    assert.equal(e2.code, CouchErrorCode.HTTP);
    assert.equal(e2.status, 412);
    assert.equal(e2.error, 'file_exists');
    await asBob.close();
  });

  it('rejects bad request options at the boundary', async () => {
    await assert.rejects(admin.request({ path: 'no-slash' }), { code: CouchErrorCode.OPTION });
    await assert.rejects(admin.request({ method: 'BREW' as 'GET', path: '/' }), {
      code: CouchErrorCode.OPTION,
    });
    await assert.rejects(admin.request({ path: '/', retries: -1 }), { code: CouchErrorCode.OPTION });
    await assert.rejects(admin.request({ path: '/', timeoutMs: 0 }), { code: CouchErrorCode.OPTION });
  });

  it('joins a query in the path with query options; streams a body on request', async () => {
    await admin.put(docPath('q', 'z'), { v: 2 });
    const res = await admin.request({
      path: `${dbPath('q')}/_all_docs?limit=1`,
      query: { include_docs: true },
    });
    const rows = res.json<{ rows: Array<{ doc?: object }> }>().rows;
    assert.equal(rows.length, 1);
    assert.ok(rows[0]?.doc);
    const streamed = await admin.request({ path: '/', stream: true });
    assert.equal(streamed.status, 200);
    const chunks: Buffer[] = [];
    for await (const chunk of streamed.body) chunks.push(chunk as Buffer);
    assert.equal(JSON.parse(Buffer.concat(chunks).toString()).couchdb, 'Welcome');
  });

  it('refuses requests after close()', async () => {
    const c = new CouchClient({ url: node.url });
    await c.get('/');
    await c.close();
    assert.equal(c.closed, true);
    await assert.rejects(c.get('/'), { code: CouchErrorCode.CLOSED });
  });
});

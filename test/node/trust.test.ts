// NODE-TRUST: the attacks of the issue, run against a node started with an admin, now doing no harm.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startNode } from '../../src/node/index.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const ADMIN = basic('admin', 'admin');
const MESH_PASSWORD = 'Mx7-secret';

let node: Awaited<ReturnType<typeof startNode>>;
async function call(method: string, path: string, body?: unknown, auth?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = auth;
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

before(async () => {
  node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
  // the kind of doc `couchmesh apply` writes: a peer's admin password in auth.basic
  const rep = {
    source: { url: 'http://127.0.0.1:1/a', auth: { basic: { username: 'admin', password: MESH_PASSWORD } } },
    target: 'http://127.0.0.1:1/b',
    continuous: true,
  };
  assert.equal((await call('PUT', '/_replicator/mesh-a-b', rep, ADMIN)).status, 201);
  // a user, and `_replicator` opened to it by an admin (the widest access CouchDB allows a user)
  const bob = { name: 'bob', password: 'bobpw', roles: [], type: 'user' };
  assert.equal((await call('PUT', '/_users/org.couchdb.user:bob', bob, ADMIN)).status, 201);
  const sec = { members: { names: ['bob'], roles: [] } };
  assert.equal((await call('PUT', '/_replicator/_security', sec, ADMIN)).status, 200);
});
after(() => node.close());

describe('no password oracle', () => {
  const probe = (prefix: string, auth?: string) =>
    call(
      'POST',
      '/_replicator/_changes?filter=_selector',
      { selector: { 'source.auth.basic.password': { $regex: `^${prefix}` } } },
      auth,
    );

  test('anonymous: every probe is refused (401) before any matching', async () => {
    for (const c of ['M', 'x', '']) assert.equal((await probe(c)).status, 401);
  });

  test("a member reading another owner's doc: selectors see the stripped body, every probe answers the same", async () => {
    const answers = new Set<string>();
    for (const c of ['', 'M', 'Mx', 'Mx7', 'N', 'a']) {
      const r = await probe(c, basic('bob', 'bobpw'));
      assert.equal(r.status, 200);
      answers.add(JSON.stringify(r.json.results));
    }
    assert.deepEqual([...answers], ['[]'], 'no probe may match the hidden password');
    // the admin, who may see it, matches as before
    const own = await probe('Mx7', ADMIN);
    assert.equal(own.json.results.length, 1);
  });
});

test('anonymous clients cannot write or delete _replicator docs', async () => {
  const put = await call('PUT', '/_replicator/evil', {
    source: 'http://127.0.0.1:1/x',
    target: 'http://127.0.0.1:1/y',
  });
  assert.equal(put.status, 401);
  const cur = await call('GET', '/_replicator/mesh-a-b', undefined, ADMIN);
  const del = await call('DELETE', `/_replicator/mesh-a-b?rev=${cur.json._rev}`);
  assert.equal(del.status, 401);
  assert.equal((await call('GET', '/_replicator/mesh-a-b', undefined, ADMIN)).status, 200);
});

test('$regex runs in linear time: ^(a+)+$ on a long value answers, and correctly', async () => {
  await call('PUT', '/redos', undefined, ADMIN);
  await call('PUT', '/redos/long', { v: `${'a'.repeat(5000)}b` }, ADMIN);
  await call('PUT', '/redos/match', { v: 'aaaa' }, ADMIN);
  const r = await call(
    'POST',
    '/redos/_changes?filter=_selector',
    { selector: { v: { $regex: '^(a+)+$' } } },
    ADMIN,
  );
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.json.results.map((x: { id: string }) => x.id),
    ['match'],
  );
  // a backreference cannot run on RE2: refused as an invalid selector, never run unsafely
  const bad = await call(
    'POST',
    '/redos/_changes?filter=_selector',
    { selector: { v: { $regex: '(a)\\1' } } },
    ADMIN,
  );
  assert.equal(bad.status, 400);
});

describe('no iterations amplification', () => {
  test('a non-admin cannot store a _users doc (with or without its own iterations)', async () => {
    const doc = {
      name: 'mallory',
      roles: [],
      type: 'user',
      password_scheme: 'pbkdf2',
      iterations: 3_000_000,
      salt: 'aa',
      derived_key: 'bb',
    };
    assert.equal((await call('PUT', '/_users/org.couchdb.user:mallory', doc)).status, 401);
    assert.equal(
      (await call('PUT', '/_users/org.couchdb.user:mallory', doc, basic('bob', 'bobpw'))).status,
      403,
    );
  });

  test('a stored doc whose iterations pass [chttpd_auth] max_iterations never authenticates', async () => {
    await call('PUT', '/_node/_local/_config/chttpd_auth/max_iterations', '1000', ADMIN);
    try {
      const carol = { name: 'carol', password: 'carolpw', roles: [], type: 'user' };
      await call('PUT', '/_node/_local/_config/chttpd_auth/iterations', '2000', ADMIN);
      assert.equal((await call('PUT', '/_users/org.couchdb.user:carol', carol, ADMIN)).status, 201);
      const stored = await call('GET', '/_users/org.couchdb.user:carol', undefined, ADMIN);
      assert.equal(stored.json.iterations, 2000);
      assert.equal(stored.json.password, undefined);
      assert.equal((await call('GET', '/_session', undefined, basic('carol', 'carolpw'))).status, 401);
      await call('DELETE', '/_node/_local/_config/chttpd_auth/max_iterations', undefined, ADMIN);
      assert.equal((await call('GET', '/_session', undefined, basic('carol', 'carolpw'))).status, 200);
    } finally {
      await call('DELETE', '/_node/_local/_config/chttpd_auth/iterations', undefined, ADMIN);
    }
  });

  test('users are hashed with CouchDB 3.5 defaults: pbkdf2-sha256, 600000 iterations', async () => {
    const d = (await call('GET', '/_users/org.couchdb.user:bob', undefined, ADMIN)).json;
    assert.equal(d.pbkdf2_prf, 'sha256');
    assert.equal(d.iterations, 600_000);
  });
});

test('_config/admins never answers a plaintext password', async () => {
  const all = await call('GET', '/_node/_local/_config/admins', undefined, ADMIN);
  assert.match(all.json.admin, /^-pbkdf2:sha256-/);
  assert.doesNotMatch(all.text, /"admin"\s*:\s*"admin"/);
});

test('a 20,000-character doc id answers a CouchDB-shaped 400, not a reset connection', async () => {
  const r = await call('GET', `/redos/${'x'.repeat(20_000)}`, undefined, ADMIN);
  assert.equal(r.status, 400);
  assert.equal(r.json.error, 'bad_request');
});

test('a database name over 238 characters -> 400 database_name_too_long', async () => {
  const r = await call('PUT', `/${'a'.repeat(239)}`, undefined, ADMIN);
  assert.equal(r.status, 400);
  assert.equal(r.json.error, 'database_name_too_long');
  assert.equal((await call('PUT', `/${'a'.repeat(238)}`, undefined, ADMIN)).status, 201);
});

test('an invalid _security shape -> 400 naming the field', async () => {
  const r = await call('PUT', '/redos/_security', { members: { roles: [false] } }, ADMIN);
  assert.equal(r.status, 400);
  assert.match(r.json.reason, /members\.roles/);
});

test('a longpoll _changes whose database is deleted meanwhile answers 200 with no results', async () => {
  await call('PUT', '/goner', undefined, ADMIN);
  const feed = call('GET', '/goner/_changes?feed=longpoll&since=now&timeout=30000', undefined, ADMIN);
  await new Promise((r) => setTimeout(r, 50)); // lets the feed start waiting (either order must answer 200)
  await call('DELETE', '/goner', undefined, ADMIN);
  const r = await feed;
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.results, []);
});

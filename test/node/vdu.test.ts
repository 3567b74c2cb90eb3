// validate_doc_update on real embedded nodes, as CouchDB runs it (couch_db:validate_doc_update):
// every design doc's VDU sees (newDoc, oldDoc, userCtx, secObj) for interactive and replicated
// writes, by admins and members alike; `throw({forbidden})` -> 403, `throw({unauthorized})` -> 401
// with CouchDB's bodies; in `_bulk_docs` only the refused docs fail. A runaway or memory-hungry VDU
// is stopped at its limit, the write refused (500 os_process_error), and the node keeps answering.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { endpoint, http, type Json, Nodes, ok, type TestNode, waitState } from '../replicator/helpers.ts';

const nodes = new Nodes();
let node: TestNode;
const BOB = { username: 'bob', password: 'bob-secret' };

const VDU = `function (newDoc, oldDoc, userCtx, secObj) {
  var admin = userCtx.roles.indexOf('_admin') !== -1;
  if (newDoc.bad) throw ({ forbidden: 'no bad docs' });
  if (newDoc.anon) throw ({ unauthorized: 'log in first' });
  if (newDoc.protected && !admin) throw ({ forbidden: 'only admins write protected docs, not ' + userCtx.name });
  if (oldDoc && oldDoc.locked && !newDoc._deleted) throw ({ forbidden: 'locked at ' + oldDoc._rev });
  if (newDoc.member_only && secObj.members.names.indexOf(userCtx.name) === -1) throw ({ forbidden: 'members only' });
  if (newDoc.crash) null.x;
}`;

async function freshDb(name: string, vdu = VDU): Promise<string> {
  await ok('PUT', `${node.url}/${name}`);
  await ok('PUT', `${node.url}/${name}/_security`, { members: { names: ['bob'] }, admins: { names: [] } });
  await ok('PUT', `${node.url}/${name}/_design/rules`, { validate_doc_update: vdu });
  return `${node.url}/${name}`;
}

before(async () => {
  node = await nodes.start();
  await ok('PUT', `${node.url}/_node/_local/_config/chttpd_auth/iterations`, '1000');
  await ok('PUT', `${node.url}/_users/org.couchdb.user:bob`, {
    name: 'bob',
    password: BOB.password,
    roles: [],
    type: 'user',
  });
});
after(() => nodes.closeAll());

describe('interactive writes', () => {
  let db: string;
  before(async () => {
    db = await freshDb('interactive');
  });

  test('forbidden -> 403 with the thrown reason; nothing written', async () => {
    const r = await http('PUT', `${db}/b1`, { bad: true }, BOB);
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, { error: 'forbidden', reason: 'no bad docs' });
    assert.equal((await http('GET', `${db}/b1`)).status, 404);
  });

  test('unauthorized -> 401 with the thrown reason', async () => {
    const r = await http('POST', db, { anon: true }, BOB);
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error: 'unauthorized', reason: 'log in first' });
  });

  test('admin vs member: the VDU sees userCtx and decides (admins are validated too)', async () => {
    const member = await http('PUT', `${db}/p1`, { protected: true }, BOB);
    assert.equal(member.status, 403);
    assert.deepEqual(member.body, {
      error: 'forbidden',
      reason: 'only admins write protected docs, not bob',
    });
    assert.equal((await http('PUT', `${db}/p1`, { protected: true })).status, 201);
    // an admin is still refused what the VDU refuses everyone
    assert.equal((await http('PUT', `${db}/p2`, { bad: true })).status, 403);
  });

  test('oldDoc is the revision being replaced; a deleted doc recreated has none', async () => {
    const { rev } = await ok('PUT', `${db}/l1`, { locked: true });
    const r = await http('PUT', `${db}/l1`, { _rev: rev, locked: false }, BOB);
    assert.deepEqual(r.body, { error: 'forbidden', reason: `locked at ${rev}` });
    await ok('DELETE', `${db}/l1?rev=${rev}`);
    assert.equal((await http('PUT', `${db}/l1`, { locked: false }, BOB)).status, 201);
  });

  test('secObj is the database _security object', async () => {
    assert.equal((await http('PUT', `${db}/m1`, { member_only: true }, BOB)).status, 201);
    const r = await http('PUT', `${db}/m2`, { member_only: true });
    assert.deepEqual(r.body, { error: 'forbidden', reason: 'members only' });
  });

  test('a VDU that throws an Error -> 500 naming it, nothing written', async () => {
    const r = await http('PUT', `${db}/c1`, { crash: true }, BOB);
    assert.equal(r.status, 500);
    assert.equal((r.body as Json).error, 'TypeError');
    assert.equal((await http('GET', `${db}/c1`)).status, 404);
  });

  test('_bulk_docs: the refused docs fail alone, CouchDB shape; the others are written', async () => {
    const r = await ok<Json[]>(
      'POST',
      `${db}/_bulk_docs`,
      {
        docs: [{ _id: 'k1' }, { _id: 'k2', bad: true }, { _id: 'k3', anon: true }, { _id: 'k4' }],
      },
      [201],
      BOB,
    );
    assert.equal(r[0].ok, true);
    assert.deepEqual(r[1], { id: 'k2', error: 'forbidden', reason: 'no bad docs' });
    assert.deepEqual(r[2], { id: 'k3', error: 'unauthorized', reason: 'log in first' });
    assert.equal(r[3].ok, true);
    assert.equal((await http('GET', `${db}/k2`)).status, 404);
  });

  test('a doc repeated in one _bulk_docs is checked against the edit before it, not the state before the request', async () => {
    // the second r6 meets the first one's write: a conflict (found before any VDU), not the
    // verdict a VDU would give it against the empty pre-request state
    const rows = await ok<Json[]>('POST', `${db}/_bulk_docs`, {
      docs: [
        { _id: 'r6', locked: true },
        { _id: 'r6', bad: true },
      ],
    });
    assert.equal(rows[0].ok, true);
    assert.deepEqual(rows[1], { id: 'r6', error: 'conflict', reason: 'Document update conflict.' });
  });

  test('design docs are not validated (they need a db admin instead); a new VDU applies at once', async () => {
    const d = await freshDb('redefined');
    const cur = await ok('GET', `${d}/_design/rules`);
    await ok('PUT', `${d}/_design/rules`, {
      _rev: cur._rev,
      bad: true,
      validate_doc_update: 'function (d) { if (!d.type) throw ({ forbidden: "type required" }); }',
    });
    assert.deepEqual((await http('PUT', `${d}/t1`, { bad: true })).body, {
      error: 'forbidden',
      reason: 'type required',
    });
    assert.equal((await http('PUT', `${d}/t2`, { type: 'x', bad: true })).status, 201);
    assert.equal(
      (await http('PUT', `${d}/_design/other`, { validate_doc_update: 'function () {}' }, BOB)).status,
      403,
    );
  });

  test('_local docs are not validated', async () => {
    assert.equal((await http('PUT', `${db}/_local/x`, { bad: true }, BOB)).status, 201);
  });
});

describe('replicated writes (new_edits=false)', () => {
  let db: string;
  before(async () => {
    db = await freshDb('replicated');
  });

  test('refused revisions come back as per-doc errors naming the rev; the rest are stored', async () => {
    const r = await ok<Json[]>(
      'POST',
      `${db}/_bulk_docs`,
      {
        new_edits: false,
        docs: [
          { _id: 'x1', _rev: '1-aaaa', bad: true },
          { _id: 'x2', _rev: '1-bbbb' },
          { _id: 'x3', _rev: '1-cccc', protected: true },
        ],
      },
      [201],
      BOB,
    );
    assert.deepEqual(r, [
      { id: 'x1', rev: '1-aaaa', error: 'forbidden', reason: 'no bad docs' },
      { id: 'x3', rev: '1-cccc', error: 'forbidden', reason: 'only admins write protected docs, not bob' },
    ]);
    assert.equal((await http('GET', `${db}/x2`)).status, 200);
    assert.equal((await http('GET', `${db}/x1`)).status, 404);
  });

  test('an admin replicating protected docs is allowed; a revision already stored is not validated again', async () => {
    const body = { new_edits: false, docs: [{ _id: 'y1', _rev: '1-dddd', protected: true }] };
    assert.deepEqual(await ok('POST', `${db}/_bulk_docs`, body), []);
    await ok('PUT', `${db}/_design/rules`, {
      _rev: (await ok('GET', `${db}/_design/rules`))._rev,
      validate_doc_update: VDU.replace('if (newDoc.bad)', 'if (newDoc.bad || newDoc.protected)'),
    });
    assert.deepEqual(await ok('POST', `${db}/_bulk_docs`, body), []);
  });

  test('oldDoc of a replicated edit is the parent leaf held here', async () => {
    await ok('POST', `${db}/_bulk_docs`, {
      new_edits: false,
      docs: [{ _id: 'z1', _rev: '1-eeee', locked: true }],
    });
    const r = await ok<Json[]>(
      'POST',
      `${db}/_bulk_docs`,
      {
        new_edits: false,
        docs: [{ _id: 'z1', _revisions: { start: 2, ids: ['ffff', 'eeee'] }, locked: false }],
      },
      [201],
      BOB,
    );
    assert.deepEqual(r, [{ id: 'z1', rev: '2-ffff', error: 'forbidden', reason: 'locked at 1-eeee' }]);
  });

  test("the node's replicator: a target's VDU refuses what its writer may not write; write failures are counted", async () => {
    const src = `${node.url}/repsrc`;
    await ok('PUT', src);
    const docs = [
      { _id: 'ok1' },
      { _id: 'ok2' },
      { _id: 'prot', protected: true },
      { _id: 'bad', bad: true },
    ];
    await ok('POST', `${src}/_bulk_docs`, { docs });
    const target = await freshDb('reptarget');
    await ok('PUT', `${node.url}/_replicator/vdu-rep`, {
      source: endpoint(node, 'repsrc'),
      target: endpoint(node, 'reptarget', BOB),
    });
    const done = await waitState(node, 'vdu-rep', 'completed');
    assert.equal(done.info.docs_written, 2);
    assert.equal(done.info.doc_write_failures, 2);
    const ids = (await ok('GET', `${target}/_all_docs`)).rows.map((r: Json) => r.id);
    assert.deepEqual(ids, ['_design/rules', 'ok1', 'ok2']);
  });
});

describe('limits: a runaway VDU is stopped, the write refused, the node keeps answering', () => {
  before(async () => {
    await ok('PUT', `${node.url}/_node/_local/_config/couchdb/os_process_timeout`, '300');
  });
  after(async () => {
    await ok('DELETE', `${node.url}/_node/_local/_config/couchdb/os_process_timeout`);
    await ok('DELETE', `${node.url}/_node/_local/_config/quickjs/memory_limit_bytes`);
  });

  for (const [name, src] of [
    ['while (true) {}', 'function () { while (true) {} }'],
    [
      'a memory-hungry VDU',
      'function () { var a = []; while (true) a.push({ n: a.length, s: "x" + a.length }); }',
    ],
  ] as const)
    test(name, async () => {
      if (name !== 'while (true) {}') {
        await ok(
          'PUT',
          `${node.url}/_node/_local/_config/quickjs/memory_limit_bytes`,
          String(4 * 1024 * 1024),
        );
        await ok('PUT', `${node.url}/_node/_local/_config/couchdb/os_process_timeout`, '60000');
      }
      const db = await freshDb(`runaway-${name.startsWith('while') ? 'cpu' : 'mem'}`, src);
      const writes = [
        http('PUT', `${db}/a`, { n: 1 }),
        http('POST', `${db}/_bulk_docs`, { docs: [{ _id: 'b' }, { _id: 'c' }] }),
      ];
      // the node answers other requests meanwhile and afterwards
      const [a, bulk, up] = await Promise.all([...writes, http('GET', `${node.url}/_up`)]);
      assert.equal(a?.status, 500);
      assert.deepEqual(a?.body, {
        error: 'os_process_error',
        reason: name.startsWith('while') ? 'OS process timed out.' : 'JavaScript memory limit exceeded',
      });
      assert.equal(bulk?.status, 500);
      assert.equal(up?.status, 200);
      assert.equal((await ok('GET', db)).doc_count, 1, 'only the design doc');
      // fixed by its admin, the database takes writes again
      const cur = await ok('GET', `${db}/_design/rules`);
      await ok('PUT', `${db}/_design/rules`, { _rev: cur._rev, validate_doc_update: 'function () {}' });
      assert.equal((await http('PUT', `${db}/a`, { n: 1 })).status, 201);
    });
});

describe('large batches', () => {
  after(async () => {
    await ok('DELETE', `${node.url}/_node/_local/_config/quickjs/memory_limit_bytes`);
  });

  test('a batch larger than the sandbox heap is validated in parts: a trivial VDU never runs out of memory on big docs', async () => {
    // CouchDB validates doc by doc; 40 docs of 200 kB (8 MB) under a 4 MiB heap must all pass
    await ok('PUT', `${node.url}/_node/_local/_config/quickjs/memory_limit_bytes`, String(4 * 1024 * 1024));
    const db = await freshDb(
      'bigdocs',
      'function (d) { if (!d.type) throw ({ forbidden: "type required" }); }',
    );
    const blob = 'x'.repeat(200_000);
    const docs = Array.from({ length: 40 }, (_, i) => ({ _id: `big-${i}`, type: 't', blob }));
    const rows = await ok<Json[]>('POST', `${db}/_bulk_docs`, { docs: [...docs, { _id: 'untyped', blob }] });
    assert.equal(rows.filter((r) => r.ok).length, 40);
    assert.deepEqual(rows[40], { id: 'untyped', error: 'forbidden', reason: 'type required' });
  });
});

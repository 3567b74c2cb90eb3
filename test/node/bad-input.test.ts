// Bad input always gets a CouchDB-shaped 4xx: a JSON `{error, reason}` body with CouchDB's status,
// never a 500, a crash, a hang or a partly applied batch. Every rejected write is checked to leave
// the db's update_seq, doc_count and doc_del_count where they were.
//
// Exact statuses/bodies come from CouchDB 3.5.0 captures (test/fixtures/couchdb/samples/error-4xx-*.json)
// where one exists, else from CouchDB's source (couch_doc:transfer_fields/parse_rev/validate_docid,
// chttpd_db, couch_mrview_http).
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startNode } from '../../src/node/index.ts';

const AUTH = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
const DB = 'bad';
const FUZZ_DB = 'fuzz';
const JSON_CT = 'application/json';

let node: Awaited<ReturnType<typeof startNode>>;
/** The node logs one line per 500 (a bug, never the client's fault). */
const errors500: string[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let staleRev = '';

// ---------------------------------------------------------------------------------------------------
// HTTP

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

interface Opts {
  /** Raw body (string or bytes); objects are JSON-encoded. */
  body?: string | Buffer | object | number | boolean | null;
  /** Content-Type; default application/json when there is a body; null sends none. */
  ct?: string | null;
  headers?: Record<string, string>;
}

/** A new database's `_security` under CouchDB 3's `default_security = admin_only`. */
const ADMIN_ONLY = { members: { roles: ['_admin'] }, admins: { roles: ['_admin'] } };

function call(method: string, path: string, opts: Opts = {}): Promise<Res> {
  const { body } = opts;
  const payload =
    body === undefined
      ? undefined
      : Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { Authorization: AUTH, ...opts.headers };
  const ct = opts.ct === undefined ? (payload ? JSON_CT : null) : opts.ct;
  if (ct !== null) headers['Content-Type'] = ct;
  if (payload) headers['Content-Length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, node.url), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const json = (method: string, path: string, body?: Opts['body']) => call(method, path, { body });

// ---------------------------------------------------------------------------------------------------
// Assertions

/** A CouchDB error: this status, a JSON `{error, reason}` body (strings), optionally these values. */
function assertCouchError(res: Res, status: number, error?: string, reason?: string | RegExp): void {
  const where = `${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, status, where);
  assert.match(String(res.headers['content-type']), /^application\/json/, where);
  const body = res.json as Record<string, unknown> | undefined;
  assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), `not a JSON object: ${where}`);
  assert.equal(typeof body.error, 'string', where);
  assert.equal(typeof body.reason, 'string', where);
  if (error !== undefined) assert.equal(body.error, error, where);
  if (typeof reason === 'string') assert.equal(body.reason, reason, where);
  else if (reason) assert.match(body.reason as string, reason, where);
}

/** Any CouchDB-shaped 4xx. */
function assertClientError(res: Res): void {
  assert.ok(
    res.status >= 400 && res.status < 500,
    `expected a 4xx, got ${res.status} ${res.text.slice(0, 300)}`,
  );
  assertCouchError(res, res.status);
}

interface DbCounters {
  update_seq: unknown;
  doc_count: unknown;
  doc_del_count: unknown;
}

async function counters(db = DB): Promise<DbCounters> {
  const r = await call('GET', `/${db}`);
  assert.equal(r.status, 200, r.text);
  const { update_seq, doc_count, doc_del_count } = r.json as DbCounters;
  return { update_seq, doc_count, doc_del_count };
}

/**
 * Sends a request that must be refused with (status, error?, reason?) and must write nothing:
 * update_seq, doc_count and doc_del_count stay where they were.
 */
async function refused(
  send: () => Promise<Res>,
  status: number,
  error?: string,
  reason?: string | RegExp,
  db = DB,
): Promise<Res> {
  const before = await counters(db);
  const res = await send();
  assertCouchError(res, status, error, reason);
  assert.deepEqual(await counters(db), before, 'a refused request must not move update_seq / doc counts');
  return res;
}

async function assertAbsent(id: string, db = DB): Promise<void> {
  const r = await call('GET', `/${db}/${id}`);
  assertCouchError(r, 404, 'not_found');
}

// ---------------------------------------------------------------------------------------------------

before(async () => {
  node = await startNode({
    port: 0,
    inMemory: true,
    admins: { admin: 'admin' },
    maxDocumentSize: 200,
    log: (line) => {
      if (/^\[error\] .* 500 internal error: /.test(line)) errors500.push(line);
    },
  });
  for (const db of [DB, FUZZ_DB]) assert.equal((await call('PUT', `/${db}`)).status, 201);
  const r = await json('PUT', `/${DB}/stale`, { v: 1 });
  assert.equal(r.status, 201);
  staleRev = (r.json as { rev: string }).rev;
});

after(async () => {
  agent.destroy();
  await node.close();
});

// ---------------------------------------------------------------------------------------------------

describe('malformed JSON bodies: 400 bad_request "invalid UTF-8 JSON" on every JSON endpoint', () => {
  const MALFORMED: Array<string | Buffer> = [
    '{"a": 1,',
    '{',
    '[1,',
    'nul',
    '{"a":}',
    "{'a':1}",
    '{"a":1} trailing',
    '{"a":01}',
    '{"a":"\\x"}',
    '{"a":"unterminated}',
    Buffer.from([0xff, 0xfe, 0xfd]),
  ];
  const ENDPOINTS: Array<[string, string]> = [
    ['PUT', `/${DB}/doc-json`],
    ['POST', `/${DB}`],
    ['POST', `/${DB}/_bulk_docs`],
    ['POST', `/${DB}/_bulk_get`],
    ['POST', `/${DB}/_revs_diff`],
    ['POST', `/${DB}/_all_docs`],
    ['POST', `/${DB}/_changes`],
    ['PUT', `/${DB}/_local/cp`],
    ['PUT', `/${DB}/_security`],
    ['PUT', `/${DB}/_revs_limit`],
    ['POST', '/_session'],
  ];
  for (const [method, path] of ENDPOINTS)
    test(`${method} ${path}`, async () => {
      for (const body of MALFORMED)
        await refused(() => call(method, path, { body }), 400, 'bad_request', 'invalid UTF-8 JSON');
      // an empty body is malformed too, except on POST _changes (no body = no filter)
      if (path !== `/${DB}/_changes`)
        await refused(() => call(method, path, { body: '' }), 400, 'bad_request', 'invalid UTF-8 JSON');
    });

  test('nothing was written or changed by them', async () => {
    await assertAbsent('doc-json');
    assertCouchError(await call('GET', `/${DB}/_local/cp`), 404, 'not_found');
    assert.deepEqual((await call('GET', `/${DB}/_security`)).json, ADMIN_ONLY);
    assert.equal((await call('GET', `/${DB}/_revs_limit`)).json, 1000);
  });
});

describe('well-formed JSON of the wrong shape', () => {
  const NOT_OBJECTS = ['[]', '5', '"x"', 'null', 'true', '[{"a":1}]'];

  test('a document must be a JSON object (PUT, POST, _local, _bulk_docs item)', async () => {
    for (const body of NOT_OBJECTS) {
      const msg = 'Document must be a JSON object';
      await refused(() => call('PUT', `/${DB}/shape`, { body }), 400, 'bad_request', msg);
      await refused(() => call('POST', `/${DB}`, { body }), 400, 'bad_request', msg);
      await refused(() => call('PUT', `/${DB}/_local/shape`, { body }), 400, 'bad_request', msg);
      await refused(
        () => call('POST', `/${DB}/_bulk_docs`, { body: `{"docs":[{"_id":"ok-1"},${body}]}` }),
        400,
        'bad_request',
        msg,
      );
    }
    await assertAbsent('shape');
    await assertAbsent('ok-1');
  });

  test('_bulk_docs: body, `docs` and `new_edits` of the wrong type', async () => {
    for (const body of ['[]', '5', 'null', '{}', '{"docs":5}', '{"docs":{"a":1}}', '{"doc":[]}'])
      await refused(() => call('POST', `/${DB}/_bulk_docs`, { body }), 400, 'bad_request');
    await refused(
      () => json('POST', `/${DB}/_bulk_docs`, { docs: [{ _id: 'ne' }], new_edits: 'no' }),
      400,
      'bad_request',
      '`new_edits` parameter must be a boolean.',
    );
    await assertAbsent('ne');
  });

  test('_bulk_get and _revs_diff', async () => {
    for (const body of ['[]', '5', 'null', '{}', '{"docs":5}'])
      assertCouchError(await call('POST', `/${DB}/_bulk_get`, { body }), 400, 'bad_request');
    for (const body of ['[]', '5', 'null', '"x"', '{"stale":5}', '{"stale":[5]}', '{"stale":"1-abc"}'])
      assertCouchError(await call('POST', `/${DB}/_revs_diff`, { body }), 400, 'bad_request');
  });

  test('_security, _revs_limit, _all_docs keys', async () => {
    for (const body of ['[]', '5', 'null', '"x"', '{"admins":5}', '{"members":"x"}'])
      await refused(() => call('PUT', `/${DB}/_security`, { body }), 400, 'bad_request');
    assert.deepEqual((await call('GET', `/${DB}/_security`)).json, ADMIN_ONLY);
    for (const body of ['"x"', '0', '-1', '1.5', '1e400', 'null', '[1]', '99999999999999999999999'])
      assertCouchError(await call('PUT', `/${DB}/_revs_limit`, { body }), 400, 'bad_request');
    assert.equal((await call('GET', `/${DB}/_revs_limit`)).json, 1000);
    // the db still takes writes after the refused _revs_limit values
    assert.equal((await json('PUT', `/${DB}/after-revs-limit`, { ok: 1 })).status, 201);
    for (const body of ['{"keys":5}', '{"keys":"a"}', '{"keys":{"a":1}}'])
      assertCouchError(await call('POST', `/${DB}/_all_docs`, { body }), 400, 'bad_request');
  });

  test('_changes filters: doc_ids and selectors', async () => {
    for (const body of ['{"doc_ids":5}', '{"doc_ids":[5]}', '{"doc_ids":"stale"}', '{}'])
      assertCouchError(
        await call('POST', `/${DB}/_changes?filter=_doc_ids`, { body }),
        400,
        'bad_request',
        '`doc_ids` filter parameter is not a list of doc ids.',
      );
    // changes-filter-selector-missing-selector-400.json
    assertCouchError(
      await call('POST', `/${DB}/_changes?filter=_selector`, { body: '{}' }),
      400,
      'bad_request',
      'Selector error: expected a JSON object',
    );
    for (const selector of [
      5,
      [],
      { $and: 5 },
      { $or: [5] },
      { $nor: {} },
      { $not: 5 },
      { v: { $regex: '(' } },
      { v: { $regex: 5 } },
      { v: { $bogus: 1 } },
      { v: { $in: 5 } },
      { v: { $nin: 'x' } },
      { v: { $all: 1 } },
      { v: { $size: 'x' } },
      { v: { $mod: 5 } },
      { v: { $mod: [0, 1] } },
      { v: { $exists: 'yes' } },
      { v: { $type: 5 } },
      { v: { $elemMatch: 5 } },
      { v: { $allMatch: [] } },
      { v: { $not: 5 } },
    ])
      assertCouchError(
        await json('POST', `/${DB}/_changes?filter=_selector`, { selector }),
        400,
        'bad_request',
        /^Selector error/,
      );
  });
});

describe('wrong content types', () => {
  test('_bulk_docs with text/plain -> 415 (error-415-bulk-docs-text-plain.json), nothing written', async () => {
    await refused(
      () => call('POST', `/${DB}/_bulk_docs`, { body: '{"docs":[{"_id":"ct-1","a":1}]}', ct: 'text/plain' }),
      415,
      'bad_content_type',
      'Content-Type must be application/json',
    );
    for (const ct of [
      null,
      '',
      'application/x-www-form-urlencoded',
      'multipart/related; boundary=abc',
      'application/jsonx',
      'text/json',
    ])
      await refused(
        () => call('POST', `/${DB}/_bulk_docs`, { body: '{"docs":[{"_id":"ct-1","a":1}]}', ct }),
        415,
        'bad_content_type',
        'Content-Type must be application/json',
      );
    await assertAbsent('ct-1');
    // control: parameters after the media type are fine
    const ok = await call('POST', `/${DB}/_bulk_docs`, {
      body: '{"docs":[{"_id":"ct-2","a":1}]}',
      ct: 'application/json; charset=utf-8',
    });
    assert.equal(ok.status, 201, ok.text);
  });

  test('POST /_session with an unsupported content type', async () => {
    assertClientError(
      await call('POST', '/_session', { body: 'name=admin&password=admin', ct: 'text/plain' }),
    );
  });
});

describe('invalid document ids', () => {
  const underscore = 'Only reserved document ids may start with underscore.';

  test('PUT /db/_foo (error-400-illegal-docid-underscore-put.json)', async () => {
    await refused(() => json('PUT', `/${DB}/_foo`, { a: 1 }), 400, 'illegal_docid', underscore);
  });

  test('POST /db {_id:"_foo"} (error-400-illegal-docid-underscore-post.json)', async () => {
    await refused(() => json('POST', `/${DB}`, { _id: '_foo', a: 1 }), 400, 'illegal_docid', underscore);
  });

  test('empty and non-string ids', async () => {
    await refused(
      () => json('POST', `/${DB}`, { _id: '' }),
      400,
      'illegal_docid',
      'Document id must not be empty',
    );
    for (const id of [5, null, ['a'], { a: 1 }, true])
      await refused(
        () => json('POST', `/${DB}`, { _id: id }),
        400,
        'illegal_docid',
        'Document id must be a string',
      );
  });

  test('an _id in the body of a PUT is validated too (couch_doc:transfer_fields)', async () => {
    await refused(() => json('PUT', `/${DB}/body-id`, { _id: '_foo' }), 400, 'illegal_docid', underscore);
    await assertAbsent('body-id');
  });

  test('an id that is not valid Unicode (lone surrogate) is refused, not written then 500', async () => {
    await refused(
      () => call('POST', `/${DB}`, { body: '{"_id":"\\ud800x","a":1}' }),
      400,
      'illegal_docid',
      'Document id must be valid UTF-8',
    );
    await refused(
      () => call('POST', `/${DB}/_bulk_docs`, { body: '{"docs":[{"_id":"sur-ok"},{"_id":"\\udc00"}]}' }),
      400,
      'illegal_docid',
    );
    await assertAbsent('sur-ok');
    // an escaped surrogate pair is a valid id
    const ok = await call('POST', `/${DB}`, { body: '{"_id":"pair-\\ud83d\\ude00","a":1}' });
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await call('GET', `/${DB}/${encodeURIComponent('pair-\u{1F600}')}`)).status, 200);
  });

  test('_bulk_docs with one _bar id: whole request 400 (error-400-illegal-docid-underscore-bulk-docs.json)', async () => {
    await refused(
      () =>
        json('POST', `/${DB}/_bulk_docs`, {
          docs: [
            { _id: '_bar', a: 1 },
            { _id: 'ok-doc', a: 2 },
          ],
        }),
      400,
      'illegal_docid',
      underscore,
    );
    await assertAbsent('ok-doc');
    for (const bad of ['', 5, null])
      await refused(
        () => json('POST', `/${DB}/_bulk_docs`, { docs: [{ _id: 'ok-doc', a: 2 }, { _id: bad }] }),
        400,
        'illegal_docid',
      );
    await refused(
      () =>
        json('POST', `/${DB}/_bulk_docs`, {
          new_edits: false,
          docs: [
            { _id: 'ok-doc', _rev: '1-abc', a: 2 },
            { _id: '_bar', _rev: '1-abc' },
          ],
        }),
      400,
      'illegal_docid',
      underscore,
    );
    await assertAbsent('ok-doc');
  });
});

describe('bad revs', () => {
  test('GET ?rev=notarev -> 400 (error-400-bad-rev-format.json)', async () => {
    assertCouchError(await call('GET', `/${DB}/stale?rev=notarev`), 400, 'bad_request', 'Invalid rev format');
    assertCouchError(await call('GET', `/${DB}/stale?rev=-1-abc`), 400, 'bad_request', 'Invalid rev format');
    assertCouchError(
      await call('GET', `/${DB}/stale?open_revs=["notarev"]`),
      400,
      'bad_request',
      'Invalid rev format',
    );
  });

  test('DELETE ?rev=notarev -> 400, nothing deleted', async () => {
    await refused(() => call('DELETE', `/${DB}/stale?rev=notarev`), 400, 'bad_request', 'Invalid rev format');
    assert.equal((await call('GET', `/${DB}/stale`)).status, 200);
  });

  test('revs that parse but name nothing (0-x, 1-) -> 409 conflict, as CouchDB', async () => {
    for (const rev of ['0-x', '1-', `1-${'0'.repeat(32)}`, '7-abc'])
      await refused(
        () => json('PUT', `/${DB}/stale`, { _rev: rev, v: 2 }),
        409,
        'conflict',
        'Document update conflict.',
      );
    // DELETE without a rev (error-409-delete-without-rev.json)
    await refused(() => call('DELETE', `/${DB}/stale`), 409, 'conflict', 'Document update conflict.');
  });

  test('a non-string _rev -> 400 Invalid rev format', async () => {
    for (const rev of [5, null, ['1-abc'], { pos: 1 }])
      await refused(
        () => json('PUT', `/${DB}/stale`, { _rev: rev, v: 2 }),
        400,
        'bad_request',
        'Invalid rev format',
      );
  });

  test('body _rev and ?rev disagree -> 400', async () => {
    await refused(
      () => json('PUT', `/${DB}/stale?rev=${staleRev}`, { _rev: '1-abc', v: 2 }),
      400,
      'bad_request',
      /different values/,
    );
  });

  test('_revs_diff and _local with bad revs', async () => {
    assertCouchError(
      await json('POST', `/${DB}/_revs_diff`, { stale: ['notarev'] }),
      400,
      'bad_request',
      'Invalid rev format',
    );
    for (const rev of ['bad', '1-abc', '0-x', 5])
      await refused(
        () => json('PUT', `/${DB}/_local/badrev`, { _rev: rev }),
        400,
        'bad_request',
        'Invalid rev format',
      );
    assertCouchError(await call('GET', `/${DB}/_local/badrev`), 404, 'not_found');
  });

  test('new_edits=false without a usable rev writes nothing', async () => {
    for (const doc of [{ _id: 'ne-1' }, { _id: 'ne-1', _rev: 'notarev' }, { _id: 'ne-1', _rev: '0-abc' }]) {
      const before = await counters();
      const res = await json('POST', `/${DB}/_bulk_docs`, { new_edits: false, docs: [doc] });
      assert.ok(res.status === 201 || (res.status >= 400 && res.status < 500), res.text);
      if (res.status === 201) {
        const [r] = res.json as Array<{ error?: string }>;
        assert.equal(typeof r?.error, 'string', res.text);
      } else assertClientError(res);
      assert.deepEqual(await counters(), before);
    }
    await assertAbsent('ne-1');
  });
});

describe('oversized documents (max_document_size 200)', () => {
  const big = (c: string) => c.repeat(300);

  test('PUT -> 413 document_too_large, reason "" (error-413-document-too-large.json)', async () => {
    await refused(() => json('PUT', `/${DB}/bigdoc`, { payload: big('x') }), 413, 'document_too_large', '');
    await assertAbsent('bigdoc');
  });

  test('POST -> 413', async () => {
    await refused(() => json('POST', `/${DB}`, { payload: big('x') }), 413, 'document_too_large');
  });

  test('_bulk_docs with one oversized doc -> 413 for the whole request (error-413-document-too-large-bulk-docs.json)', async () => {
    await refused(
      () =>
        json('POST', `/${DB}/_bulk_docs`, {
          docs: [
            { _id: 'small', a: 1 },
            { _id: 'bigdoc2', payload: big('y') },
          ],
        }),
      413,
      'document_too_large',
      'bigdoc2',
    );
    await assertAbsent('small');
    await refused(
      () =>
        json('POST', `/${DB}/_bulk_docs`, {
          new_edits: false,
          docs: [
            { _id: 'small', _rev: '1-abc', a: 1 },
            { _id: 'bigdoc3', _rev: '1-abc', payload: big('z') },
          ],
        }),
      413,
      'document_too_large',
      'bigdoc3',
    );
    await assertAbsent('small');
  });

  test('_local PUT and multipart PUT -> 413', async () => {
    await refused(() => json('PUT', `/${DB}/_local/big`, { payload: big('x') }), 413, 'document_too_large');
    const body = related('b0', JSON.stringify({ payload: big('x') }), []);
    await refused(
      () => call('PUT', `/${DB}/bigmp`, { body, ct: 'multipart/related; boundary="b0"' }),
      413,
      'document_too_large',
    );
    await assertAbsent('bigmp');
  });
});

describe('bad query parameters', () => {
  test('boolean parameters take true/false only -> 400 query_parse_error', async () => {
    const reason = 'Invalid boolean parameter: "maybe"';
    for (const path of [
      `/${DB}/_all_docs?conflicts=maybe`,
      `/${DB}/_all_docs?include_docs=maybe`,
      `/${DB}/_all_docs?descending=maybe`,
      `/${DB}/_changes?include_docs=maybe`,
      `/${DB}/_changes?descending=maybe`,
      `/${DB}/stale?conflicts=maybe`,
      `/${DB}/stale?revs=maybe`,
    ])
      assertCouchError(await call('GET', path), 400, 'query_parse_error', reason);
    assertCouchError(
      await call('POST', `/${DB}/_bulk_get?revs=maybe`, { body: '{"docs":[]}' }),
      400,
      'query_parse_error',
    );
    await refused(() => json('PUT', `/${DB}/qp?new_edits=maybe`, { a: 1 }), 400, 'query_parse_error', reason);
  });

  test('integer parameters: negative, not a number, absurdly large -> 400 query_parse_error', async () => {
    for (const path of [
      `/${DB}/_all_docs?limit=-1`,
      `/${DB}/_all_docs?limit=abc`,
      `/${DB}/_all_docs?skip=-1`,
      `/${DB}/_all_docs?limit=1e300`,
      `/${DB}/_all_docs?skip=1e300`,
      `/${DB}/_local_docs?limit=-1`,
      `/${DB}/_changes?limit=-1`,
      `/${DB}/_changes?limit=1e300`,
      `/${DB}/_changes?timeout=-5`,
      `/${DB}/_changes?heartbeat=abc`,
      '/_uuids?count=abc',
      '/_uuids?count=-1',
    ])
      assertCouchError(await call('GET', path), 400, 'query_parse_error');
    assertCouchError(await call('GET', '/_uuids?count=1001'), 400, 'bad_request');
  });

  test('_changes since=garbage -> 400, and other _changes parameters', async () => {
    for (const since of ['garbage', '-1', 'now-ish', '1e5', '%20'])
      assertCouchError(
        await call('GET', `/${DB}/_changes?since=${since}`),
        400,
        'bad_request',
        "Malformed sequence supplied in 'since' parameter.",
      );
    assertCouchError(await call('GET', `/${DB}/_changes?feed=bogus`), 400, 'bad_request');
    // changes-filter-unknown-builtin-400.json
    assertCouchError(
      await call('GET', `/${DB}/_changes?filter=_bogus`),
      400,
      'bad_request',
      'unknown builtin filter name',
    );
    assertCouchError(
      await call('GET', `/${DB}/_changes?filter=_doc_ids&doc_ids=notjson`),
      400,
      'bad_request',
    );
  });

  test('JSON-valued parameters that are not JSON, or of the wrong type', async () => {
    for (const path of [
      `/${DB}/_all_docs?startkey=notjson`,
      `/${DB}/_all_docs?keys=notjson`,
      `/${DB}/stale?open_revs=notjson`,
      `/${DB}/stale?open_revs=5`,
      `/${DB}/stale?atts_since=5`,
      `/${DB}/stale?atts_since=notjson`,
    ])
      assertCouchError(await call('GET', path), 400, 'bad_request');
    for (const path of [
      `/${DB}/_all_docs?key=5`,
      `/${DB}/_all_docs?startkey=[1]`,
      `/${DB}/_all_docs?keys=5`,
      `/${DB}/_all_docs?keys="stale"`,
      `/${DB}/_all_docs?keys={}`,
      `/${DB}/_local_docs?keys=5`,
    ])
      assertCouchError(await call('GET', path), 400, 'query_parse_error');
  });
});

/** A multipart/related body as the replicator writes it; `close: false` leaves out the close delimiter. */
function related(
  boundary: string,
  jsonText: string,
  parts: Array<{ headers: string; data: string }>,
  close = true,
): string {
  let s = `--${boundary}\r\nContent-Type: application/json\r\n\r\n${jsonText}`;
  for (const p of parts) s += `\r\n--${boundary}\r\n${p.headers}\r\n\r\n${p.data}`;
  return `${s}\r\n--${boundary}${close ? '--' : '\r\n'}`;
}

describe('broken multipart/related PUT bodies', () => {
  const docJson = JSON.stringify({
    a: 1,
    _attachments: { 'a.txt': { follows: true, content_type: 'text/plain', length: 5 } },
  });
  const part = { headers: 'Content-Disposition: attachment; filename="a.txt"', data: 'hello' };

  test('control: a well-formed body is accepted', async () => {
    const res = await call('PUT', `/${DB}/mp-ok`, {
      body: related('xyz', docJson, [part]),
      ct: 'multipart/related; boundary="xyz"',
    });
    assert.equal(res.status, 201, res.text);
    const att = await call('GET', `/${DB}/mp-ok/a.txt`);
    assert.equal(att.text, 'hello');
  });

  const cases: Array<[string, string, string, number, string]> = [
    ['no boundary parameter', 'multipart/related', related('xyz', docJson, [part]), 400, 'bad_request'],
    [
      'an empty boundary',
      'multipart/related; boundary=""',
      related('xyz', docJson, [part]),
      400,
      'bad_request',
    ],
    [
      'the boundary never occurs',
      'multipart/related; boundary="other"',
      related('xyz', docJson, [part]),
      400,
      'bad_request',
    ],
    [
      'missing closing delimiter',
      'multipart/related; boundary="xyz"',
      related('xyz', docJson, [part]).slice(0, -'\r\n--xyz--'.length),
      400,
      'bad_request',
    ],
    [
      'ends after an opening delimiter',
      'multipart/related; boundary="xyz"',
      related('xyz', docJson, [part], false),
      400,
      'bad_request',
    ],
    [
      'missing attachment part',
      'multipart/related; boundary="xyz"',
      related('xyz', docJson, []),
      400,
      'bad_request',
    ],
    [
      'part headers never end',
      'multipart/related; boundary="xyz"',
      `--xyz\r\nContent-Type: application/json\r\n${docJson}`,
      400,
      'bad_request',
    ],
    [
      'malformed JSON part',
      'multipart/related; boundary="xyz"',
      related('xyz', '{"a":', [part]),
      400,
      'bad_request',
    ],
    [
      'JSON part that is not an object',
      'multipart/related; boundary="xyz"',
      related('xyz', '[1]', [part]),
      400,
      'bad_request',
    ],
    ['empty body', 'multipart/related; boundary="xyz"', '', 400, 'bad_request'],
  ];
  for (const [name, ct, body, status, error] of cases)
    test(name, async () => {
      await refused(() => call('PUT', `/${DB}/mp-bad`, { body, ct }), status, error);
      await assertAbsent('mp-bad');
    });
});

describe('_bulk_docs with one bad document', () => {
  const good = { _id: 'bd-good', _rev: '1-abc', a: 1 };
  const replicated = (bad: Record<string, unknown>) => () =>
    json('POST', `/${DB}/_bulk_docs`, { new_edits: false, docs: [good, { _id: 'bd-bad', ...bad }] });

  test('a malformed _revisions refuses the whole request with 400 doc_validation (transfer_fields)', async () => {
    for (const [bad, reason] of [
      [5, 'Bad special document member: _revisions'],
      [[], 'Bad special document member: _revisions'],
      [{ start: 'x', ids: ['abc'] }, "_revisions.start isn't an integer."],
      [{ start: 1.5, ids: ['abc'] }, "_revisions.start isn't an integer."],
      [{ ids: ['abc'] }, "_revisions.start isn't an integer."],
      [{ start: 1, ids: 5 }, "_revisions.ids isn't a array."],
      [{ start: 1, ids: [5] }, "RevId isn't a string"],
      [{ start: 1, ids: ['z'.repeat(32)] }, "RevId isn't a valid hexadecimal"],
    ] as Array<[unknown, string]>) {
      await refused(replicated({ _rev: '1-abc', _revisions: bad }), 400, 'doc_validation', reason);
      // parsing comes first, so an interactive batch is refused the same way
      await refused(
        () =>
          json('POST', `/${DB}/_bulk_docs`, {
            docs: [{ _id: 'bd-good2' }, { _id: 'bd-bad', _revisions: bad }],
          }),
        400,
        'doc_validation',
        reason,
      );
    }
    await assertAbsent('bd-good');
    await assertAbsent('bd-good2');
    await assertAbsent('bd-bad');
  });

  test('a _revisions that is no revision path fails that doc alone (new_edits=false), never a 500', async () => {
    const cases: Array<Record<string, unknown>> = [
      { _rev: '1-abc', _revisions: { start: 1, ids: [] } },
      { _rev: '1-abc', _revisions: { start: 1, ids: ['abc', 'def'] } },
      { _rev: '3-abc', _revisions: { start: 3, ids: ['abc', 'def', 'ghi', 'jkl'] } },
      { _rev: '2-abc', _revisions: { start: 2, ids: ['abc', ''] } },
      { _rev: '1-abc', _revisions: { start: 1, ids: [''] } },
      { _rev: '1-abc', _revisions: { start: -1, ids: ['abc'] } },
      { _rev: '0-abc', _revisions: { start: 0, ids: ['abc'] } },
      // (a `_rev` that disagrees with a valid `_revisions` is no error: `_revisions` wins, as
      // couch_doc:transfer_fields; see test/conformance/cases/fidelity.ts)
    ];
    for (const [i, bad] of cases.entries()) {
      const before = await counters();
      const res = await json('POST', `/${DB}/_bulk_docs`, {
        new_edits: false,
        docs: [
          { _id: `bd-alone-${i}`, _rev: '1-abc', a: 1 },
          { _id: 'bd-bad', ...bad },
        ],
      });
      assert.equal(res.status, 201, `${JSON.stringify(bad)}: ${res.text}`);
      const results = res.json as Array<{ id: string; error: string; reason: string }>;
      assert.equal(results.length, 1, res.text);
      assert.equal(results[0]?.id, 'bd-bad');
      assert.ok(['bad_request', 'doc_validation'].includes(results[0]?.error as string), res.text);
      assert.equal(typeof results[0]?.reason, 'string');
      const after = await counters();
      assert.equal(
        seqNumber(after.update_seq),
        seqNumber(before.update_seq) + 1,
        'only the good doc is written',
      );
      assert.equal(after.doc_count, (before.doc_count as number) + 1);
      assert.equal((await call('GET', `/${DB}/bd-alone-${i}`)).status, 200);
    }
    await assertAbsent('bd-bad');
  });

  test('a bad special member (_foo) refuses the whole request', async () => {
    await refused(
      () => json('POST', `/${DB}/_bulk_docs`, { docs: [{ _id: 'bd-good2' }, { _id: 'bd-bad', _foo: 1 }] }),
      400,
      'doc_validation',
      'Bad special document member: _foo',
    );
    await refused(
      replicated({ _rev: '1-abc', _foo: 1 }),
      400,
      'doc_validation',
      'Bad special document member: _foo',
    );
    await assertAbsent('bd-good2');
  });

  test('bad _attachments refuse the whole request with a 4xx', async () => {
    for (const atts of [
      5,
      [],
      { 'a.txt': 5 },
      { 'a.txt': { data: 5 } },
      { 'a.txt': { data: 'aGk=', content_type: 5 } },
      { 'a.txt': { data: 'aGk=', digest: {} } },
      { 'a.txt': { data: 'aGk=', revpos: 'zz' } },
      { 'a.txt': { data: 'aGk=', length: 'zz', encoding: 'gzip' } },
      { 'a.txt': { data: 'aGk=', encoding: 5 } },
      { 'a.txt': { stub: 'yes' } },
      { 'a.txt': { stub: true, digest: 5 } },
    ]) {
      for (const send of [
        replicated({ _rev: '1-abc', _attachments: atts }),
        () =>
          json('POST', `/${DB}/_bulk_docs`, {
            docs: [{ _id: 'bd-good2' }, { _id: 'bd-bad', _attachments: atts }],
          }),
      ]) {
        const before = await counters();
        const res = await send();
        assertClientError(res);
        assert.deepEqual(await counters(), before, JSON.stringify(atts));
      }
    }
    await assertAbsent('bd-good');
    await assertAbsent('bd-good2');
  });

  test('a doc that fails on its own (conflict) fails alone, as CouchDB (bulk-docs-one-conflict.json)', async () => {
    const before = await counters();
    const res = await json('POST', `/${DB}/_bulk_docs`, {
      docs: [
        { _id: 'bd-new', a: 1 },
        { _id: 'stale', v: 9 },
      ],
    });
    assert.equal(res.status, 201, res.text);
    const [ok, conflict] = res.json as Array<Record<string, unknown>>;
    assert.equal(ok?.ok, true);
    assert.deepEqual(conflict, { id: 'stale', error: 'conflict', reason: 'Document update conflict.' });
    const after = await counters();
    assert.equal(after.doc_count, (before.doc_count as number) + 1);
    assert.equal(seqNumber(after.update_seq), seqNumber(before.update_seq) + 1);
  });
});

describe('wrong methods: 405 method_not_allowed with Allow', () => {
  const cases: Array<[string, string, string]> = [
    ['PATCH', `/${DB}`, 'DELETE,GET,HEAD,POST,PUT'],
    ['GET', `/${DB}/_bulk_docs`, 'POST'],
    ['PUT', `/${DB}/_bulk_docs`, 'POST'],
    ['GET', `/${DB}/_bulk_get`, 'POST'],
    ['GET', `/${DB}/_revs_diff`, 'POST'],
    ['PUT', `/${DB}/_all_docs`, 'GET,HEAD,POST'],
    ['GET', `/${DB}/_ensure_full_commit`, 'POST'],
    ['POST', `/${DB}/_security`, 'GET,PUT'],
    ['POST', `/${DB}/_revs_limit`, 'GET,PUT'],
    ['PATCH', `/${DB}/stale`, 'DELETE,GET,HEAD,POST,PUT,COPY'],
    ['POST', `/${DB}/stale/a.txt`, 'DELETE,GET,HEAD,PUT'],
    ['PUT', '/_session', 'DELETE,GET,HEAD,POST'],
  ];
  for (const [method, path, allow] of cases)
    test(`${method} ${path}`, async () => {
      const res = await refused(() => call(method, path, { body: '{}' }), 405, 'method_not_allowed');
      assert.equal(res.headers.allow, allow);
    });
});

describe('unknown databases and invalid database names', () => {
  test('unknown db -> 404 (error-404-missing-db.json, error-404-missing-db-doc.json)', async () => {
    const missing = 'Database does not exist.';
    assertCouchError(await call('GET', '/no_such_db'), 404, 'not_found', missing);
    assertCouchError(await call('GET', '/no_such_db/some-doc'), 404, 'not_found', missing);
    for (const [method, path, body] of [
      ['POST', '/no_such_db', { a: 1 }],
      ['PUT', '/no_such_db/some-doc', { a: 1 }],
      ['POST', '/no_such_db/_bulk_docs', { docs: [{ a: 1 }] }],
      ['POST', '/no_such_db/_bulk_get', { docs: [] }],
      ['POST', '/no_such_db/_revs_diff', {}],
      ['GET', '/no_such_db/_changes', undefined],
      ['GET', '/no_such_db/_all_docs', undefined],
      ['PUT', '/no_such_db/_local/x', { a: 1 }],
      ['PUT', '/no_such_db/_security', {}],
      ['DELETE', '/no_such_db', undefined],
    ] as Array<[string, string, object | undefined]>)
      assertCouchError(await json(method, path, body), 404, 'not_found', missing);
    assert.ok(!((await call('GET', '/_all_dbs')).json as string[]).includes('no_such_db'));
  });

  test('invalid names -> 400 illegal_database_name, nothing created', async () => {
    for (const name of ['BadName', '1abc', '_foo', 'a%20b', '-x', 'a.b', '%C3%A9t%C3%A9'])
      assertCouchError(await call('PUT', `/${name}`), 400, 'illegal_database_name', /^Name: '/);
    const dbs = (await call('GET', '/_all_dbs')).json as string[];
    assert.deepEqual(
      dbs.filter((d) => ![DB, FUZZ_DB].includes(d) && !d.startsWith('_')),
      [],
      `unexpected dbs ${JSON.stringify(dbs)}`,
    );
  });
});

describe('an internal failure in the middle of a batch', () => {
  test('rolls the whole batch back, db info included (no seq gap, no phantom doc_count)', async () => {
    const db = node.state.get(DB);
    assert.ok(db);
    const store = db.store;
    const putDoc = store.putDoc;
    let calls = 0;
    store.putDoc = function (this: typeof store, row) {
      if (++calls === 2) throw new Error('injected storage failure');
      return putDoc.call(this, row);
    };
    const before = await counters();
    let res: Res;
    try {
      res = await json('POST', `/${DB}/_bulk_docs`, { docs: [{ _id: 'ib-1' }, { _id: 'ib-2' }] });
    } finally {
      store.putDoc = putDoc;
    }
    assertCouchError(res, 500, 'unknown_error');
    const logged = errors500.findIndex((l) => l.includes('injected storage failure'));
    assert.ok(logged >= 0, 'the 500 is logged');
    errors500.splice(logged, 1);
    assert.deepEqual(await counters(), before);
    await assertAbsent('ib-1');
    // the next write takes the next seq: no gap left by the rolled-back batch
    const ok = await json('PUT', `/${DB}/ib-3`, { a: 1 });
    assert.equal(ok.status, 201, ok.text);
    const after = await counters();
    assert.equal(seqNumber(after.update_seq), seqNumber(before.update_seq) + 1);
    assert.equal(after.doc_count, (before.doc_count as number) + 1);
  });
});

const seqNumber = (seq: unknown) => Number(String(seq).split('-')[0]);

// ---------------------------------------------------------------------------------------------------
// Property: whatever arrives, the answer is < 500 and CouchDB-shaped when it is an error.

const anyJson = fc.jsonValue({ maxDepth: 3 });
const revLike = fc.oneof(
  fc.constantFrom('1-abc', '0-x', 'notarev', '1-', '-1-abc', `2-${'a'.repeat(32)}`, `1-${'z'.repeat(32)}`),
  fc.string({ maxLength: 12 }),
  anyJson,
);
const attLike = fc.oneof(
  fc.record(
    {
      data: fc.oneof(fc.base64String({ maxLength: 12 }), anyJson),
      stub: fc.oneof(fc.boolean(), anyJson),
      follows: fc.oneof(fc.boolean(), anyJson),
      digest: fc.oneof(fc.constant('md5-XUFAKrxLKna5cZ2REBfFkg=='), anyJson),
      content_type: fc.oneof(fc.constantFrom('text/plain', 'a\r\nb'), anyJson),
      length: anyJson,
      revpos: anyJson,
      encoding: fc.oneof(fc.constantFrom('gzip', 'identity', 'br'), anyJson),
    },
    { requiredKeys: [] },
  ),
  anyJson,
);
const docLike = fc.record(
  {
    _id: fc.oneof(fc.constantFrom('p1', 'p2', '_design/p', '_local/p', '_bad', '', '\ud800'), anyJson),
    _rev: revLike,
    _deleted: anyJson,
    _revisions: fc.oneof(
      fc.record(
        {
          start: fc.oneof(fc.integer({ min: -2, max: 4 }), anyJson),
          ids: fc.oneof(
            fc.array(fc.oneof(fc.constantFrom('abc', 'a'.repeat(32), ''), anyJson), { maxLength: 4 }),
            anyJson,
          ),
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    _attachments: fc.oneof(
      fc.dictionary(fc.constantFrom('a.txt', 'b', '_x'), attLike, { maxKeys: 2 }),
      anyJson,
    ),
    _conflicts: anyJson,
    _foo: anyJson,
    a: anyJson,
  },
  { requiredKeys: [] },
);
const bodyArb: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 120 }),
  anyJson.map((v) => JSON.stringify(v)),
  docLike.map((d) => JSON.stringify(d)),
  fc
    .record(
      {
        docs: fc.oneof(fc.array(docLike, { maxLength: 4 }), anyJson),
        new_edits: fc.oneof(fc.boolean(), anyJson),
        keys: anyJson,
        doc_ids: anyJson,
        selector: anyJson,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);
const ctArb = fc.constantFrom<string | null>(
  JSON_CT,
  JSON_CT,
  JSON_CT,
  'text/plain',
  'multipart/related; boundary="xyz"',
  'application/x-www-form-urlencoded',
  null,
);
const endpointArb = fc.constantFrom<[string, string]>(
  ['PUT', `/${FUZZ_DB}/p1`],
  ['PUT', `/${FUZZ_DB}/p2?new_edits=false`],
  ['PUT', `/${FUZZ_DB}/_design/p`],
  ['POST', `/${FUZZ_DB}`],
  ['POST', `/${FUZZ_DB}/_bulk_docs`],
  ['POST', `/${FUZZ_DB}/_bulk_get?revs=true&latest=true`],
  ['POST', `/${FUZZ_DB}/_revs_diff`],
  ['POST', `/${FUZZ_DB}/_all_docs?include_docs=true`],
  ['POST', `/${FUZZ_DB}/_changes`],
  ['POST', `/${FUZZ_DB}/_changes?filter=_doc_ids`],
  ['POST', `/${FUZZ_DB}/_changes?filter=_selector&include_docs=true`],
  ['PUT', `/${FUZZ_DB}/_local/p`],
  ['PUT', `/${FUZZ_DB}/_revs_limit`],
  ['PUT', `/${FUZZ_DB}/p1/att.txt`],
  ['POST', '/_session'],
);

test('property: random bodies on the write endpoints never get a 5xx; the node keeps answering', async () => {
  await fc.assert(
    fc.asyncProperty(endpointArb, bodyArb, ctArb, async ([method, path], body, ct) => {
      const res = await call(method, path, { body, ct });
      assert.ok(
        res.status < 500,
        `${method} ${path} (${ct}) ${JSON.stringify(String(body))} -> ${res.status} ${res.text}`,
      );
      if (res.status >= 400) assertCouchError(res, res.status);
    }),
    { numRuns: 600 },
  );
  // _security on its own: random JSON (not shaped like admins/members lists)
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        anyJson.map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 40 }),
      ),
      async (body) => {
        const res = await call('PUT', `/${FUZZ_DB}/_security`, { body });
        assert.ok(res.status < 500, `PUT _security ${body} -> ${res.status} ${res.text}`);
        if (res.status >= 400) assertCouchError(res, res.status);
      },
    ),
    { numRuns: 100 },
  );
  const up = await call('GET', '/_up');
  assert.equal(up.status, 200);
  // what was written reads back: the fuzz db's views of itself agree
  await assertConsistent(FUZZ_DB);
});

async function assertConsistent(db: string): Promise<void> {
  const c = await counters(db);
  const ch = await call('GET', `/${db}/_changes`);
  assert.equal(ch.status, 200, ch.text);
  const { results, last_seq } = ch.json as {
    results: Array<{ id: string; deleted?: boolean }>;
    last_seq: string;
  };
  assert.equal(last_seq, c.update_seq);
  assert.equal(results.filter((r) => !r.deleted).length, c.doc_count);
  assert.equal(results.filter((r) => r.deleted).length, c.doc_del_count);
  const all = await call('GET', `/${db}/_all_docs`);
  assert.equal(all.status, 200, all.text);
  assert.equal((all.json as { rows: unknown[] }).rows.length, c.doc_count);
}

test('after all of it: no 500 was logged, the db views agree, the node is up', async () => {
  await assertConsistent(DB);
  assert.equal((await call('GET', '/_up')).status, 200);
  assert.deepEqual(errors500, []);
});

// ---------------------------------------------------------------------------------------------------
// Cases where the node once answered a different 4xx than CouchDB 3.x; each asserts CouchDB's answer.

describe('answers that match CouchDB exactly', () => {
  test('PUT with _rev "notarev" / "-1-abc" in the body -> 400 Invalid rev format (node: 409)', async () => {
    for (const rev of ['notarev', '-1-abc'])
      assertCouchError(
        await json('PUT', `/${DB}/stale`, { _rev: rev }),
        400,
        'bad_request',
        'Invalid rev format',
      );
  });

  test('PUT ?rev=notarev -> 400 Invalid rev format (node: 409)', async () => {
    assertCouchError(
      await json('PUT', `/${DB}/stale?rev=notarev`, { v: 3 }),
      400,
      'bad_request',
      'Invalid rev format',
    );
  });

  test('_bulk_docs new_edits=false with _rev "notarev" -> whole request 400 (node: 201 + per-doc error)', async () => {
    const res = await json('POST', `/${DB}/_bulk_docs`, {
      new_edits: false,
      docs: [{ _id: 'x', _rev: 'notarev' }],
    });
    assertCouchError(res, 400, 'bad_request', 'Invalid rev format');
  });

  test('_deleted that is not a boolean -> 400 doc_validation (node: treated as false)', async () => {
    assertCouchError(
      await json('POST', `/${DB}/_bulk_docs`, { docs: [{ _id: 'del-x', _deleted: 'yes' }] }),
      400,
      'doc_validation',
      'Bad special document member: _deleted',
    );
  });

  test('POST _all_docs / _changes with a body that is not a JSON object -> 400 (node: ignored)', async () => {
    for (const path of [`/${DB}/_all_docs`, `/${DB}/_changes`])
      for (const body of ['[]', '5', 'null'])
        assertCouchError(
          await call('POST', path, { body }),
          400,
          'bad_request',
          'Request body must be a JSON object',
        );
  });

  test('POST _changes with Content-Type text/plain -> 415 (node: accepted)', async () => {
    assertCouchError(
      await call('POST', `/${DB}/_changes`, { body: '{}', ct: 'text/plain' }),
      415,
      'bad_content_type',
    );
  });

  test('`docs` that is not an array -> "`docs` parameter must be an array." (node: other reason)', async () => {
    assertCouchError(
      await json('POST', `/${DB}/_bulk_docs`, { docs: 5 }),
      400,
      'bad_request',
      '`docs` parameter must be an array.',
    );
  });

  test('405 carries Allow on _changes, _local and _config too (node: no Allow header)', async () => {
    for (const [method, path] of [
      ['DELETE', `/${DB}/_changes`],
      ['POST', `/${DB}/_local/x`],
      ['POST', '/_node/_local/_config/couchdb/uuid'],
    ] as Array<[string, string]>) {
      const res = await call(method, path);
      assertCouchError(res, 405, 'method_not_allowed');
      assert.ok(res.headers.allow, `${method} ${path}: Allow header`);
    }
  });

  test('multipart/related whose first part is not JSON -> 415 bad_content_type (node: 400)', async () => {
    const body = '--xyz\r\nContent-Type: text/plain\r\n\r\nhello\r\n--xyz--';
    assertCouchError(
      await call('PUT', `/${DB}/mp-bad`, { body, ct: 'multipart/related; boundary="xyz"' }),
      415,
      'bad_content_type',
    );
  });

  test('invalid UTF-8 inside a JSON string -> 400 invalid UTF-8 JSON (node: decoded with U+FFFD)', async () => {
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    assertCouchError(await call('PUT', `/${DB}/utf8`, { body }), 400, 'bad_request', 'invalid UTF-8 JSON');
  });
});

describe('limits and header-bound values', () => {
  test('a chunked body over max_http_request_size gets 413 too_large (not a dropped connection)', async () => {
    const small = await startNode({ port: 0, inMemory: true, maxHttpRequestSize: 1000 });
    try {
      await fetch(`${small.url}/db`, { method: 'PUT' });
      const u = new URL(small.url);
      const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: u.hostname,
            port: u.port,
            method: 'PUT',
            path: '/db/big',
            headers: { 'content-type': JSON_CT },
          },
          (r) => {
            let text = '';
            r.on('data', (c) => {
              text += c;
            });
            r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.write(`{"a":"${'x'.repeat(5000)}`); // no Content-Length: chunked
        req.end('"}');
      });
      assert.equal(res.status, 413);
      assert.deepEqual(JSON.parse(res.text), {
        error: 'too_large',
        reason: 'the request entity is too large',
      });
      const info = (await (await fetch(`${small.url}/db`)).json()) as { doc_count: number };
      assert.equal(info.doc_count, 0);
    } finally {
      await small.close();
    }
  });

  test('a non-numeric value for a numeric setting is refused instead of switching the limit off', async () => {
    const res = await json('PUT', '/_node/_local/_config/couchdb/max_document_size', '"abc"');
    assertCouchError(res, 400, 'bad_request', /max_document_size must be a non-negative integer/);
    const big = await json('PUT', `/${DB}/still-limited`, { payload: 'y'.repeat(500) });
    assertCouchError(big, 413, 'document_too_large');
  });

  test('attachment names and types with line breaks (they end up in headers) are refused at write time', async () => {
    const before = await json('GET', `/${DB}`);
    for (const [name, type] of [
      ['a\r\nb.txt', 'text/plain'],
      ['ok.txt', 'text/plain\r\nX-Evil: 1'],
    ] as Array<[string, string]>) {
      const res = await json('PUT', `/${DB}/att-crlf`, {
        _attachments: { [name]: { content_type: type, data: 'aGk=' } },
      });
      assertCouchError(res, 400, 'bad_request');
    }
    const after = await json('GET', `/${DB}`);
    assert.equal(
      (after.json as { update_seq: string }).update_seq,
      (before.json as { update_seq: string }).update_seq,
    );
  });
});

test('a replicated attachment marked gzip whose bytes are not gzip is refused, even with a length', async () => {
  const res = await json('POST', `/${DB}/_bulk_docs`, {
    new_edits: false,
    docs: [
      {
        _id: 'gz-bogus',
        _rev: '1-0123456789abcdef0123456789abcdef',
        _attachments: {
          'a.txt': {
            content_type: 'text/plain',
            data: Buffer.from('not gzip').toString('base64'),
            encoding: 'gzip',
            length: 42,
            digest: 'md5-AAAAAAAAAAAAAAAAAAAAAA==',
            revpos: 1,
          },
        },
      },
    ],
  });
  assert.equal(res.status, 201);
  assert.deepEqual(
    (res.json as Array<{ id: string; error: string }>).map((r) => [r.id, r.error]),
    [['gz-bogus', 'bad_request']],
  );
  assertCouchError(await json('GET', `/${DB}/gz-bogus`), 404, 'not_found');
});

// API answers clients rely on, as a real CouchDB 3.5.0 gave them (REFERENCE.md G3), with the exact
// bodies from CouchDB's source: couch_mrview_util:validate_args (`keys` vs a key range),
// chttpd_db:validate_revs (new_edits:false without a rev), couch_doc:transfer_fields (`_revisions`
// wins over `_rev`), couch_att:inline_from_json (non-base64 data), chttpd_db:db_req (`_local`
// attachments, POST /db and `_compact` Content-Type, 202 for `_compact` / `_view_cleanup`), couch_changes
// (a descending feed ignores `since`), chttpd_misc (`_dbs_info`, `_membership`). The
// max_document_size answers are in bulk.ts (error-413-*.json samples).
import assert from 'node:assert/strict';
import { asObject } from '../harness.ts';
import { type Area, type Ctx, JSON_CT } from './types.ts';

const HELLO = Buffer.from('hello attachments').toString('base64');
const R1 = 'a'.repeat(32);
const R2 = 'b'.repeat(32);
const KEYS_VS_RANGE = {
  error: 'query_parse_error',
  reason: '`keys` is incompatible with `key`, `start_key` and `end_key`',
};
const LOCAL_ATT = { error: 'bad_request', reason: '_local documents do not accept attachments.' };
const BAD_CT = { error: 'bad_content_type', reason: 'Content-Type must be application/json' };

async function withAtt(ctx: Ctx): Promise<void> {
  await ctx.ok('PUT', '/{db}/withatt', {
    body: { t: 1, _attachments: { 'a.bin': { content_type: 'application/octet-stream', data: HELLO } } },
  });
}

/** The one row's doc carries the attachment inline: `data`, no `stub`. */
function inlined(res: { json: unknown }): void {
  const rows = asObject(res.json).rows as Array<{ doc: { _attachments: Record<string, unknown> } }>;
  assert.equal(rows.length, 1);
  const att = asObject(rows[0]?.doc._attachments['a.bin'], 'attachment');
  assert.equal(att.data, HELLO);
  assert.equal(att.stub, undefined);
  assert.equal(att.content_type, 'application/octet-stream');
}

export const fidelityArea: Area = {
  name: 'fidelity (REFERENCE.md G3)',
  cases: [
    {
      name: 'GET _all_docs?include_docs=true&attachments=true inlines base64 data',
      setup: withAtt,
      request: { method: 'GET', path: '/{db}/_all_docs?include_docs=true&attachments=true' },
      expect: { status: 200, contentType: JSON_CT, check: inlined },
    },
    {
      name: 'POST _all_docs?include_docs=true&attachments=true with keys inlines base64 data',
      setup: withAtt,
      request: {
        method: 'POST',
        path: '/{db}/_all_docs?include_docs=true&attachments=true',
        body: { keys: ['withatt'] },
      },
      expect: { status: 200, contentType: JSON_CT, check: inlined },
    },
    {
      name: 'GET _changes?descending=true&since=0 returns rows (since is ignored when descending)',
      setup: async (ctx) => {
        await ctx.ok('PUT', '/{db}/first', { body: { n: 1 } });
        await ctx.ok('PUT', '/{db}/second', { body: { n: 2 } });
      },
      request: { method: 'GET', path: '/{db}/_changes?descending=true&since=0' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          const ids = (asObject(res.json).results as Array<{ id: string }>).map((r) => r.id);
          assert.deepEqual(ids, ['second', 'first']);
        },
      },
    },
    {
      name: 'GET _all_docs with keys and startkey -> 400 query_parse_error',
      request: { method: 'GET', path: '/{db}/_all_docs?keys=%5B%22a%22%5D&startkey=%22a%22' },
      expect: { status: 400, contentType: JSON_CT, body: KEYS_VS_RANGE },
    },
    {
      name: 'POST _all_docs {keys} with ?key= -> 400 query_parse_error',
      request: { method: 'POST', path: '/{db}/_all_docs?key=%22a%22', body: { keys: ['a'] } },
      expect: { status: 400, contentType: JSON_CT, body: KEYS_VS_RANGE },
    },
    {
      name: '_bulk_docs new_edits:false with a doc lacking _rev/_revisions -> 400, nothing written',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: {
          new_edits: false,
          docs: [
            { _id: 'hasrev', _rev: `1-${R1}`, a: 1 },
            { _id: 'norev', a: 2 },
          ],
        },
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: {
          error: 'bad_request',
          reason: 'When `new_edits: false`, the document needs `_rev` or `_revisions` specified',
        },
        check: async (_res, ctx) => {
          assert.equal((await ctx.http('GET', '/{db}/hasrev')).status, 404);
          assert.equal((await ctx.http('GET', '/{db}/norev')).status, 404);
        },
      },
    },
    {
      name: '_bulk_docs new_edits:false whose _rev and _revisions disagree: accepted, _revisions wins',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: {
          new_edits: false,
          docs: [{ _id: 'r', _rev: `1-${R1}`, _revisions: { start: 2, ids: [R2, R1] }, v: 1 }],
        },
      },
      expect: {
        status: 201,
        contentType: JSON_CT,
        body: [],
        check: async (_res, ctx) => {
          const doc = await ctx.ok('GET', '/{db}/r?revs=true');
          assert.equal(doc._rev, `2-${R2}`);
          assert.deepEqual(doc._revisions, { start: 2, ids: [R2, R1] });
        },
      },
    },
    {
      name: 'PUT doc with non-base64 inline attachment data -> 400 "Invalid attachment data for NAME"',
      request: {
        method: 'PUT',
        path: '/{db}/badatt',
        body: { _attachments: { 'x.txt': { content_type: 'text/plain', data: 'not base64!' } } },
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'Invalid attachment data for x.txt' },
      },
    },
    {
      name: 'GET /db/_local/doc/att -> 400 "_local documents do not accept attachments."',
      setup: async (ctx) => {
        await ctx.ok('PUT', '/{db}/_local/doc', { body: { a: 1 } });
      },
      request: { method: 'GET', path: '/{db}/_local/doc/att' },
      expect: { status: 400, contentType: JSON_CT, body: LOCAL_ATT },
    },
    {
      name: 'PUT /db/_local/doc/att -> 400 "_local documents do not accept attachments."',
      request: {
        method: 'PUT',
        path: '/{db}/_local/doc/att',
        body: 'bytes',
        headers: { 'Content-Type': 'text/plain' },
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: LOCAL_ATT,
        check: async (_res, ctx) => assert.equal((await ctx.http('GET', '/{db}/_local/doc')).status, 404),
      },
    },
    {
      name: 'DELETE /db/_local/doc/att -> 400 "_local documents do not accept attachments."',
      request: { method: 'DELETE', path: '/{db}/_local/doc/att?rev=0-1' },
      expect: { status: 400, contentType: JSON_CT, body: LOCAL_ATT },
    },
    {
      name: 'POST /db with Content-Type text/plain -> 415 bad_content_type',
      request: {
        method: 'POST',
        path: '/{db}',
        body: '{"a":1}',
        headers: { 'Content-Type': 'text/plain' },
      },
      expect: {
        status: 415,
        contentType: JSON_CT,
        body: BAD_CT,
        check: async (_res, ctx) => assert.equal((await ctx.ok('GET', '/{db}')).doc_count, 0),
      },
    },
    {
      name: 'GET /_dbs_info?startkey=&endkey= (admin): [{key, info}] for that db',
      request: (ctx) => {
        const k = encodeURIComponent(JSON.stringify(ctx.db));
        return { method: 'GET', path: `/_dbs_info?startkey=${k}&endkey=${k}` };
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res, ctx) => {
          const rows = res.json as Array<{ key: string; info: { db_name: string; doc_count: number } }>;
          assert.equal(rows.length, 1);
          assert.deepEqual(Object.keys(rows[0] ?? {}), ['key', 'info']);
          assert.equal(rows[0]?.key, ctx.db);
          assert.equal(rows[0]?.info.db_name, ctx.db);
          assert.equal(rows[0]?.info.doc_count, 0);
        },
      },
    },
    {
      name: 'POST /_dbs_info {keys}: rows in key order, an unknown db -> {key, error:"not_found"}',
      request: (ctx) => ({
        method: 'POST',
        path: '/_dbs_info',
        body: { keys: ['cm_conf_no_such_db', ctx.db] },
      }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res, ctx) => {
          const rows = res.json as Array<Record<string, unknown>>;
          assert.equal(rows.length, 2);
          assert.deepEqual(rows[0], { key: 'cm_conf_no_such_db', error: 'not_found' });
          assert.equal(rows[1]?.key, ctx.db);
          assert.equal(asObject(rows[1]?.info, 'info').db_name, ctx.db);
        },
      },
    },
    {
      name: 'anonymous GET and POST /_dbs_info -> 401 (admin_only_all_dbs, chttpd_dbs_info_test)',
      db: 'none',
      request: { method: 'POST', path: '/_dbs_info', body: { keys: ['_users'] }, auth: 'none' },
      expect: {
        status: 401,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          assert.equal(asObject(res.json).error, 'unauthorized');
          assert.equal((await ctx.http('GET', '/_dbs_info', { auth: 'none' })).status, 401);
        },
      },
    },
    {
      name: 'GET /_membership: {all_nodes, cluster_nodes} of node names',
      db: 'none',
      request: { method: 'GET', path: '/_membership' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        keys: ['all_nodes', 'cluster_nodes'],
        check: (res) => {
          const b = asObject(res.json);
          for (const k of ['all_nodes', 'cluster_nodes']) {
            const nodes = b[k] as unknown[];
            assert.ok(Array.isArray(nodes) && nodes.length >= 1, k);
            for (const n of nodes) assert.match(String(n), /^[^@]+@.+$/);
          }
        },
      },
    },
    {
      name: 'POST /db/_compact (admin, application/json) -> 202 {"ok":true}',
      request: { method: 'POST', path: '/{db}/_compact', body: {} },
      expect: { status: 202, contentType: JSON_CT, body: { ok: true } },
    },
    {
      name: 'POST /db/_compact with Content-Type text/plain -> 415',
      request: {
        method: 'POST',
        path: '/{db}/_compact',
        body: '{}',
        headers: { 'Content-Type': 'text/plain' },
      },
      expect: { status: 415, contentType: JSON_CT, body: BAD_CT },
    },
    {
      name: 'POST /db/_view_cleanup -> 202 {"ok":true}',
      request: { method: 'POST', path: '/{db}/_view_cleanup', body: {} },
      expect: { status: 202, contentType: JSON_CT, body: { ok: true } },
    },
    {
      name: 'anonymous POST /db/_compact -> 401',
      request: { method: 'POST', path: '/{db}/_compact', body: {}, auth: 'none' },
      expect: {
        status: 401,
        contentType: JSON_CT,
        check: (res) => assert.equal(asObject(res.json).error, 'unauthorized'),
      },
    },
  ],
};

// Database endpoints: create, 412, info, 404, delete, _revs_limit, _ensure_full_commit.
import assert from 'node:assert/strict';
import { asObject, type Res, seqNum } from '../harness.ts';
import { seedAllDocs, seedErrdb } from './fixtures.ts';
import { type Area, type Ctx, JSON_CT } from './types.ts';

const DB_INFO_KEYS = [
  'instance_start_time',
  'db_name',
  'purge_seq',
  'update_seq',
  'sizes',
  'props',
  'doc_del_count',
  'doc_count',
  'disk_format_version',
  'compact_running',
  'cluster',
];

/** The db-info shape the replicator and clients read (values that depend on time or storage are shape-checked). */
export function checkDbInfo(res: Res, ctx: Ctx, counts?: { doc_count: number; doc_del_count: number }): void {
  const b = asObject(res.json);
  assert.deepEqual(Object.keys(b).sort(), [...DB_INFO_KEYS].sort(), 'db info key set');
  assert.equal(b.db_name, ctx.db);
  assert.match(b.instance_start_time, /^\d+$/, 'instance_start_time is a string of digits');
  seqNum(b.update_seq, 'update_seq');
  seqNum(b.purge_seq, 'purge_seq');
  assert.deepEqual(Object.keys(b.sizes).sort(), ['active', 'external', 'file']);
  for (const k of ['active', 'external', 'file']) assert.equal(typeof b.sizes[k], 'number', `sizes.${k}`);
  assert.deepEqual(b.props, {});
  assert.ok(Number.isInteger(b.disk_format_version), 'disk_format_version');
  assert.equal(b.compact_running, false);
  assert.deepEqual(Object.keys(b.cluster).sort(), ['n', 'q', 'r', 'w']);
  if (counts) {
    assert.equal(b.doc_count, counts.doc_count, 'doc_count');
    assert.equal(b.doc_del_count, counts.doc_del_count, 'doc_del_count');
  }
}

export const dbArea: Area = {
  name: 'database',
  cases: [
    {
      name: 'PUT /db -> 201 {ok:true} with Location',
      sample: 'db-create-201.json',
      db: 'none',
      request: { method: 'PUT', path: '/{db}' },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        headers: { location: new RegExp(`^http://[^/]+/${ctx.db}$`) },
        body: { ok: true },
      }),
    },
    {
      name: 'PUT existing db -> 412 file_exists',
      sample: 'error-412-db-exists.json',
      request: { method: 'PUT', path: '/{db}' },
      expect: {
        status: 412,
        contentType: JSON_CT,
        body: { error: 'file_exists', reason: 'The database could not be created, the file already exists.' },
      },
    },
    {
      name: 'PUT /BadName -> 400 illegal_database_name',
      db: 'none',
      request: { method: 'PUT', path: '/Cm_Conf_Bad' },
      expect: {
        status: 400,
        contentType: JSON_CT,
        check: (res) => assert.equal(asObject(res.json).error, 'illegal_database_name'),
      },
    },
    {
      name: 'GET /db info (5 docs, 1 deleted)',
      sample: 'db-info.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { 'cache-control': 'must-revalidate' },
        check: (res, ctx) => {
          checkDbInfo(res, ctx, { doc_count: 5, doc_del_count: 1 });
          assert.ok(seqNum(asObject(res.json).update_seq) >= 7, 'update_seq counts the 7 updates');
        },
      },
    },
    {
      name: 'GET /db info (1 doc, 1 deleted)',
      sample: 'db-info-empty-new-db.json',
      setup: seedErrdb,
      request: { method: 'GET', path: '/{db}' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res, ctx) => checkDbInfo(res, ctx, { doc_count: 1, doc_del_count: 1 }),
      },
    },
    {
      name: 'GET /db/ (trailing slash, as the replicator sends it)',
      request: { method: 'GET', path: '/{db}/' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res, ctx) => checkDbInfo(res, ctx, { doc_count: 0, doc_del_count: 0 }),
      },
    },
    {
      name: 'GET missing db -> 404 Database does not exist.',
      sample: 'error-404-missing-db.json',
      db: 'none',
      request: { method: 'GET', path: '/{db}' },
      expect: {
        status: 404,
        contentType: JSON_CT,
        body: { error: 'not_found', reason: 'Database does not exist.' },
      },
    },
    {
      name: 'GET doc of a missing db -> 404 Database does not exist.',
      sample: 'error-404-missing-db-doc.json',
      db: 'none',
      request: { method: 'GET', path: '/{db}/some-doc' },
      expect: {
        status: 404,
        contentType: JSON_CT,
        body: { error: 'not_found', reason: 'Database does not exist.' },
      },
    },
    {
      name: 'DELETE /db -> 200 {ok:true}',
      request: { method: 'DELETE', path: '/{db}' },
      expect: { status: 200, contentType: JSON_CT, body: { ok: true } },
    },
    {
      name: 'GET after DELETE /db -> 404',
      setup: async (ctx) => {
        await ctx.ok('DELETE', '/{db}');
      },
      request: { method: 'GET', path: '/{db}' },
      expect: {
        status: 404,
        contentType: JSON_CT,
        body: { error: 'not_found', reason: 'Database does not exist.' },
      },
    },
    {
      name: 'GET /db/_revs_limit -> 1000',
      request: { method: 'GET', path: '/{db}/_revs_limit' },
      expect: { status: 200, contentType: JSON_CT, body: 1000 },
    },
    {
      name: 'PUT /db/_revs_limit 17 then GET -> 17',
      setup: async (ctx) => {
        const res = await ctx.http('PUT', '/{db}/_revs_limit', {
          body: '17',
          headers: { 'Content-Type': 'application/json' },
        });
        assert.equal(res.status, 200, `PUT _revs_limit: ${res.text}`);
        assert.deepEqual(res.json, { ok: true }, 'PUT _revs_limit answers {ok:true}');
      },
      request: { method: 'GET', path: '/{db}/_revs_limit' },
      expect: { status: 200, contentType: JSON_CT, body: 17 },
    },
    {
      name: 'POST /db/_ensure_full_commit -> 201 {ok, instance_start_time} (same as db info)',
      setup: async (ctx) => {
        ctx.vars.ist = (await ctx.ok('GET', '/{db}')).instance_start_time;
      },
      request: {
        method: 'POST',
        path: '/{db}/_ensure_full_commit',
        headers: { 'Content-Type': 'application/json' },
      },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        body: { ok: true, instance_start_time: ctx.vars.ist },
      }),
    },
  ],
};

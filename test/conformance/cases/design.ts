// Design-document JavaScript as CouchDB 3.5.0 runs it (REFERENCE.md G3; couch_db:validate_doc_update,
// couch_query_servers, share/server/validate.js and filter.js, couch_changes):
// - `validate_doc_update` throwing `{forbidden: R}` -> 403 {"error":"forbidden","reason":R};
//   `{unauthorized: R}` -> 401; it sees the revision being replaced as oldDoc; in `_bulk_docs` only the
//   refused doc fails (interactive, and replicated with `new_edits:false`).
// - `_changes?filter=ddoc/name` runs the design doc's filter with `req.query`; a missing function is 404
//   `missing json key: NAME` (couch_util:get_nested_json_value), a missing design doc 404;
//   `filter=_view&view=ddoc/v` returns only the changes the view's map emits for.
import assert from 'node:assert/strict';
import { asObject } from '../harness.ts';
import { type Area, type Ctx, JSON_CT } from './types.ts';

const VDU = `function (newDoc, oldDoc, userCtx, secObj) {
  if (newDoc.bad) throw ({ forbidden: 'no bad docs' });
  if (newDoc.anon) throw ({ unauthorized: 'log in first' });
  if (oldDoc && oldDoc.locked) throw ({ forbidden: 'locked' });
}`;

async function withVdu(ctx: Ctx): Promise<void> {
  await ctx.ok('PUT', '/{db}/_design/rules', { body: { validate_doc_update: VDU } });
}

async function withFilters(ctx: Ctx): Promise<void> {
  await ctx.ok('PUT', '/{db}/_design/app', {
    body: {
      filters: { by_type: 'function (doc, req) { return doc.type === (req.query.type || "reading"); }' },
      views: { hot: { map: 'function (doc) { if (doc.t > 30) emit(doc._id, null); }' } },
    },
  });
  await ctx.ok('POST', '/{db}/_bulk_docs', {
    body: {
      docs: [
        { _id: 'r1', type: 'reading', t: 20 },
        { _id: 'r2', type: 'reading', t: 40 },
        { _id: 'n1', type: 'note', t: 50 },
      ],
    },
  });
}

/** Status and `error` only, where CouchDB's exact `reason` is not recorded (see the README). */
const errorIs = (status: number, error: string) => ({
  status,
  contentType: JSON_CT,
  check: (res: { json: unknown }) => assert.equal(asObject(res.json).error, error),
});

const ids = (res: { json: unknown }) =>
  (asObject(res.json).results as Array<{ id: string }>).map((r) => r.id).sort();

export const designArea: Area = {
  name: 'design-document JavaScript (REFERENCE.md G3)',
  cases: [
    {
      name: 'validate_doc_update throwing {forbidden} -> 403 with its reason',
      setup: withVdu,
      request: { method: 'PUT', path: '/{db}/b1', body: { bad: true } },
      expect: { status: 403, contentType: JSON_CT, body: { error: 'forbidden', reason: 'no bad docs' } },
    },
    {
      name: 'validate_doc_update throwing {unauthorized} -> 401 with its reason',
      setup: withVdu,
      request: { method: 'PUT', path: '/{db}/a1', body: { anon: true } },
      expect: { status: 401, contentType: JSON_CT, body: { error: 'unauthorized', reason: 'log in first' } },
    },
    {
      name: 'validate_doc_update sees the revision being replaced as oldDoc',
      setup: async (ctx) => {
        await withVdu(ctx);
        ctx.vars.rev = (await ctx.ok('PUT', '/{db}/l1', { body: { locked: true } })).rev;
      },
      request: (ctx) => ({ method: 'PUT', path: '/{db}/l1', body: { _rev: ctx.vars.rev, locked: false } }),
      expect: { status: 403, contentType: JSON_CT, body: { error: 'forbidden', reason: 'locked' } },
    },
    {
      name: '_bulk_docs: the doc a VDU refuses gets {error: forbidden}, the others are written',
      setup: withVdu,
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: { docs: [{ _id: 'g1' }, { _id: 'b1', bad: true }, { _id: 'g2' }] },
      },
      expect: {
        status: 201,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          const rows = res.json as Array<Record<string, unknown>>;
          assert.equal(rows[0]?.ok, true);
          assert.deepEqual(rows[1], { id: 'b1', error: 'forbidden', reason: 'no bad docs' });
          assert.equal(rows[2]?.ok, true);
          assert.equal((await ctx.http('GET', '/{db}/b1')).status, 404);
          assert.equal((await ctx.http('GET', '/{db}/g2')).status, 200);
        },
      },
    },
    {
      name: '_bulk_docs new_edits:false: a replicated revision a VDU refuses fails alone',
      setup: withVdu,
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: {
          new_edits: false,
          docs: [
            { _id: 'x1', _rev: `1-${'a'.repeat(32)}`, bad: true },
            { _id: 'x2', _rev: `1-${'b'.repeat(32)}` },
          ],
        },
      },
      expect: {
        status: 201,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          const rows = res.json as Array<Record<string, unknown>>;
          assert.equal(rows.length, 1);
          assert.equal(rows[0]?.id, 'x1');
          assert.equal(rows[0]?.error, 'forbidden');
          assert.equal(rows[0]?.reason, 'no bad docs');
          assert.equal((await ctx.http('GET', '/{db}/x1')).status, 404);
          assert.equal((await ctx.http('GET', '/{db}/x2')).status, 200);
        },
      },
    },
    {
      name: '_changes?filter=ddoc/name runs the filter (default query)',
      setup: withFilters,
      request: { method: 'GET', path: '/{db}/_changes?filter=app/by_type' },
      expect: { status: 200, contentType: JSON_CT, check: (res) => assert.deepEqual(ids(res), ['r1', 'r2']) },
    },
    {
      name: '_changes?filter=ddoc/name&type=note: the filter reads req.query',
      setup: withFilters,
      request: { method: 'GET', path: '/{db}/_changes?filter=app/by_type&type=note' },
      expect: { status: 200, contentType: JSON_CT, check: (res) => assert.deepEqual(ids(res), ['n1']) },
    },
    {
      name: 'POST _changes?filter=ddoc/name runs the filter too',
      setup: withFilters,
      request: { method: 'POST', path: '/{db}/_changes?filter=app/by_type', body: {} },
      expect: { status: 200, contentType: JSON_CT, check: (res) => assert.deepEqual(ids(res), ['r1', 'r2']) },
    },
    {
      name: '_changes?filter=ddoc/missing -> 404 missing json key',
      setup: withFilters,
      request: { method: 'GET', path: '/{db}/_changes?filter=app/nope' },
      expect: {
        status: 404,
        contentType: JSON_CT,
        body: { error: 'not_found', reason: 'missing json key: nope' },
      },
    },
    {
      name: '_changes?filter=missingddoc/name -> 404 not_found',
      request: { method: 'GET', path: '/{db}/_changes?filter=nodoc/nope' },
      expect: errorIs(404, 'not_found'),
    },
    {
      name: '_changes?filter=_view&view=ddoc/v returns only the docs the map emits for',
      setup: withFilters,
      request: { method: 'GET', path: '/{db}/_changes?filter=_view&view=app/hot' },
      expect: { status: 200, contentType: JSON_CT, check: (res) => assert.deepEqual(ids(res), ['n1', 'r2']) },
    },
    {
      name: '_changes?filter=_view without view -> 400 bad_request',
      setup: withFilters,
      request: { method: 'GET', path: '/{db}/_changes?filter=_view' },
      expect: errorIs(400, 'bad_request'),
    },
  ],
};

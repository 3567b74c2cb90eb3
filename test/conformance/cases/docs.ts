// Document endpoints: PUT/POST/GET/HEAD/DELETE, rev/revs/revs_info/open_revs/conflicts/latest, 4xx errors.
import assert from 'node:assert/strict';
import { asObject } from '../harness.ts';
import { CDOC_DOCS, REV, seedCdoc, seedDoc1, seedDocs, seedErrdb } from './fixtures.ts';
import { type Area, JSON_CT } from './types.ts';

/** JSON query-string value, percent-encoded like CouchDB clients send it. */
export const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const etag = (rev: string) => `"${rev}"`;
const ACCEPT_JSON = { Accept: 'application/json' };

const doc1 = (n: 1 | 2 | 3) => {
  const rev = [REV.doc1_1, REV.doc1_2, REV.doc1_3][n - 1]!;
  const tags = n === 3 ? ['a', 'b', 'c'] : ['a', 'b'];
  return { _id: 'doc1', _rev: rev, name: 'alpha', n, tags };
};
const hex = (rev: string) => rev.slice(rev.indexOf('-') + 1);
const cdocA = { _id: 'cdoc', _rev: REV.cdoc_a, v: 'a' };
const cdocB = { _id: 'cdoc', _rev: REV.cdoc_b, v: 'b' };
const cdocC = { _id: 'cdoc', _rev: REV.cdoc_c, v: 'c', _deleted: true };
const conflictsErr = { error: 'conflict', reason: 'Document update conflict.' };
const illegalId = { error: 'illegal_docid', reason: 'Only reserved document ids may start with underscore.' };

export const docsArea: Area = {
  name: 'documents',
  cases: [
    {
      name: 'PUT new doc -> 201 {ok,id,rev} with ETag and Location',
      sample: 'doc-put-201.json',
      request: { method: 'PUT', path: '/{db}/doc1', body: { name: 'alpha', n: 1, tags: ['a', 'b'] } },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        headers: { etag: etag(REV.doc1_1), location: new RegExp(`^http://[^/]+/${ctx.db}/doc1$`) },
        body: { ok: true, id: 'doc1', rev: REV.doc1_1 },
      }),
    },
    {
      name: 'PUT with _rev -> 201 next rev',
      sample: 'doc-put-update-201.json',
      setup: (ctx) => seedDoc1(ctx, 2),
      request: {
        method: 'PUT',
        path: '/{db}/doc1',
        body: { _rev: REV.doc1_2, name: 'alpha', n: 3, tags: ['a', 'b', 'c'] },
      },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        headers: { etag: etag(REV.doc1_3), location: new RegExp(`^http://[^/]+/${ctx.db}/doc1$`) },
        body: { ok: true, id: 'doc1', rev: REV.doc1_3 },
      }),
    },
    {
      name: 'GET doc: _id, _rev first, body in stored order, ETag',
      sample: 'doc-get-200.json',
      setup: (ctx) => seedDoc1(ctx, 1),
      request: { method: 'GET', path: '/{db}/doc1' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: etag(REV.doc1_1), 'cache-control': 'must-revalidate' },
        body: doc1(1),
      },
    },
    {
      name: 'HEAD doc: 200, ETag, empty body',
      sample: 'doc-head-200.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: { method: 'HEAD', path: '/{db}/doc1' },
      expect: { status: 200, contentType: JSON_CT, headers: { etag: etag(REV.doc1_3) }, text: '' },
    },
    {
      name: 'HEAD missing doc -> 404, empty body',
      request: { method: 'HEAD', path: '/{db}/nope' },
      expect: { status: 404, text: '' },
    },
    {
      name: 'POST /db without _id: generated 32-hex id, Location',
      sample: 'doc-post-201-generated-id.json',
      request: { method: 'POST', path: '/{db}', body: { kind: 'posted' } },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        keys: ['ok', 'id', 'rev'],
        check: (res) => {
          const b = asObject(res.json);
          assert.equal(b.ok, true);
          assert.match(b.id, /^[0-9a-f]{32}$/);
          assert.equal(b.rev, '1-69a5cd457757955ff8c399f02b75e3f2');
          assert.match(String(res.headers.location), new RegExp(`^http://[^/]+/${ctx.db}/${b.id}$`));
        },
      }),
    },
    {
      name: 'GET doc?revs=true: _revisions {start, ids}',
      sample: 'doc-get-revs-true.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: { method: 'GET', path: '/{db}/doc1?revs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: etag(REV.doc1_3) },
        body: {
          ...doc1(3),
          _revisions: { start: 3, ids: [hex(REV.doc1_3), hex(REV.doc1_2), hex(REV.doc1_1)] },
        },
      },
    },
    {
      name: 'GET doc?revs_info=true: all available',
      sample: 'doc-get-revs-info-true.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: { method: 'GET', path: '/{db}/doc1?revs_info=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          ...doc1(3),
          _revs_info: [
            { rev: REV.doc1_3, status: 'available' },
            { rev: REV.doc1_2, status: 'available' },
            { rev: REV.doc1_1, status: 'available' },
          ],
        },
      },
    },
    {
      name: 'GET doc?local_seq=true: integer _local_seq last',
      sample: 'doc-get-local-seq-true.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: { method: 'GET', path: '/{db}/doc1?local_seq=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        keys: ['_id', '_rev', 'name', 'n', 'tags', '_local_seq'],
        check: (res) => {
          const b = asObject(res.json);
          assert.ok(Number.isInteger(b._local_seq) && b._local_seq > 0, `_local_seq ${b._local_seq}`);
          const { _local_seq, ...rest } = b;
          assert.deepEqual(rest, doc1(3));
        },
      },
    },
    {
      name: 'GET doc?rev=<old rev>: old body (not compacted)',
      sample: 'doc-get-specific-old-rev.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: { method: 'GET', path: `/{db}/doc1?rev=${REV.doc1_1}` },
      expect: { status: 200, contentType: JSON_CT, headers: { etag: etag(REV.doc1_1) }, body: doc1(1) },
    },
    {
      name: 'GET doc?rev=<old>&latest=true: current leaf',
      sample: 'doc-get-rev-latest-true.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: { method: 'GET', path: `/{db}/doc1?rev=${REV.doc1_1}&latest=true` },
      expect: { status: 200, contentType: JSON_CT, headers: { etag: etag(REV.doc1_3) }, body: doc1(3) },
    },
    {
      name: 'GET doc?open_revs=[old]&latest=true: latest leaf',
      sample: 'doc-get-open-revs-latest-true.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: {
        method: 'GET',
        path: `/{db}/doc1?open_revs=${q([REV.doc1_1])}&latest=true`,
        headers: ACCEPT_JSON,
      },
      expect: { status: 200, contentType: JSON_CT, body: [{ ok: doc1(3) }] },
    },
    {
      name: 'GET doc?open_revs=[old] without latest: the old rev itself',
      sample: 'doc-get-open-revs-without-latest.json',
      setup: (ctx) => seedDoc1(ctx, 3),
      request: { method: 'GET', path: `/{db}/doc1?open_revs=${q([REV.doc1_1])}`, headers: ACCEPT_JSON },
      expect: { status: 200, contentType: JSON_CT, body: [{ ok: doc1(1) }] },
    },
    {
      name: 'POST _bulk_docs new_edits:false with _revisions (root, 2 live leaves, 1 deleted) -> 201 []',
      sample: 'bulk-docs-new-edits-false-with-revisions.json',
      request: { method: 'POST', path: '/{db}/_bulk_docs', body: { docs: CDOC_DOCS, new_edits: false } },
      expect: { status: 201, contentType: JSON_CT, body: [] },
    },
    {
      name: 'GET conflicted doc: winner is the greatest live leaf',
      setup: seedCdoc,
      request: { method: 'GET', path: '/{db}/cdoc' },
      expect: { status: 200, contentType: JSON_CT, headers: { etag: etag(REV.cdoc_b) }, body: cdocB },
    },
    {
      name: 'GET doc?open_revs=all: every leaf incl. deleted, sorted by rev',
      sample: 'doc-get-open-revs-all.json',
      setup: seedDocs,
      request: { method: 'GET', path: '/{db}/cdoc?open_revs=all', headers: ACCEPT_JSON },
      expect: { status: 200, contentType: JSON_CT, body: [{ ok: cdocA }, { ok: cdocC }, { ok: cdocB }] },
    },
    {
      name: 'GET doc?open_revs=all&revs=true: each leaf with _revisions',
      sample: 'doc-get-open-revs-all-revs-true.json',
      setup: seedDocs,
      request: { method: 'GET', path: '/{db}/cdoc?open_revs=all&revs=true', headers: ACCEPT_JSON },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: [cdocA, cdocC, cdocB].map((d) => ({
          ok: { ...d, _revisions: { start: 2, ids: [hex(d._rev), hex(REV.cdoc_root)] } },
        })),
      },
    },
    {
      name: 'GET doc?open_revs=[existing, missing]: {ok} and {missing}',
      sample: 'doc-get-open-revs-list-with-missing.json',
      setup: seedDocs,
      request: {
        method: 'GET',
        path: `/{db}/cdoc?open_revs=${q([REV.cdoc_a, '3-4101bef8794fed986e95dfb54850c68b'])}`,
        headers: ACCEPT_JSON,
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: [{ ok: cdocA }, { missing: '3-4101bef8794fed986e95dfb54850c68b' }],
      },
    },
    {
      name: 'GET doc?conflicts=true: _conflicts (live losers)',
      sample: 'doc-get-conflicts-true.json',
      setup: seedDocs,
      request: { method: 'GET', path: '/{db}/cdoc?conflicts=true' },
      expect: { status: 200, contentType: JSON_CT, body: { ...cdocB, _conflicts: [REV.cdoc_a] } },
    },
    {
      name: 'GET doc?deleted_conflicts=true: _deleted_conflicts',
      sample: 'doc-get-deleted-conflicts-true.json',
      setup: seedDocs,
      request: { method: 'GET', path: '/{db}/cdoc?deleted_conflicts=true' },
      expect: { status: 200, contentType: JSON_CT, body: { ...cdocB, _deleted_conflicts: [REV.cdoc_c] } },
    },
    {
      name: 'GET doc?conflicts&deleted_conflicts&revs_info: meta fields in CouchDB order',
      sample: 'doc-get-conflicts-and-deleted-conflicts.json',
      setup: seedDocs,
      request: { method: 'GET', path: '/{db}/cdoc?conflicts=true&deleted_conflicts=true&revs_info=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          ...cdocB,
          _revs_info: [
            { rev: REV.cdoc_b, status: 'available' },
            { rev: REV.cdoc_root, status: 'available' },
          ],
          _conflicts: [REV.cdoc_a],
          _deleted_conflicts: [REV.cdoc_c],
        },
      },
    },
    {
      name: 'DELETE doc?rev= -> 200 {ok,id,rev} (tombstone rev as CouchDB computes it)',
      setup: async (ctx) => {
        await ctx.ok('PUT', '/{db}/a3', { body: { type: 'note', i: 2 } });
      },
      request: { method: 'DELETE', path: `/{db}/a3?rev=${REV.a3_1}` },
      expect: { status: 200, contentType: JSON_CT, body: { ok: true, id: 'a3', rev: REV.a3_2 } },
    },
    {
      name: 'GET missing doc -> 404 missing',
      sample: 'error-404-missing-doc.json',
      setup: seedErrdb,
      request: { method: 'GET', path: '/{db}/no-such-doc' },
      expect: { status: 404, contentType: JSON_CT, body: { error: 'not_found', reason: 'missing' } },
    },
    {
      name: 'GET deleted doc -> 404 deleted',
      sample: 'error-404-deleted-doc.json',
      setup: seedErrdb,
      request: { method: 'GET', path: '/{db}/gone' },
      expect: { status: 404, contentType: JSON_CT, body: { error: 'not_found', reason: 'deleted' } },
    },
    {
      name: 'PUT existing doc without _rev -> 409',
      sample: 'error-409-conflict-put-existing-without-rev.json',
      setup: seedErrdb,
      request: { method: 'PUT', path: '/{db}/stale', body: { v: 4 } },
      expect: { status: 409, contentType: JSON_CT, body: conflictsErr },
    },
    {
      name: 'PUT with a stale _rev -> 409',
      sample: 'error-409-conflict-stale-rev.json',
      setup: seedErrdb,
      request: { method: 'PUT', path: '/{db}/stale', body: { _rev: REV.stale_1, v: 3 } },
      expect: { status: 409, contentType: JSON_CT, body: conflictsErr },
    },
    {
      name: 'DELETE without rev -> 409',
      sample: 'error-409-delete-without-rev.json',
      setup: seedErrdb,
      request: { method: 'DELETE', path: '/{db}/stale' },
      expect: { status: 409, contentType: JSON_CT, body: conflictsErr },
    },
    {
      name: 'GET doc?rev=notarev -> 400 Invalid rev format',
      sample: 'error-400-bad-rev-format.json',
      setup: seedErrdb,
      request: { method: 'GET', path: '/{db}/stale?rev=notarev' },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'Invalid rev format' },
      },
    },
    {
      name: 'PUT /db/_foo -> 400 illegal_docid',
      sample: 'error-400-illegal-docid-underscore-put.json',
      request: { method: 'PUT', path: '/{db}/_foo', body: { a: 1 } },
      expect: { status: 400, contentType: JSON_CT, body: illegalId },
    },
    {
      name: 'POST /db {_id:"_foo"} -> 400 illegal_docid',
      sample: 'error-400-illegal-docid-underscore-post.json',
      request: { method: 'POST', path: '/{db}', body: { _id: '_foo', a: 1 } },
      expect: { status: 400, contentType: JSON_CT, body: illegalId },
    },
    {
      name: 'PUT doc with truncated JSON -> 400 invalid UTF-8 JSON',
      sample: 'error-400-invalid-json-body.json',
      request: {
        method: 'PUT',
        path: '/{db}/badjson',
        body: '{"a": 1,',
        headers: { 'Content-Type': 'application/json' },
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'invalid UTF-8 JSON' },
      },
    },
  ],
};

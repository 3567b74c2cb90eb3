// _bulk_docs, _bulk_get, _revs_diff, and the whole-request errors (400, 413, 415).
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { asObject, assertJson, assertKeyOrder, parseMultipart } from '../harness.ts';
import {
  ATT,
  DATA_B64,
  EXTRA_TEXT,
  follows,
  HELLO_B64,
  inline,
  REV,
  seedAllDocs,
  seedAtt,
  seedDocs,
  stub,
} from './fixtures.ts';
import { type Area, JSON_CT } from './types.ts';

const hex = (rev: string) => rev.slice(rev.indexOf('-') + 1);
const doc1v3 = { _id: 'doc1', _rev: REV.doc1_3, name: 'alpha', n: 3, tags: ['a', 'b', 'c'] };
const doc1Revs3 = { start: 3, ids: [hex(REV.doc1_3), hex(REV.doc1_2), hex(REV.doc1_1)] };
const cdocLeaf = (rev: string, v: string, deleted = false) => ({
  _id: 'cdoc',
  _rev: rev,
  v,
  ...(deleted ? { _deleted: true } : {}),
  _revisions: { start: 2, ids: [hex(rev), hex(REV.cdoc_root)] },
});
const missing = (id: string, rev: string) => ({ error: { rev, reason: 'missing', id, error: 'not_found' } });
const withattRevs2 = { start: 2, ids: [hex(REV.withatt_2), hex(REV.withatt_1)] };

export const bulkArea: Area = {
  name: 'bulk',
  cases: [
    // ---- _bulk_docs
    {
      name: '_bulk_docs: new doc, conflict entry, generated id',
      sample: 'bulk-docs-one-conflict.json',
      setup: seedAllDocs,
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: {
          docs: [{ _id: 'grape', fruit: 'grape' }, { _id: 'apple', fruit: 'apple2' }, { fruit: 'no-id' }],
        },
      },
      expect: {
        status: 201,
        contentType: JSON_CT,
        check: (res) => {
          const rows = res.json as Array<Record<string, unknown>>;
          assert.equal(rows.length, 3);
          assertJson(rows[0], { ok: true, id: 'grape', rev: '1-85283386b44b9539142a64df745a2c65' });
          assertJson(rows[1], { id: 'apple', error: 'conflict', reason: 'Document update conflict.' });
          assert.deepEqual(Object.keys(rows[2]!), ['ok', 'id', 'rev']);
          assert.match(String(rows[2]!.id), /^[0-9a-f]{32}$/);
          assert.equal(rows[2]!.rev, '1-10b5437aa7954987483d45201b38ee43');
        },
      },
    },
    {
      name: '_bulk_docs: update one doc, delete another',
      sample: 'bulk-docs-update-and-delete.json',
      setup: seedAllDocs,
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: {
          docs: [
            { _id: 'apple', _rev: REV.apple, fruit: 'apple', len: 5, edited: true },
            { _id: 'fig', _rev: REV.fig, _deleted: true },
          ],
        },
      },
      expect: {
        status: 201,
        contentType: JSON_CT,
        body: [
          { ok: true, id: 'apple', rev: '2-940bf75e3da4d2cd81efc258e1c4b07e' },
          { ok: true, id: 'fig', rev: '2-8dab732537a026cf643e332905d96c3f' },
        ],
      },
    },
    {
      name: '_bulk_docs with one _bar id: whole request 400 illegal_docid, nothing written',
      sample: 'error-400-illegal-docid-underscore-bulk-docs.json',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: {
          docs: [
            { _id: '_bar', a: 1 },
            { _id: 'ok-doc', a: 2 },
          ],
        },
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'illegal_docid', reason: 'Only reserved document ids may start with underscore.' },
        check: async (_res, ctx) => {
          const after = await ctx.http('GET', '/{db}/ok-doc');
          assert.equal(after.status, 404, 'ok-doc must not have been written');
        },
      },
    },
    {
      name: '_bulk_docs with truncated JSON -> 400 invalid UTF-8 JSON',
      sample: 'error-400-invalid-json-bulk-docs.json',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: '{"docs": [ {"a":1} ',
        headers: { 'Content-Type': 'application/json' },
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'invalid UTF-8 JSON' },
      },
    },
    {
      name: '_bulk_docs with Content-Type text/plain -> 415',
      sample: 'error-415-bulk-docs-text-plain.json',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: '{"docs":[{"a":1}]}',
        headers: { 'Content-Type': 'text/plain' },
      },
      expect: {
        status: 415,
        contentType: JSON_CT,
        body: { error: 'bad_content_type', reason: 'Content-Type must be application/json' },
      },
    },
    {
      name: 'PUT doc larger than max_document_size=200 -> 413, reason ""',
      sample: 'error-413-document-too-large.json',
      maxDocumentSize: 200,
      request: { method: 'PUT', path: '/{db}/bigdoc', body: { payload: 'x'.repeat(400) } },
      expect: { status: 413, contentType: JSON_CT, body: { error: 'document_too_large', reason: '' } },
    },
    {
      name: '_bulk_docs with one oversized doc -> 413 whole request, reason = doc id',
      sample: 'error-413-document-too-large-bulk-docs.json',
      maxDocumentSize: 200,
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: {
          docs: [
            { _id: 'small', a: 1 },
            { _id: 'bigdoc2', payload: 'y'.repeat(400) },
          ],
        },
      },
      expect: { status: 413, contentType: JSON_CT, body: { error: 'document_too_large', reason: 'bigdoc2' } },
    },
    // ---- _bulk_get
    {
      name: '_bulk_get without revs: winner, and a specific conflict leaf',
      sample: 'bulk-get-no-revs.json',
      setup: seedDocs,
      request: {
        method: 'POST',
        path: '/{db}/_bulk_get',
        body: { docs: [{ id: 'doc1' }, { id: 'cdoc', rev: REV.cdoc_a }] },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          results: [
            { id: 'doc1', docs: [{ ok: doc1v3 }] },
            { id: 'cdoc', docs: [{ ok: { _id: 'cdoc', _rev: REV.cdoc_a, v: 'a' } }] },
          ],
        },
      },
    },
    {
      name: '_bulk_get?revs=true: found, missing doc, missing rev, old rev, all leaves of a conflicted doc',
      sample: 'bulk-get-revs-true-missing-doc-and-rev.json',
      setup: seedDocs,
      request: {
        method: 'POST',
        path: '/{db}/_bulk_get?revs=true',
        body: {
          docs: [
            { id: 'doc1' },
            { id: 'no-such-doc' },
            { id: 'doc1', rev: '3-4101bef8794fed986e95dfb54850c68b' },
            { id: 'doc1', rev: REV.doc1_2 },
            { id: 'cdoc' },
          ],
        },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        // error objects: CouchDB's key order there is an accident of its implementation; compared as sets
        keyOrder: false,
        body: {
          results: [
            { id: 'doc1', docs: [{ ok: { ...doc1v3, _revisions: doc1Revs3 } }] },
            { id: 'no-such-doc', docs: [missing('no-such-doc', 'undefined')] },
            { id: 'doc1', docs: [missing('doc1', '3-4101bef8794fed986e95dfb54850c68b')] },
            {
              id: 'doc1',
              docs: [
                {
                  ok: {
                    _id: 'doc1',
                    _rev: REV.doc1_2,
                    name: 'alpha',
                    n: 2,
                    tags: ['a', 'b'],
                    _revisions: { start: 2, ids: [hex(REV.doc1_2), hex(REV.doc1_1)] },
                  },
                },
              ],
            },
            {
              id: 'cdoc',
              docs: [
                { ok: cdocLeaf(REV.cdoc_a, 'a') },
                { ok: cdocLeaf(REV.cdoc_c, 'c', true) },
                { ok: cdocLeaf(REV.cdoc_b, 'b') },
              ],
            },
          ],
        },
        check: (res) => {
          const results = asObject(res.json).results as Array<{ docs: Array<{ ok?: unknown }> }>;
          assert.deepEqual(Object.keys(asObject(res.json)), ['results']);
          const okDocs = results.flatMap((r) => r.docs.filter((d) => d.ok).map((d) => d.ok));
          assertKeyOrder(okDocs[0], { ...doc1v3, _revisions: doc1Revs3 });
          assertKeyOrder(okDocs.at(-1), cdocLeaf(REV.cdoc_b, 'b'));
          assertKeyOrder(okDocs.at(-2), cdocLeaf(REV.cdoc_c, 'c', true));
        },
      },
    },
    {
      name: '_bulk_get?revs=true of a doc with attachments: stubs (newest attachment first)',
      sample: 'bulk-get-doc-with-attachments-stubs.json',
      setup: (ctx) => seedAtt(ctx, 2),
      request: { method: 'POST', path: '/{db}/_bulk_get?revs=true', body: { docs: [{ id: 'withatt' }] } },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          results: [
            {
              id: 'withatt',
              docs: [
                {
                  ok: {
                    _id: 'withatt',
                    _rev: REV.withatt_2,
                    title: 'doc with attachments',
                    _revisions: withattRevs2,
                    _attachments: {
                      'extra.txt': stub(ATT.extra),
                      'hello.txt': stub(ATT.hello),
                      'data.json': stub(ATT.data),
                    },
                  },
                },
              ],
            },
          ],
        },
      },
    },
    {
      name: '_bulk_get?revs=true&attachments=true (JSON): inline data; latest and a specific rev',
      sample: 'bulk-get-doc-with-attachments-attachments-true.json',
      setup: (ctx) => seedAtt(ctx, 2),
      request: {
        method: 'POST',
        path: '/{db}/_bulk_get?revs=true&attachments=true',
        body: { docs: [{ id: 'withatt' }, { id: 'withatt', rev: REV.withatt_1 }] },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          results: [
            {
              id: 'withatt',
              docs: [
                {
                  ok: {
                    _id: 'withatt',
                    _rev: REV.withatt_2,
                    title: 'doc with attachments',
                    _revisions: withattRevs2,
                    _attachments: {
                      'extra.txt': inline(ATT.extra, Buffer.from(EXTRA_TEXT).toString('base64')),
                      'hello.txt': inline(ATT.hello, HELLO_B64),
                      'data.json': inline(ATT.data, DATA_B64),
                    },
                  },
                },
              ],
            },
            {
              id: 'withatt',
              docs: [
                {
                  ok: {
                    _id: 'withatt',
                    _rev: REV.withatt_1,
                    title: 'doc with attachments',
                    _revisions: { start: 1, ids: [hex(REV.withatt_1)] },
                    _attachments: {
                      'hello.txt': inline(ATT.hello, HELLO_B64),
                      'data.json': inline(ATT.data, DATA_B64),
                    },
                  },
                },
              ],
            },
          ],
        },
      },
    },
    {
      name: '_bulk_get?revs=true&attachments=true with Accept: multipart/mixed: X-Doc-Id/X-Rev-Id parts',
      sample: 'bulk-get-doc-with-attachments-multipart.json',
      setup: (ctx) => seedAtt(ctx, 2),
      request: {
        method: 'POST',
        path: '/{db}/_bulk_get?revs=true&attachments=true',
        headers: { Accept: 'multipart/mixed' },
        body: { docs: [{ id: 'withatt' }] },
      },
      expect: {
        status: 200,
        contentType: /^multipart\/mixed; boundary="[^"]+"$/,
        check: (res) => {
          const outer = parseMultipart(res.buf, res.headers['content-type']);
          assert.equal(outer.length, 1, 'one part per requested doc');
          const p = outer[0]!;
          assert.equal(p.headers['x-doc-id'], 'withatt');
          assert.equal(p.headers['x-rev-id'], REV.withatt_2);
          assert.match(p.headers['content-type'] ?? '', /^multipart\/related; boundary=/);
          const inner = parseMultipart(p.body, p.headers['content-type']);
          assert.equal(inner[0]!.headers['content-type'], 'application/json');
          assertJson(JSON.parse(inner[0]!.body.toString('utf8')), {
            _id: 'withatt',
            _rev: REV.withatt_2,
            title: 'doc with attachments',
            _revisions: withattRevs2,
            _attachments: {
              'extra.txt': follows(ATT.extra),
              'hello.txt': follows(ATT.hello),
              'data.json': follows(ATT.data),
            },
          });
          const want: Array<[string, typeof ATT.extra | typeof ATT.hello | typeof ATT.data, Buffer]> = [
            ['extra.txt', ATT.extra, Buffer.from(EXTRA_TEXT)],
            ['hello.txt', ATT.hello, Buffer.from(HELLO_B64, 'base64')],
            ['data.json', ATT.data, Buffer.from(DATA_B64, 'base64')],
          ];
          assert.equal(inner.length, 1 + want.length);
          want.forEach(([name, meta, data], i) => {
            const part = inner[i + 1]!;
            assert.equal(part.headers['content-disposition'], `attachment; filename="${name}"`);
            assert.equal(part.headers['content-type'], meta.content_type);
            assert.equal(part.headers['content-length'], String(meta.encoded_length));
            assert.equal(part.headers['content-encoding'], 'gzip');
            assert.equal(part.body.length, meta.encoded_length);
            assert.deepEqual(gunzipSync(part.body), data, `${name} bytes`);
          });
        },
      },
    },
    // ---- _revs_diff
    {
      name: '_revs_diff where every rev is known -> {}',
      sample: 'revs-diff-nothing-missing.json',
      setup: seedDocs,
      request: { method: 'POST', path: '/{db}/_revs_diff', body: { doc1: [REV.doc1_3] } },
      expect: { status: 200, contentType: JSON_CT, body: {} },
    },
    {
      name: '_revs_diff: missing revs with possible_ancestors; unknown doc has missing only',
      sample: 'revs-diff-possible-ancestors.json',
      setup: seedDocs,
      request: {
        method: 'POST',
        path: '/{db}/_revs_diff',
        body: {
          doc1: [
            REV.doc1_2,
            REV.doc1_3,
            '4-0889a45816041bc163f2cfed84e78e53',
            '1-795f3202b17cb6bc3d4b771d8c6c9eaf',
          ],
          cdoc: [REV.cdoc_a, '3-80096728b2e95eb7c0abca76cc372d9f'],
          'unknown-doc': ['1-7b774effe4a349c6dd82ad4f4f21d34c'],
        },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          const b = asObject(res.json);
          assert.deepEqual(Object.keys(b).sort(), ['cdoc', 'doc1', 'unknown-doc']);
          const norm = (e: Record<string, string[]>) =>
            Object.fromEntries(Object.entries(e).map(([k, v]) => [k, [...v].sort()]));
          // order of ids and of revs inside the lists is not meaningful (CouchDB answers in hash order)
          assert.deepEqual(norm(b['unknown-doc']), { missing: ['1-7b774effe4a349c6dd82ad4f4f21d34c'] });
          assert.deepEqual(Object.keys(b.cdoc), ['missing', 'possible_ancestors']);
          assert.deepEqual(norm(b.cdoc), {
            missing: ['3-80096728b2e95eb7c0abca76cc372d9f'],
            possible_ancestors: [REV.cdoc_a, REV.cdoc_c, REV.cdoc_b],
          });
          assert.deepEqual(Object.keys(b.doc1), ['missing', 'possible_ancestors']);
          assert.deepEqual(norm(b.doc1), {
            missing: ['1-795f3202b17cb6bc3d4b771d8c6c9eaf', '4-0889a45816041bc163f2cfed84e78e53'],
            possible_ancestors: [REV.doc1_3],
          });
        },
      },
    },
  ],
};

// Attachments: inline base64 PUT, stubs, standalone PUT/GET/DELETE, revpos, attachments=true (JSON and
// multipart), atts_since, att_encoding_info, open_revs with attachments.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { assertJson, parseMultipart } from '../harness.ts';
import { q } from './docs.ts';
import { ATT, DATA_B64, follows, HELLO_B64, inline, REV, seedAtt, stub, WITHATT_PUT } from './fixtures.ts';
import { type Area, JSON_CT } from './types.ts';

const etag = (rev: string) => `"${rev}"`;
const base1 = { _id: 'withatt', _rev: REV.withatt_1, title: 'doc with attachments' };
const HELLO = Buffer.from(HELLO_B64, 'base64');
const DATA = Buffer.from(DATA_B64, 'base64');

/** Checks a multipart/related doc body: JSON part (with follows stubs) then one gzip part per attachment. */
function checkRelated(buf: Buffer, contentType: string | undefined, doc: unknown): void {
  const parts = parseMultipart(buf, contentType);
  assert.equal(parts.length, 3, 'JSON part + 2 attachment parts');
  assert.equal(parts[0]!.headers['content-type'], 'application/json');
  assertJson(JSON.parse(parts[0]!.body.toString('utf8')), doc);
  const want: Array<[string, typeof ATT.hello | typeof ATT.data, Buffer]> = [
    ['hello.txt', ATT.hello, HELLO],
    ['data.json', ATT.data, DATA],
  ];
  want.forEach(([name, meta, data], i) => {
    const p = parts[i + 1]!;
    assert.equal(p.headers['content-disposition'], `attachment; filename="${name}"`);
    assert.equal(p.headers['content-type'], meta.content_type);
    assert.equal(p.headers['content-length'], String(meta.encoded_length));
    assert.equal(p.headers['content-encoding'], 'gzip');
    assert.equal(p.body.length, meta.encoded_length, `${name}: encoded bytes as stored`);
    assert.deepEqual(gunzipSync(p.body), data, `${name}: bytes`);
  });
}

const related1 = {
  ...base1,
  _attachments: { 'hello.txt': follows(ATT.hello), 'data.json': follows(ATT.data) },
};

export const attachmentsArea: Area = {
  name: 'attachments',
  cases: [
    {
      name: 'PUT doc with two inline base64 attachments -> 201',
      sample: 'attachment-put-doc-inline-base64.json',
      request: { method: 'PUT', path: '/{db}/withatt', body: WITHATT_PUT },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        headers: { etag: etag(REV.withatt_1), location: new RegExp(`^http://[^/]+/${ctx.db}/withatt$`) },
        body: { ok: true, id: 'withatt', rev: REV.withatt_1 },
      }),
    },
    {
      name: 'GET doc with attachments: stubs {content_type,revpos,digest,length,stub}',
      sample: 'attachment-get-doc-stubs.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: { method: 'GET', path: '/{db}/withatt' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: etag(REV.withatt_1) },
        body: { ...base1, _attachments: { 'hello.txt': stub(ATT.hello), 'data.json': stub(ATT.data) } },
      },
    },
    {
      name: 'GET raw attachment: bytes, stored Content-Type, ETag = digest, Accept-Ranges none',
      sample: 'attachment-get-raw.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: { method: 'GET', path: '/{db}/withatt/hello.txt' },
      expect: {
        status: 200,
        contentType: 'text/plain',
        headers: {
          etag: '"671Ul5RluxaglHoMC2iUMw=="',
          'accept-ranges': 'none',
          'content-length': '28',
          'cache-control': 'must-revalidate',
        },
        text: 'Hello, CouchDB attachments!\n',
      },
    },
    {
      name: 'GET raw attachment stored as application/json',
      sample: 'attachment-get-raw-json-type.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: { method: 'GET', path: '/{db}/withatt/data.json' },
      expect: {
        status: 200,
        contentType: 'application/json',
        headers: { etag: '"fWcgt5IdKiVndrXE/8950w=="', 'content-length': '26' },
        text: '{"k": "v", "n": [1, 2, 3]}',
      },
    },
    {
      name: 'GET missing attachment -> 404 Document is missing attachment',
      sample: 'attachment-get-missing-404.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: { method: 'GET', path: '/{db}/withatt/nope.txt' },
      expect: {
        status: 404,
        contentType: JSON_CT,
        body: { error: 'not_found', reason: 'Document is missing attachment' },
      },
    },
    {
      name: 'PUT standalone attachment ?rev= -> 201 {ok,id,rev}, Location',
      sample: 'attachment-put-standalone.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: {
        method: 'PUT',
        path: `/{db}/withatt/extra.txt?rev=${REV.withatt_1}`,
        headers: { 'Content-Type': 'text/plain' },
        body: 'extra attachment body',
      },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        headers: { location: new RegExp(`^http://[^/]+/${ctx.db}/withatt/extra.txt$`) },
        body: { ok: true, id: 'withatt', rev: REV.withatt_2 },
      }),
    },
    {
      name: 'GET doc?revs=true after a standalone PUT: new attachment revpos 2, first in _attachments',
      sample: 'attachment-get-doc-after-standalone-put-revpos.json',
      setup: (ctx) => seedAtt(ctx, 2),
      request: { method: 'GET', path: '/{db}/withatt?revs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: etag(REV.withatt_2) },
        body: {
          _id: 'withatt',
          _rev: REV.withatt_2,
          title: 'doc with attachments',
          _revisions: { start: 2, ids: [REV.withatt_2.slice(2), REV.withatt_1.slice(2)] },
          _attachments: {
            'extra.txt': stub(ATT.extra),
            'hello.txt': stub(ATT.hello),
            'data.json': stub(ATT.data),
          },
        },
      },
    },
    {
      name: 'DELETE attachment ?rev= -> 200 {ok,id,rev}',
      sample: 'attachment-delete.json',
      setup: (ctx) => seedAtt(ctx, 2),
      request: { method: 'DELETE', path: `/{db}/withatt/extra.txt?rev=${REV.withatt_2}` },
      expect: { status: 200, contentType: JSON_CT, body: { ok: true, id: 'withatt', rev: REV.withatt_3 } },
    },
    {
      name: 'GET doc?att_encoding_info=true: gzip encoding and encoded_length in stubs',
      sample: 'attachment-get-doc-att-encoding-info.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: { method: 'GET', path: '/{db}/withatt?att_encoding_info=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: etag(REV.withatt_1) },
        body: {
          ...base1,
          _attachments: { 'hello.txt': stub(ATT.hello, true), 'data.json': stub(ATT.data, true) },
        },
      },
    },
    {
      name: 'GET doc?attachments=true&rev= with Accept: application/json: inline base64 data',
      sample: 'attachment-get-doc-attachments-true.json',
      setup: (ctx) => seedAtt(ctx, 3),
      request: {
        method: 'GET',
        path: `/{db}/withatt?attachments=true&rev=${REV.withatt_1}`,
        headers: { Accept: 'application/json' },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: etag(REV.withatt_1) },
        body: {
          ...base1,
          _attachments: {
            'hello.txt': inline(ATT.hello, HELLO_B64),
            'data.json': inline(ATT.data, DATA_B64),
          },
        },
      },
    },
    {
      name: 'GET doc?attachments=true&atts_since=[rev1] (no Accept): all stubs -> JSON, with encoding info',
      sample: 'attachment-get-doc-atts-since.json',
      setup: (ctx) => seedAtt(ctx, 3),
      request: { method: 'GET', path: `/{db}/withatt?attachments=true&atts_since=${q([REV.withatt_1])}` },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: etag(REV.withatt_3) },
        body: {
          _id: 'withatt',
          _rev: REV.withatt_3,
          title: 'doc with attachments',
          _attachments: { 'hello.txt': stub(ATT.hello, true), 'data.json': stub(ATT.data, true) },
        },
      },
    },
    {
      name: 'GET doc?attachments=true with Accept: multipart/related',
      sample: 'attachment-get-doc-attachments-true-multipart-related.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: {
        method: 'GET',
        path: '/{db}/withatt?attachments=true',
        headers: { Accept: 'multipart/related' },
      },
      expect: {
        status: 200,
        contentType: /^multipart\/related; boundary="[^"]+"$/,
        headers: { etag: etag(REV.withatt_1) },
        check: (res) => checkRelated(res.buf, res.headers['content-type'], related1),
      },
    },
    {
      name: 'GET doc?attachments=true without Accept: multipart/related',
      sample: 'attachment-get-doc-attachments-true-no-accept-header-multipart.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: { method: 'GET', path: '/{db}/withatt?attachments=true' },
      expect: {
        status: 200,
        contentType: /^multipart\/related; boundary="[^"]+"$/,
        headers: { etag: etag(REV.withatt_1) },
        check: (res) => checkRelated(res.buf, res.headers['content-type'], related1),
      },
    },
    {
      name: 'GET doc?open_revs=all&attachments=true, Accept: application/json: [{ok: doc with data}]',
      sample: 'attachment-get-doc-open-revs-all-json-attachments-true.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: {
        method: 'GET',
        path: '/{db}/withatt?open_revs=all&attachments=true',
        headers: { Accept: 'application/json' },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: [
          {
            ok: {
              ...base1,
              _attachments: {
                'hello.txt': inline(ATT.hello, HELLO_B64),
                'data.json': inline(ATT.data, DATA_B64),
              },
            },
          },
        ],
      },
    },
    {
      name: 'GET doc?open_revs=all, Accept: multipart/mixed: one multipart/related part per leaf',
      sample: 'attachment-get-doc-open-revs-all-multipart.json',
      setup: (ctx) => seedAtt(ctx, 1),
      request: { method: 'GET', path: '/{db}/withatt?open_revs=all', headers: { Accept: 'multipart/mixed' } },
      expect: {
        status: 200,
        contentType: /^multipart\/mixed; boundary="[^"]+"$/,
        check: (res) => {
          const outer = parseMultipart(res.buf, res.headers['content-type']);
          assert.equal(outer.length, 1, 'one part per leaf');
          const ct = outer[0]!.headers['content-type'];
          assert.match(ct ?? '', /^multipart\/related; boundary="[^"]+"$/);
          checkRelated(outer[0]!.body, ct, related1);
        },
      },
    },
  ],
};

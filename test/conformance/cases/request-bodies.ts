// Request bodies and methods the HTTP fuzzer found answered unlike CouchDB 3.5 (VERIFY-CHAOS #16).
// No captured sample exists for these; each case states CouchDB's behaviour from its source:
//  - couch_util:json_decode (jiffy) decodes the WHOLE body before any document is looked at: a float
//    out of a double's range (`1e400`) has no Erlang term, so the request fails as {invalid_json, _}:
//    400 bad_request "invalid UTF-8 JSON", whatever the endpoint and however many docs are fine.
//  - chttpd:json_body -> couch_httpd:maybe_decompress: `Content-Encoding: gzip` bodies are inflated
//    (zlib:gunzip; a corrupt one is 400 "Request body is not properly gzipped."), `identity` is taken
//    as is, and any other encoding is {bad_ctype, [Enc, " is not a supported content encoding."]}: 415.
//  - chttpd_misc / couch_httpd_misc_handlers: each server-level handler matches its methods and
//    answers anything else with send_method_not_allowed: 405 method_not_allowed, `Allow: <methods>`,
//    reason "Only <methods> allowed" (chttpd normalises HEAD to GET first, so GET endpoints take HEAD).
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { asObject } from '../harness.ts';
import { type Area, type Case, JSON_CT } from './types.ts';

const INVALID_JSON = { error: 'bad_request', reason: 'invalid UTF-8 JSON' };
const gz = (v: unknown) => gzipSync(Buffer.from(JSON.stringify(v)));
const JSON_GZ = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };

function notAllowed(method: string, path: string, allow: string): Case {
  return {
    name: `${method} ${path}: 405 method_not_allowed, Allow: ${allow}`,
    db: 'none',
    request: { method, path, ...(method === 'PUT' || method === 'POST' ? { body: {} } : {}) },
    expect: {
      status: 405,
      contentType: JSON_CT,
      headers: { allow },
      body: { error: 'method_not_allowed', reason: `Only ${allow} allowed` },
    },
  };
}

/** A raw JSON body holding a float out of a double's range: the whole request is 400 invalid JSON. */
function invalidJson(name: string, method: string, path: string, body: string): Case {
  return {
    name: `${name}: 400 invalid JSON`,
    request: { method, path, body, headers: { 'Content-Type': 'application/json' } },
    expect: { status: 400, contentType: JSON_CT, body: INVALID_JSON },
  };
}

export const requestBodiesArea: Area = {
  name: 'request-bodies',
  cases: [
    {
      name: '_bulk_docs with 1e400 in one doc: the whole request is 400 invalid JSON, nothing written',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: '{"docs":[{"_id":"ok1","a":1},{"_id":"big","a":1e400},{"_id":"ok2"}]}',
        headers: { 'Content-Type': 'application/json' },
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: INVALID_JSON,
        check: async (_res, ctx) => {
          const info = asObject((await ctx.http('GET', '/{db}')).json);
          assert.equal(info.doc_count, 0, 'no doc of the refused request may be written');
        },
      },
    },
    invalidJson(
      '_bulk_docs new_edits:false with -1e400',
      'POST',
      '/{db}/_bulk_docs',
      '{"new_edits":false,"docs":[{"_id":"a","_rev":"1-abc","v":-1e400}]}',
    ),
    invalidJson('PUT a doc with 1.5e999', 'PUT', '/{db}/d1', '{"a":{"b":[1.5e999]}}'),
    invalidJson('POST a doc with 1e400', 'POST', '/{db}', '{"a":1e400}'),
    {
      name: 'a string that reads "1e400" is only a string: 201',
      request: {
        method: 'PUT',
        path: '/{db}/d1',
        body: '{"a":"1e400","b":1e300}',
        headers: { 'Content-Type': 'application/json' },
      },
      expect: { status: 201, contentType: JSON_CT },
    },
    {
      name: '_bulk_docs gzip-encoded: inflated and written',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: gz({
          docs: [
            { _id: 'g1', v: 1 },
            { _id: 'g2', v: 2 },
          ],
        }),
        headers: JSON_GZ,
      },
      expect: {
        status: 201,
        contentType: JSON_CT,
        check: (res) => {
          const rows = res.json as Array<{ id: string; ok?: boolean }>;
          assert.deepEqual(
            rows.map((r) => [r.id, r.ok]),
            [
              ['g1', true],
              ['g2', true],
            ],
          );
        },
      },
    },
    {
      name: 'PUT a doc gzip-encoded: inflated, the stored body is the JSON',
      request: { method: 'PUT', path: '/{db}/gz', body: gz({ hello: 'gzip' }), headers: JSON_GZ },
      expect: {
        status: 201,
        contentType: JSON_CT,
        check: async (_res, ctx) => {
          const doc = asObject((await ctx.http('GET', '/{db}/gz')).json);
          assert.equal(doc.hello, 'gzip');
        },
      },
    },
    {
      name: 'Content-Encoding: identity is taken as is',
      request: {
        method: 'PUT',
        path: '/{db}/plain',
        body: '{"a":1}',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'identity' },
      },
      expect: { status: 201, contentType: JSON_CT },
    },
    {
      name: 'a body that is not gzip under Content-Encoding: gzip: 400',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: '{"docs":[]}',
        headers: JSON_GZ,
      },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'Request body is not properly gzipped.' },
      },
    },
    {
      name: 'Content-Encoding: br (unsupported): 415 bad_content_type',
      request: {
        method: 'POST',
        path: '/{db}/_bulk_docs',
        body: '{"docs":[]}',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'br' },
      },
      expect: {
        status: 415,
        contentType: JSON_CT,
        body: { error: 'bad_content_type', reason: 'br is not a supported content encoding.' },
      },
    },
    {
      name: 'a gzip bomb (inflates past max_document_size x2): 413, counted on inflated bytes',
      maxDocumentSize: 200,
      request: {
        method: 'PUT',
        path: '/{db}/bomb',
        // ~1 KiB on the wire, 4 MiB once inflated
        body: gzipSync(Buffer.from(`{"a":"${'0'.repeat(4 * 1024 * 1024)}"}`), { level: 9 }),
        headers: JSON_GZ,
      },
      expect: {
        status: 413,
        contentType: JSON_CT,
        check: (res) => assert.equal(asObject(res.json).error, 'document_too_large'),
      },
    },
    notAllowed('COPY', '/', 'GET,HEAD'),
    notAllowed('POST', '/', 'GET,HEAD'),
    notAllowed('PUT', '/_all_dbs', 'GET,HEAD'),
    notAllowed('POST', '/_up', 'GET,HEAD'),
    notAllowed('DELETE', '/_active_tasks', 'GET,HEAD'),
    notAllowed('POST', '/_uuids', 'GET'),
    notAllowed('PUT', '/_dbs_info', 'GET,HEAD,POST'),
    {
      name: 'HEAD / is a GET without a body: 200',
      db: 'none',
      request: { method: 'HEAD', path: '/' },
      expect: { status: 200, contentType: JSON_CT, text: '' },
    },
  ],
};

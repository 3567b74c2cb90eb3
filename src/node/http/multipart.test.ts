import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  type AttachmentOut,
  buildMultipartMixed,
  buildMultipartRelated,
  dispositionFilename,
  getBoundary,
  MultipartError,
  type MultipartPart,
  newBoundary,
  type ParsedRelated,
  parseMediaType,
  parseMultipart,
  parseMultipartMixed,
  parseMultipartRelated,
} from './multipart.ts';

const B = 'c719242c6132e7e83ece42c38972b84b';
const M = 'db84a91499a30c7526aaac214c439281';

function throwsMultipart(fn: () => unknown, reason: RegExp, status = 400) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MultipartError, `expected MultipartError, got ${String(e)}`);
    assert.match(e.message, reason);
    assert.equal(e.reason, e.message);
    assert.equal(e.status, status);
    return true;
  });
}

describe('content type', () => {
  test('boundary quoted, unquoted, any case, among other parameters', () => {
    assert.equal(getBoundary(`multipart/related; boundary="${B}"`), B);
    assert.equal(getBoundary(`multipart/related;boundary=${B}`), B);
    assert.equal(getBoundary(`Multipart/Mixed; charset=utf-8; BOUNDARY=--${B}; type="a;b"`), `--${B}`);
    assert.equal(getBoundary('multipart/related; type="application/json"; boundary="a b"'), 'a b');
    assert.deepEqual(parseMediaType('application/json; error="true"'), {
      type: 'application/json',
      params: { error: 'true' },
    });
  });

  test('missing boundary or not multipart', () => {
    throwsMultipart(() => getBoundary('multipart/related'), /no boundary/);
    throwsMultipart(() => getBoundary('multipart/related; boundary=""'), /no boundary/);
    throwsMultipart(() => getBoundary('application/json'), /not multipart/);
    throwsMultipart(() => parseMultipartRelated(Buffer.from('x'), 'multipart/related'), /no boundary/);
  });

  test('newBoundary is 32 lowercase hex', () => {
    assert.match(newBoundary(), /^[0-9a-f]{32}$/);
    assert.notEqual(newBoundary(), newBoundary());
  });
});

describe('building: CouchDB framing', () => {
  const json = '{"_id":"d","_attachments":{"a.txt":{"follows":true}}}';

  test('multipart/related: no preamble, headers in CouchDB order, no trailing CRLF', () => {
    const out = buildMultipartRelated(
      json,
      [
        { name: 'a.txt', contentType: 'text/plain', data: Buffer.from('gz'), encoding: 'gzip' },
        { name: 'b.bin', contentType: 'application/octet-stream', data: Buffer.from([0, 13, 10, 255]) },
        { name: 'c', contentType: 'x/y', data: Buffer.alloc(0), encoding: 'identity' },
      ],
      B,
    );
    assert.equal(out.contentType, `multipart/related; boundary="${B}"`);
    const expected = Buffer.concat([
      Buffer.from(
        `--${B}\r\nContent-Type: application/json\r\n\r\n${json}\r\n--${B}` +
          '\r\nContent-Disposition: attachment; filename="a.txt"\r\nContent-Type: text/plain' +
          '\r\nContent-Length: 2\r\nContent-Encoding: gzip\r\n\r\ngz' +
          `\r\n--${B}` +
          '\r\nContent-Disposition: attachment; filename="b.bin"\r\nContent-Type: application/octet-stream' +
          '\r\nContent-Length: 4\r\n\r\n',
      ),
      Buffer.from([0, 13, 10, 255]),
      Buffer.from(
        `\r\n--${B}\r\nContent-Disposition: attachment; filename="c"\r\nContent-Type: x/y` +
          `\r\nContent-Length: 0\r\n\r\n\r\n--${B}--`,
      ),
    ]);
    assert.deepEqual(out.body, expected);
  });

  test('multipart/related without attachments is the JSON alone (as CouchDB)', () => {
    const out = buildMultipartRelated(Buffer.from('{"a":1}'), [], B);
    assert.deepEqual(out, { contentType: 'application/json', body: Buffer.from('{"a":1}') });
  });

  test('unquoted boundary for _bulk_get nested parts; random boundary by default', () => {
    const att: AttachmentOut = { name: 'x', contentType: 't/p', data: Buffer.from('1') };
    assert.equal(
      buildMultipartRelated('{}', [att], `--${B}`, { quoteBoundary: false }).contentType,
      `multipart/related; boundary=--${B}`,
    );
    const { contentType, body } = buildMultipartRelated('{}', [att]);
    assert.match(contentType, /^multipart\/related; boundary="[0-9a-f]{32}"$/);
    assert.equal(parseMultipartRelated(body, contentType).parts[0]?.data.toString(), '1');
  });

  test('multipart/mixed for open_revs: one boundary line per part, closing without CRLF', () => {
    const inner = buildMultipartRelated(
      '{"_id":"d"}',
      [{ name: 'a', contentType: 't/p', data: Buffer.from('A') }],
      B,
    );
    const out = buildMultipartMixed(
      [
        { contentType: inner.contentType, body: inner.body },
        { contentType: 'application/json', body: Buffer.from('{"_id":"d","_rev":"2-x"}') },
        { contentType: 'application/json; error="true"', body: Buffer.from('{"missing":"3-y"}') },
      ],
      M,
    );
    assert.equal(out.contentType, `multipart/mixed; boundary="${M}"`);
    assert.equal(
      out.body.toString(),
      `--${M}\r\nContent-Type: multipart/related; boundary="${B}"\r\n\r\n${inner.body.toString()}\r\n--${M}` +
        `\r\nContent-Type: application/json\r\n\r\n{"_id":"d","_rev":"2-x"}\r\n--${M}` +
        `\r\nContent-Type: application/json; error="true"\r\n\r\n{"missing":"3-y"}\r\n--${M}--`,
    );
  });

  test('multipart/mixed for _bulk_get: leading CRLF, X- headers first, closing with CRLF', () => {
    const inner = buildMultipartRelated(
      '{"_id":"d"}',
      [{ name: 'a', contentType: 't/p', data: Buffer.from('A') }],
      `--${B}`,
      { quoteBoundary: false },
    );
    const out = buildMultipartMixed(
      [
        {
          contentType: inner.contentType,
          body: inner.body,
          headers: { 'X-Doc-Id': 'd', 'X-Rev-Id': '1-abc' },
        },
        { contentType: 'application/json', body: Buffer.from('{"_id":"e"}') },
      ],
      `--${M}`,
      { framing: 'bulk_get' },
    );
    assert.equal(out.contentType, `multipart/mixed; boundary="--${M}"`);
    assert.equal(
      out.body.toString(),
      `\r\n----${M}\r\nX-Doc-Id: d\r\nX-Rev-Id: 1-abc\r\nContent-Type: multipart/related; boundary=--${B}\r\n\r\n` +
        `${inner.body.toString()}\r\n----${M}\r\nContent-Type: application/json\r\n\r\n{"_id":"e"}\r\n----${M}--\r\n`,
    );
    const dflt = buildMultipartMixed([], undefined, { framing: 'bulk_get', mediaType: 'multipart/related' });
    assert.match(dflt.contentType, /^multipart\/related; boundary="--[0-9a-f]{32}"$/);
  });

  test('refuses header injection and bad boundaries', () => {
    const data = Buffer.from('x');
    assert.throws(
      () => buildMultipartRelated('{}', [{ name: 'a\r\nb', contentType: 't', data }], B),
      TypeError,
    );
    assert.throws(
      () => buildMultipartRelated('{}', [{ name: 'a', contentType: 't', data }], 'a"b'),
      TypeError,
    );
    assert.throws(() => buildMultipartRelated('{}', [{ name: 'a', contentType: 't', data }], ''), TypeError);
    assert.throws(
      () => buildMultipartMixed([{ contentType: 't', body: data, headers: { 'X-Doc-Id': 'a\nb' } }], M),
      TypeError,
    );
    assert.throws(
      () => buildMultipartMixed([{ contentType: 't', body: data, headers: { 'content-type': 'x' } }], M),
      TypeError,
    );
    const evil = Buffer.from(`a\r\n--${B}\r\n`);
    assert.throws(
      () => buildMultipartRelated('{}', [{ name: 'a', contentType: 't', data: evil }], B),
      TypeError,
    );
    assert.throws(() => buildMultipartRelated(evil, [{ name: 'a', contentType: 't', data }], B), TypeError);
    assert.throws(() => buildMultipartMixed([{ contentType: 't', body: evil }], B), TypeError);
    // a nested part must use a boundary of its own
    const inner = buildMultipartRelated('{}', [{ name: 'a', contentType: 't', data }], B);
    assert.throws(() => buildMultipartMixed([inner], B), /contains the boundary delimiter/);
  });
});

describe('parsing', () => {
  test('headerless parts, preamble, epilogue, transport padding, LF-only data', () => {
    const body = Buffer.from(
      `preamble\r\n--${B}\r\n\r\n{"a":1}\r\n--${B}  \r\n\r\nraw\nbytes\r\n--${B}\r\n` +
        `content-disposition: attachment; FILENAME="x.txt"\r\n\r\n\r\n--${B}--\r\nepilogue`,
    );
    const r = parseMultipartRelated(body, `multipart/related; boundary=${B}`);
    assert.equal(r.json.toString(), '{"a":1}');
    assert.equal(r.parts.length, 2);
    assert.deepEqual(r.parts[0]?.headers, {});
    assert.equal(r.parts[0]?.data.toString(), 'raw\nbytes');
    assert.equal(r.parts[0]?.filename, undefined);
    assert.equal(r.parts[1]?.filename, 'x.txt');
    assert.equal(r.parts[1]?.data.length, 0);
  });

  test('boundary text inside data that is not a delimiter is data', () => {
    const data = `x\r\n--${B}x\r\n--${B}-\r\n--${B}-`;
    const body = Buffer.from(
      `--${B}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${B}\r\n\r\n${data}\r\n--${B}--`,
    );
    const r = parseMultipartRelated(body, `multipart/related; boundary="${B}"`);
    assert.equal(r.parts[0]?.data.toString(), data);
  });

  test('headers: lower-cased names, trimmed values, folding, last one wins, UTF-8 filenames', () => {
    const body = Buffer.from(
      `--${B}\r\nContent-Type: multipart/related;\r\n\tboundary="x"\r\nX-A: 1\r\nx-a:  2 \r\n` +
        `Content-Disposition: attachment; filename="été \\"q\\".txt"\r\n\r\nbody\r\n--${B}--`,
    );
    const [part] = parseMultipartMixed(body, `multipart/mixed; boundary="${B}"`);
    assert.deepEqual(part?.headers, {
      'content-type': 'multipart/related; boundary="x"',
      'x-a': '2',
      'content-disposition': 'attachment; filename="été \\"q\\".txt"',
    });
    assert.equal(dispositionFilename(part?.headers['content-disposition'] ?? ''), 'été \\"q\\".txt');
  });

  test('filenames as CouchDB writes them (raw, unescaped) and RFC 5987', () => {
    assert.equal(dispositionFilename('attachment; filename="a"b.txt"'), 'a"b.txt');
    assert.equal(dispositionFilename('attachment; filename="a;b" ; size=3'), 'a;b');
    assert.equal(dispositionFilename('attachment; filename=plain.txt; size=3'), 'plain.txt');
    assert.equal(dispositionFilename('attachment; filename="x"; filename*=UTF-8\'\'%C3%A9.txt'), 'é.txt');
    assert.equal(dispositionFilename('attachment'), undefined);
  });

  test('part bodies are views into the input (no copies)', () => {
    const big = Buffer.alloc(1 << 20, 7);
    const { contentType, body } = buildMultipartRelated(
      '{}',
      [{ name: 'b', contentType: 'x/y', data: big }],
      B,
    );
    const r = parseMultipartRelated(body, contentType);
    assert.equal(r.parts[0]?.data.buffer, body.buffer);
    assert.deepEqual(r.parts[0]?.data, big);
  });

  // The parser finds delimiters with Buffer#indexOf (native memchr-style search) and reads single
  // bytes only around each delimiter, so its work does not grow with the attachments' size. We count
  // that work instead of timing it (a time bound fails on a loaded machine): every indexed byte read
  // and every indexOf call goes through a proxy of the body, for the same parts at two sizes.
  test('large attachments parse without per-byte loops: the same byte reads at 1 KiB and 4 MiB', () => {
    const work = (size: number) => {
      const atts = Array.from({ length: 4 }, (_, i) => ({
        name: `f${i}`,
        contentType: 'application/octet-stream',
        data: Buffer.alloc(size, i + 1),
      }));
      const { contentType, body } = buildMultipartRelated('{}', atts, B);
      const counts = { byteReads: 0, indexOf: 0 };
      const counted = new Proxy(body, {
        get(target, key) {
          if (typeof key === 'string' && /^\d+$/.test(key)) counts.byteReads++;
          if (key === 'indexOf') counts.indexOf++;
          const v = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      const r = parseMultipartRelated(counted, contentType);
      assert.equal(r.parts.length, 4);
      assert.ok(r.parts.every((p, i) => p.data.length === size && p.data[0] === i + 1));
      return counts;
    };
    const small = work(1 << 10);
    const large = work(4 << 20);
    assert.deepEqual(large, small);
    assert.ok(small.indexOf <= 12, `indexOf called ${small.indexOf} times for 5 parts`);
  });

  test('errors with CouchDB-style reasons', () => {
    const ct = `multipart/related; boundary="${B}"`;
    const j = `--${B}\r\nContent-Type: application/json\r\n\r\n{}`;
    throwsMultipart(() => parseMultipartRelated(Buffer.from('{}'), ct), /no boundary delimiter/);
    throwsMultipart(() => parseMultipartRelated(Buffer.from(''), ct), /no boundary delimiter/);
    throwsMultipart(() => parseMultipartRelated(Buffer.from(j), ct), /missing its closing delimiter/);
    throwsMultipart(
      () => parseMultipartRelated(Buffer.from(`${j}\r\n--${B}\r\n\r\ndata`), ct),
      /missing its closing delimiter/,
    );
    throwsMultipart(() => parseMultipartRelated(Buffer.from(`${j}\r\n--${B}`), ct), /closing delimiter/);
    throwsMultipart(() => parseMultipartRelated(Buffer.from(`--${B}--`), ct), /no JSON document part/);
    throwsMultipart(
      () => parseMultipartRelated(Buffer.from(`--${B}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${B}--`), ct),
      /Content-Type must be application\/json/,
      415,
    );
    throwsMultipart(
      () => parseMultipartRelated(Buffer.from(`--${B}\r\nnot a header\r\n\r\n{}\r\n--${B}--`), ct),
      /bad part header/,
    );
    throwsMultipart(
      () => parseMultipartRelated(Buffer.from(`--${B}\r\nContent-Type: application/json\r\n`), ct),
      /headers are not terminated/,
    );
    // application/json with parameters is fine
    const ok = Buffer.from(`--${B}\r\ncontent-type: Application/JSON; charset=utf-8\r\n\r\n{}\r\n--${B}--`);
    assert.equal(parseMultipartRelated(ok, ct).json.toString(), '{}');
  });
});

describe('round trips', () => {
  const bytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));
  // data that likes to contain CRLF, dashes and pieces of the boundary
  const nasty = fc
    .array(fc.constantFrom('\r\n', '--', '-', '\r', '\n', B, B.slice(0, 10), `--${B}`, 'x', ' '), {
      maxLength: 12,
    })
    .map((a) => Buffer.from(a.join('')));
  const att = fc.record({
    name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\r\n]|"\s*;/.test(s)),
    contentType: fc.constantFrom('text/plain', 'application/octet-stream', 'image/png'),
    data: fc.oneof(bytes, nasty),
    encoding: fc.constantFrom(undefined, 'gzip'),
  });

  test('related: build then parse gives back json, data, filename and headers', () => {
    fc.assert(
      fc.property(fc.json(), fc.array(att, { minLength: 1, maxLength: 5 }), (json, atts) => {
        const atts2: AttachmentOut[] = atts.map((a) => ({
          name: a.name,
          contentType: a.contentType,
          data: a.data,
          ...(a.encoding ? { encoding: a.encoding } : {}),
        }));
        if (atts2.some((a) => a.data.includes(`\r\n--${B}`))) {
          assert.throws(() => buildMultipartRelated(json, atts2, B), /contains the boundary delimiter/);
          return;
        }
        const { contentType, body } = buildMultipartRelated(json, atts2, B);
        const r = parseMultipartRelated(body, contentType);
        assert.equal(r.json.toString(), json);
        assert.equal(r.parts.length, atts2.length);
        atts2.forEach((a, i) => {
          const p = r.parts[i];
          assert.ok(p);
          assert.deepEqual(p.data, a.data);
          assert.equal(p.filename, a.name);
          assert.equal(p.headers['content-type'], a.contentType);
          assert.equal(p.headers['content-length'], String(a.data.length));
          assert.equal(p.headers['content-encoding'], a.encoding);
        });
      }),
    );
  });

  test('mixed (both framings) with nested related parts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.json(), fc.array(att, { maxLength: 3 })), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (docs, bulkGet) => {
          const inner = bulkGet ? `--${newBoundary()}` : newBoundary();
          const parts = docs.map(([json, atts]) => {
            const r = buildMultipartRelated(json, atts, inner, { quoteBoundary: !bulkGet });
            return { ...r, headers: { 'X-Doc-Id': 'id' } };
          });
          const out = buildMultipartMixed(parts, undefined, { framing: bulkGet ? 'bulk_get' : 'open_revs' });
          const got = parseMultipartMixed(out.body, out.contentType);
          assert.equal(got.length, docs.length);
          got.forEach((g, i) => {
            const [json, atts] = docs[i] as [string, AttachmentOut[]];
            assert.equal(g.headers['x-doc-id'], 'id');
            const ct = g.headers['content-type'] ?? '';
            if (atts.length === 0) {
              assert.equal(ct, 'application/json');
              assert.equal(g.body.toString(), json);
              return;
            }
            const r = parseMultipartRelated(g.body, ct);
            assert.equal(r.json.toString(), json);
            assert.deepEqual(
              r.parts.map((p) => p.data),
              atts.map((a) => a.data),
            );
          });
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Real CouchDB 3.5.0 exchanges

// recorded CouchDB 3.5.0 data, committed in the repo (COUCHDB_SHARED_DIR points elsewhere)
const SHARED =
  process.env.COUCHDB_SHARED_DIR ??
  fileURLToPath(new URL('../../../test/fixtures/couchdb/', import.meta.url));
const TRACES = join(SHARED, 'replicator-traces');
const SAMPLES = join(SHARED, 'samples');

interface Exchange {
  seq: number;
  method: string;
  path: string;
  request_headers: Array<[string, string]>;
  request_body: string | null;
  request_body_length: number;
  request_body_truncated: boolean;
  request_body_encoding?: string;
  request_body_tail?: string;
  response_headers: Array<[string, string]>;
  response_body: string | null;
  response_body_length: number;
  response_body_truncated: boolean;
  response_body_encoding?: string;
  response_body_tail?: string;
}

function exchanges(file: string): Exchange[] {
  return (JSON.parse(readFileSync(join(TRACES, file), 'utf8')) as { exchanges: Exchange[] }).exchanges;
}
const header = (h: Array<[string, string]>, name: string) =>
  h.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
const bytesOf = (s: string, encoding: string | undefined) =>
  Buffer.from(s, encoding?.startsWith('latin1') ? 'latin1' : 'utf8');

interface AttJson {
  content_type: string;
  length: number;
  follows?: boolean;
  encoding?: string;
  encoded_length?: number;
}

/** The parts match the `follows` attachments of the JSON part in order; `lossy`: data bytes unusable. */
function checkAgainstJson(r: ParsedRelated, lossy = false): Array<[string, AttJson]> {
  const doc = JSON.parse(r.json.toString('utf8')) as { _attachments?: Record<string, AttJson> };
  const follows = Object.entries(doc._attachments ?? {}).filter(([, a]) => a.follows === true);
  assert.ok(follows.length > 0);
  assert.equal(r.parts.length, follows.length);
  follows.forEach(([name, a], i) => {
    const p = r.parts[i];
    assert.ok(p);
    const declared = a.encoded_length ?? a.length;
    assert.equal(p.filename, name);
    assert.equal(p.headers['content-type'], a.content_type);
    assert.equal(p.headers['content-length'], String(declared));
    assert.equal(p.headers['content-encoding'], a.encoding);
    if (!lossy) assert.equal(p.data.length, declared);
  });
  return follows;
}

const toAtts = (r: ParsedRelated, data = (p: ParsedRelated['parts'][number]) => p.data): AttachmentOut[] =>
  r.parts.map((p) => ({
    name: p.filename ?? '',
    contentType: p.headers['content-type'] ?? '',
    data: data(p),
    ...(p.headers['content-encoding'] ? { encoding: p.headers['content-encoding'] } : {}),
  }));

describe('CouchDB replicator traces', () => {
  const puts = exchanges('push-oneshot.json').filter(
    (e) => e.method === 'PUT' && e.path.includes('new_edits=false'),
  );

  test('the push trace has multipart PUTs', () => {
    assert.equal(puts.length, 2);
  });

  for (const e of puts) {
    const ct = header(e.request_headers, 'content-type') ?? '';
    test(`PUT #${e.seq} ${e.path}${e.request_body_truncated ? ' (truncated: framing only)' : ''}`, () => {
      assert.match(ct, /^multipart\/related; boundary="[0-9a-f]{32}"$/);
      const boundary = getBoundary(ct);
      const body = bytesOf(e.request_body ?? '', e.request_body_encoding);
      assert.ok(
        body.toString('latin1').startsWith(`--${boundary}\r\nContent-Type: application/json\r\n\r\n{`),
      );
      if (e.request_body_truncated) {
        const tail = bytesOf(e.request_body_tail ?? '', e.request_body_encoding);
        assert.ok(
          tail.toString('latin1').endsWith(`\r\n--${boundary}--`),
          'no CRLF after the close delimiter',
        );
        return;
      }
      assert.equal(body.length, e.request_body_length);
      assert.equal(body.length, Number(header(e.request_headers, 'content-length')));
      const r = parseMultipartRelated(body, ct);
      checkAgainstJson(r);
      // byte-for-byte: our builder writes exactly what the CouchDB replicator sent
      const rebuilt = buildMultipartRelated(r.json, toAtts(r), boundary);
      assert.equal(rebuilt.contentType, ct);
      assert.deepEqual(rebuilt.body, body);
    });
  }

  for (const file of ['pull-oneshot.json', 'pull-continuous.json']) {
    const gets = exchanges(file).filter((e) => e.method === 'GET' && e.path.includes('open_revs='));
    test(`${file} has open_revs multipart/mixed responses`, () => {
      assert.ok(gets.length >= 2);
    });
    for (const e of gets) {
      const ct = header(e.response_headers, 'content-type') ?? '';
      test(`${file} #${e.seq} GET ${e.path}${e.response_body_truncated ? ' (truncated: framing only)' : ''}`, () => {
        assert.equal(header(e.request_headers, 'accept'), 'multipart/mixed');
        assert.match(ct, /^multipart\/mixed; boundary="[0-9a-f]{32}"$/);
        const outer = getBoundary(ct);
        const body = bytesOf(e.response_body ?? '', e.response_body_encoding);
        if (e.response_body_truncated) {
          const head = body.toString('latin1');
          assert.match(
            head,
            new RegExp(
              `^--${outer}\\r\\nContent-Type: multipart/related; boundary="[0-9a-f]{32}"\\r\\n\\r\\n--`,
            ),
          );
          const inner = /boundary="([0-9a-f]{32})"\r\n/.exec(head)?.[1];
          const tail = bytesOf(e.response_body_tail ?? '', e.response_body_encoding).toString('latin1');
          assert.ok(tail.endsWith(`\r\n--${inner}--\r\n--${outer}--`), 'no CRLF after the close delimiter');
          return;
        }
        assert.equal(body.length, e.response_body_length);
        const parts = parseMultipartMixed(body, ct);
        assert.equal(parts.length, 1);
        const [part] = parts as [MultipartPart];
        assert.deepEqual(Object.keys(part.headers), ['content-type']);
        const innerCt = part.headers['content-type'] ?? '';
        assert.match(innerCt, /^multipart\/related; boundary="[0-9a-f]{32}"$/);
        const r = parseMultipartRelated(part.body, innerCt);
        const doc = JSON.parse(r.json.toString()) as { _revisions?: unknown };
        assert.ok(doc._revisions, 'revs=true');
        checkAgainstJson(r);
        const innerBuilt = buildMultipartRelated(r.json, toAtts(r), getBoundary(innerCt));
        assert.equal(innerBuilt.contentType, innerCt);
        const rebuilt = buildMultipartMixed([innerBuilt], outer);
        assert.equal(rebuilt.contentType, ct);
        assert.deepEqual(rebuilt.body, body);
      });
    }
  }
});

/**
 * The samples hold bodies decoded as UTF-8 (binary bytes became U+FFFD), so attachment bytes no
 * longer match their Content-Length. The framing is checked by rebuilding with placeholder data of
 * the declared length and comparing with the sample whose data regions got the same placeholder.
 */
describe('CouchDB response samples', () => {
  interface Sample {
    request: { path: string; headers: Record<string, string> };
    headers: Record<string, string>;
    body: string;
  }
  const load = (f: string) => JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as Sample;
  const placeholder = (p: { headers: Record<string, string> }) =>
    Buffer.alloc(Number(p.headers['content-length']), 'x');

  /** `root` with each region (a view into it) replaced by a placeholder of the declared length. */
  function withPlaceholders(root: Buffer, regions: Array<{ data: Buffer; headers: Record<string, string> }>) {
    const out: Buffer[] = [];
    let pos = 0;
    for (const r of regions) {
      const start = r.data.byteOffset - root.byteOffset;
      assert.ok(r.data.buffer === root.buffer && start >= pos);
      out.push(root.subarray(pos, start), placeholder(r));
      pos = start + r.data.length;
    }
    out.push(root.subarray(pos));
    return Buffer.concat(out);
  }

  function complete(body: string, boundary: string) {
    return body.endsWith(`--${boundary}--`) || body.endsWith(`--${boundary}--\r\n`);
  }

  for (const f of [
    'attachment-get-doc-attachments-true-multipart-related.json',
    'attachment-get-doc-attachments-true-no-accept-header-multipart.json',
  ]) {
    test(f, (t) => {
      const s = load(f);
      const ct = s.headers['content-type'] ?? '';
      assert.match(ct, /^multipart\/related; boundary="[0-9a-f]{32}"$/);
      if (!complete(s.body, getBoundary(ct))) return t.skip('truncated sample');
      const body = Buffer.from(s.body, 'utf8');
      const r = parseMultipartRelated(body, ct);
      checkAgainstJson(r, true);
      const rebuilt = buildMultipartRelated(r.json, toAtts(r, placeholder), getBoundary(ct));
      assert.equal(rebuilt.contentType, ct);
      assert.deepEqual(rebuilt.body.toString('latin1'), withPlaceholders(body, r.parts).toString('latin1'));
    });
  }

  test('attachment-get-doc-open-revs-all-multipart.json', (t) => {
    const s = load('attachment-get-doc-open-revs-all-multipart.json');
    const ct = s.headers['content-type'] ?? '';
    assert.match(ct, /^multipart\/mixed; boundary="[0-9a-f]{32}"$/);
    if (!complete(s.body, getBoundary(ct))) return t.skip('truncated sample');
    const body = Buffer.from(s.body, 'utf8');
    const parts = parseMultipartMixed(body, ct);
    assert.equal(parts.length, 1);
    const innerCt = parts[0]?.headers['content-type'] ?? '';
    assert.match(innerCt, /^multipart\/related; boundary="[0-9a-f]{32}"$/);
    const r = parseMultipartRelated(parts[0]?.body ?? Buffer.alloc(0), innerCt);
    checkAgainstJson(r, true);
    const inner = buildMultipartRelated(r.json, toAtts(r, placeholder), getBoundary(innerCt));
    const rebuilt = buildMultipartMixed([inner], getBoundary(ct));
    assert.equal(rebuilt.contentType, ct);
    assert.equal(rebuilt.body.toString('latin1'), withPlaceholders(body, r.parts).toString('latin1'));
  });

  test('bulk-get-doc-with-attachments-multipart.json', (t) => {
    const s = load('bulk-get-doc-with-attachments-multipart.json');
    const ct = s.headers['content-type'] ?? '';
    assert.match(ct, /^multipart\/mixed; boundary="--[0-9a-f]{32}"$/);
    const outer = getBoundary(ct);
    if (!complete(s.body, outer)) return t.skip('truncated sample');
    const body = Buffer.from(s.body, 'utf8');
    const parts = parseMultipartMixed(body, ct);
    assert.equal(parts.length, 1);
    const [part] = parts as [MultipartPart];
    assert.deepEqual(Object.keys(part.headers), ['x-doc-id', 'x-rev-id', 'content-type']);
    const innerCt = part.headers['content-type'] ?? '';
    assert.match(innerCt, /^multipart\/related; boundary=--[0-9a-f]{32}$/);
    const r = parseMultipartRelated(part.body, innerCt);
    const follows = checkAgainstJson(r, true);
    assert.equal(follows.length, 3);
    const doc = JSON.parse(r.json.toString()) as { _id: string; _rev: string };
    assert.equal(part.headers['x-doc-id'], doc._id);
    assert.equal(part.headers['x-rev-id'], doc._rev);
    const inner = buildMultipartRelated(r.json, toAtts(r, placeholder), getBoundary(innerCt), {
      quoteBoundary: false,
    });
    assert.equal(inner.contentType, innerCt);
    const rebuilt = buildMultipartMixed(
      [{ ...inner, headers: { 'X-Doc-Id': doc._id, 'X-Rev-Id': doc._rev } }],
      outer,
      { framing: 'bulk_get' },
    );
    assert.equal(rebuilt.contentType, ct);
    assert.equal(rebuilt.body.toString('latin1'), withPlaceholders(body, r.parts).toString('latin1'));
  });
});

test('parseMultipart is exported for other multipart media types', () => {
  const parts = parseMultipart(Buffer.from(`--x\r\nA: 1\r\n\r\none\r\n--x\r\n\r\ntwo\r\n--x--`), 'x');
  assert.deepEqual(
    parts.map((p) => [p.headers, p.body.toString()]),
    [
      [{ a: '1' }, 'one'],
      [{}, 'two'],
    ],
  );
});

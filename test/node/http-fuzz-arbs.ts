// The requests http.fuzz.test.ts sends: random methods, paths, query strings, headers and bodies,
// built from what CouchDB's router, query parsers and body readers look at, plus garbage.
// Kept apart from the test so the property reads in one screen.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** The witness database: created and filled before the fuzzing, only read by it (GET/HEAD). */
export const KEEP_DB = 'keep';
/** The database the fuzzer may write to, delete and recreate. */
export const SCRATCH_DB = 'scratch';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const AUTH_OK = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

/** A string percent-encoded as a client would send it (any code point, lone surrogates included). */
const encoded = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate: its (invalid) UTF-8 bytes, percent-encoded
  }
};

// Raw bytes that node:http lets through unescaped (0x21..0xff): latin-1 letters arrive as bytes that
// are not UTF-8, '%' alone and '%zz' are broken escapes.
const rawOdd = fc.constantFrom(
  'é',
  'ÿ',
  '%',
  '%zz',
  '%2',
  '%00',
  '%C0%AF',
  '%ED%A0%80',
  '..',
  '.',
  "'",
  '+',
  ';',
  '=',
);

const dbName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(KEEP_DB, SCRATCH_DB) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'fuzz-new',
      'a$b',
      'a(b)+c-d_e',
      'a%2Fb',
      'A',
      '1a',
      '_users',
      '_replicator',
      '_x',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(encoded) },
  { weight: 1, arbitrary: rawOdd },
);

const dbEndpoint = fc.constantFrom(
  ...(
    '_all_docs _changes _bulk_docs _bulk_get _revs_diff _missing_revs _find _index _explain _security ' +
    '_revs_limit _compact _view_cleanup _ensure_full_commit _purge _design_docs _local_docs _bar'
  ).split(' '),
);

const docId = fc.oneof(
  fc.constantFrom(
    'd1',
    'd2',
    'gone',
    '_design/x',
    '_design%2Fx',
    '_local/x',
    '_local%2Fx',
    '_design/x/_view/v',
  ),
  fc.constantFrom('%2F', 'a%2Fb', 'a/b', '', '_design', '_local', '_design/', 'd1/', 'd1//a'),
  fc.string({ maxLength: 10 }).map(encoded),
  fc.string({ unit: 'grapheme', maxLength: 4 }).map(encoded),
  rawOdd,
);

const attName = fc.oneof(
  fc.constantFrom('a.txt', 'a%2Fb', 'a/b', '_x', ''),
  fc.string({ maxLength: 6 }).map(encoded),
);

const serverPath = fc.constantFrom(
  ...(
    '/ /_all_dbs /_dbs_info /_up /_uuids /_session /_active_tasks /_membership /_scheduler/jobs ' +
    '/_scheduler/docs /_scheduler/docs/_replicator /_node/_local/_config ' +
    '/_node/_local/_config/couchdb /_node/_local/_stats /_node/nonode/_config /_node/_local ' +
    '/_db_updates /_utils /favicon.ico /_replicate /_nope // /%2F'
  ).split(' '),
);

const dbPath = fc
  .tuple(dbName, fc.nat({ max: 3 }), dbEndpoint, docId, attName)
  .map(([db, shape, ep, id, att]) =>
    shape === 0
      ? `/${db}`
      : shape === 1
        ? `/${db}/${ep}`
        : shape === 2
          ? `/${db}/${id}`
          : `/${db}/${id}/${att}`,
  );

const queryKey = fc.constantFrom(
  ...(
    'rev revs revs_info open_revs conflicts deleted_conflicts latest include_docs limit skip since ' +
    'style descending startkey endkey start_key key keys doc_ids filter selector attachments ' +
    'att_encoding_info atts_since new_edits w count seq_interval batch local_seq meta update_seq ' +
    'inclusive_end feed'
  ).split(' '),
);

const queryValue = fc.oneof(
  fc.constantFrom(
    'true',
    'false',
    '',
    '0',
    '-1',
    '1e400',
    '99999999999999999999',
    'abc',
    '%22x%22',
    '[]',
    '{}',
  ),
  fc.constantFrom(
    'null',
    '%',
    '%zz',
    'all',
    '%5B%221-a%22%5D',
    'normal',
    '_doc_ids',
    '_selector',
    'main_only',
  ),
  fc.constantFrom('all_docs', '1-abc', 'now', '%7B%22a%22%3A1%7D', `1-${'a'.repeat(32)}`, '%5B1%2C2%5D'),
  fc.string({ maxLength: 8 }).map(encoded),
);

// `feed` only as feed=normal: a continuous or longpoll feed never ends (or waits) by design
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
  .map((kv) =>
    kv.length === 0 ? '' : `?${kv.map(([k, v]) => (k === 'feed' ? 'feed=normal' : `${k}=${v}`)).join('&')}`,
  );

const method = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD') },
  { weight: 2, arbitrary: fc.constantFrom('COPY', 'OPTIONS', 'PATCH', 'PROPFIND', 'MOVE') },
);

/** Nested `[` or `{"a":` n deep: JSON parsers, canonicalizers and the sandbox must not overflow. */
const deep = fc
  .tuple(fc.constantFrom(10, 1000, 20000, 200000), fc.boolean(), fc.boolean())
  .map(([n, arrays, asDoc]) => {
    const inner = arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    return asDoc ? `{"_id":"deep","v":${inner}}` : inner;
  });

const jsonText = fc.oneof(
  fc.constantFrom(
    '{"a":1e400}',
    '{"a":-1e400,"b":1e-400}',
    '{"a":123456789012345678901234567890}',
    '{"a":-0}',
    '{"_id":"d2","n":18446744073709551616}',
    '{"docs":[{"_id":"d2","n":1e999}]}',
    '{"docs":[{"_id":"d1"},{"_id":"d1"}]}',
    '{"a":"\\ud800"}',
    '{"a":1,"a":2}',
    '{"selector":{"a":{"$gt":1e400}}}',
    '{"keys":[1e400,{"a":[]}]}',
    '{"d1":["1-a",1e400]}',
    '{"docs":[{"id":"d1","rev":"1-x"}]}',
    '{"_id":"_design/x","views":{"v":{"map":"function(d){emit(d._id,1)}"}}}',
    '{"_id":"_design/x","validate_doc_update":"function(d){if(d.bad)throw({forbidden:\\"no\\"})}"}',
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('', '{', '{"a":}', '[1,]', 'nul', '"\\x"', '{"a":1}{"b":2}', '\ufeff{}', '{"a":NaN}'),
  deep,
);

const body = fc.oneof(
  { weight: 3, arbitrary: jsonText.map((t) => Buffer.from(t)) },
  // invalid UTF-8 inside and outside strings
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 6 }), fc.boolean())
      .map(([b, inString]) =>
        Buffer.concat([
          Buffer.from(inString ? '{"a":"' : '{'),
          Buffer.from(b),
          Buffer.from(inString ? '"}' : '}'),
        ]),
      ),
  },
  // gzip: real gzip of JSON (the node may or may not inflate it) and gzip-looking garbage
  {
    weight: 1,
    arbitrary: fc
      .tuple(jsonText, fc.uint8Array({ maxLength: 40 }), fc.boolean())
      .map(([t, junk, real]) =>
        real ? gzipSync(t) : Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from(junk)]),
      ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)) },
);

const contentType = fc.constantFrom<string | null>(
  'application/json',
  'application/json',
  'application/json; charset=latin1',
  'text/plain',
  'multipart/related; boundary="xyz"',
  'multipart/related',
  'multipart/mixed; boundary=abc',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  ';;;',
  null,
);

const accept = fc.constantFrom<string | null>(
  null,
  'application/json',
  'text/plain',
  '*/*',
  'multipart/related',
  'multipart/mixed',
  'text/event-stream',
  'text/html;q=0.9, application/json;q=0.1',
  'garbage',
);

const contentEncoding = fc.constantFrom<string | null>(
  null,
  null,
  'gzip',
  'identity',
  'deflate',
  'br',
  'x-bogus',
);

const authorization = fc.constantFrom<string | null>(
  AUTH_OK,
  AUTH_OK,
  AUTH_OK,
  null,
  `Basic ${Buffer.from('admin:wrong').toString('base64')}`,
  `Basic ${Buffer.from('nobody').toString('base64')}`,
  'Basic !!!',
  'Bearer x',
);

const extraHeaders = fc.record(
  {
    destination: fc.oneof(fc.constantFrom('d2', 'd2?rev=1-abc', '_design/y', '', '%zz'), docId),
    'if-match': fc.constantFrom('"1-abc"', 'garbage', '*'),
    'if-none-match': fc.constantFrom('"1-abc"', '*', 'W/"x"'),
    'x-couch-full-commit': fc.constantFrom('true', 'nope'),
    range: fc.constantFrom('bytes=0-1', 'bytes=5-2', 'bytes=-', 'items=1'),
  },
  { requiredKeys: [] },
);

/**
 * One request. Rules that keep the world the property checks stable: the witness db is only read,
 * node config, `_replicate` and `_replicator` are only read (a random `_config` write could switch
 * authentication off; a random replication would run on after the test).
 */
export const requestArb: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method,
    path: fc.oneof({ weight: 4, arbitrary: dbPath }, { weight: 1, arbitrary: serverPath }),
    query,
    ct: contentType,
    accept,
    ce: contentEncoding,
    auth: authorization,
    extra: extraHeaders,
    body: fc.option(body, { freq: 3 }),
  })
  .map(({ method, path, query, ct, accept, ce, auth, extra, body }) => {
    const readOnly = /^\/(keep|_node|_replicate|_replicator|_config)(\/|$)/.test(path);
    const m = readOnly && !['GET', 'HEAD', 'OPTIONS'].includes(method) ? 'GET' : method;
    const headers: Record<string, string> = { ...extra };
    if (ct !== null) headers['content-type'] = ct;
    if (accept !== null) headers.accept = accept;
    if (ce !== null) headers['content-encoding'] = ce;
    if (auth !== null) headers.authorization = auth;
    return { method: m, path: `${path}${query}`, headers, body: body ?? undefined };
  });

// Replays every kind of request the CouchDB 3.5.0 replicator sent to a remote CouchDB in the recorded traces
// (test/fixtures/couchdb/replicator-traces), with the replicator's exact headers (cookie session, User-Agent,
// Accept, X-Couch-Full-Commit, Content-Length: 0 on bodiless requests) and, where the trace holds it, the exact
// body; and checks the status, content type and body shape the replicator depends on.
//
//   push:       target side (empty db): _session, db info, _local 404s, _revs_diff, multipart PUT new_edits=false,
//               _bulk_docs new_edits=false, _ensure_full_commit, checkpoint PUTs 0-1, 0-2, 0-3
//   pull:       source side (the same data): _changes normal style=all_docs, _bulk_get latest/revs, open_revs
//               multipart/mixed, checkpoint on the source
//   continuous: continuous _changes since=0 and since=<seq> with live writes, the limit=0 pending probe
//   resume:     _local 200, _changes since the checkpoint, checkpoint PUT with _rev 0-1 and a 2-entry history
//   missing:    db info of a missing target db
//
// Timeouts: the replicator sends timeout=10000 on _changes; continuous feeds are replayed with timeout=1000 (the
// replicator's floor, `max(1000, connection_timeout div 3)`), so the suite stays fast. Normal feeds keep 10000
// (they answer at once).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  assertJson,
  assertKeyOrder,
  buildMultipartRelated,
  createDb,
  getTarget,
  type JsonObject,
  ok,
  parseLines,
  parseMultipart,
  type RequestOptions,
  type Res,
  request,
  seqNum,
  shutdown,
  type Target,
  uniqueName,
  withServerLock,
} from './harness.ts';
import {
  BINARY_ATT_DOC,
  BINARY_ATT_PUT_RESPONSE,
  BULK_DOCS_HEADERS,
  BULK_DOCS_ONE,
  BULK_GET_HEADERS,
  BULK_GET_MANY,
  BULK_GET_ONE,
  CHANGES_HEADERS,
  CHECKPOINT_1,
  CHECKPOINT_2,
  CHECKPOINT_3,
  CHECKPOINT_IDS,
  CHECKPOINT_RESUME,
  CONFLICTED_LEAVES,
  DB_GET_HEADERS,
  ENSURE_FULL_COMMIT_HEADERS,
  LOCAL_GET_HEADERS,
  LOCAL_MISSING,
  LOCAL_PUT_HEADERS,
  MISSING_DB,
  MULTIPART_PUT_HEADERS,
  OPEN_REVS_HEADERS,
  OPEN_REVS_TEXT,
  REVS_DIFF_ALL,
  REVS_DIFF_HEADERS,
  REVS_DIFF_ONE,
  SESSION_HEADERS,
  TEXT_ATT_PUT,
  TOMBSTONES,
} from './trace-data.ts';

const JSON_CT = 'application/json';
const COOKIE = /^AuthSession=[^;]+; Version=1; Expires=[^;]+; Max-Age=\d+; Path=\/; HttpOnly$/;

// ---------------------------------------------------------------------------------------------------------
// The source data of the traces: sensor-00..49, deleted-1..3, "conflicted" (3 leaves), with-text-att,
// with-binary-att. Sensor bodies follow the traces' pattern; their rev ids are the traces' (CouchDB's).

const SENSOR_REVS: Record<string, string> = {};
for (const [id, revs] of Object.entries(JSON.parse(REVS_DIFF_ALL.body) as Record<string, string[]>)) {
  if (id.startsWith('sensor-')) SENSOR_REVS[id] = revs[0]!;
}
for (const [id, revs] of Object.entries(JSON.parse(REVS_DIFF_ONE.body) as Record<string, string[]>)) {
  SENSOR_REVS[id] = revs[0]!;
}

function sensorDoc(i: number): Record<string, unknown> {
  const id = `sensor-${String(i).padStart(2, '0')}`;
  const rev = SENSOR_REVS[id]!;
  return {
    _id: id,
    _rev: rev,
    type: 'reading',
    sensor: `s${i % 7}`,
    value: i * 3,
    unit: 'C',
    _revisions: { start: 1, ids: [rev.slice(2)] },
  };
}
const SENSORS = Array.from({ length: 50 }, (_, i) => sensorDoc(i));

const BLOB = randomBytes(204800);
const BLOB_DIGEST = `md5-${createHash('md5').update(BLOB).digest('base64')}`;
const BLOB_DOC = structuredClone(BINARY_ATT_DOC);
BLOB_DOC._attachments['blob.bin'].digest = BLOB_DIGEST;
const BLOB_BOUNDARY = randomBytes(16).toString('hex');

/** Every doc id with its leaf revs (winner first, as style=all_docs lists them) and deleted flag. */
const SOURCE_ROWS: Array<{ id: string; changes: Array<{ rev: string }>; deleted?: true }> = [
  ...SENSORS.map((d) => ({ id: d._id as string, changes: [{ rev: d._rev as string }] })),
  ...TOMBSTONES.map((d) => ({ id: d._id, changes: [{ rev: d._rev }], deleted: true as const })),
  { id: 'conflicted', changes: [...CONFLICTED_LEAVES].reverse().map((d) => ({ rev: d._rev })) },
  { id: 'with-text-att', changes: [{ rev: TEXT_ATT_PUT.response.rev }] },
  { id: 'with-binary-att', changes: [{ rev: BLOB_DOC._rev }] },
];

// ---------------------------------------------------------------------------------------------------------
// Replay helpers

function withCookie(headers: Array<[string, string]>, cookie: string): Array<[string, string]> {
  return headers.map(([k, v]) => [k, v.replace('{cookie}', cookie)]);
}

function replay(
  target: Target,
  cookie: string,
  method: string,
  path: string,
  headers: Array<[string, string]>,
  body?: string | Buffer,
  extra: Pick<RequestOptions, 'maxMs' | 'onChunk'> = {},
): Promise<Res> {
  return request(target, method, path, {
    auth: 'none',
    headers: withCookie(headers, cookie),
    body,
    ...extra,
  });
}

function expectJson(res: Res, status: number): JsonObject {
  assert.equal(res.status, status, `status: got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.equal(res.headers['content-type'], JSON_CT, 'Content-Type');
  assert.notEqual(res.json, undefined, `body is not JSON: ${res.text.slice(0, 300)}`);
  return res.json as JsonObject;
}

async function session(target: Target): Promise<string> {
  const body = `name=${encodeURIComponent(target.admin.user)}&password=${encodeURIComponent(target.admin.password)}`;
  const res = await request(target, 'POST', '/_session', { auth: 'none', headers: SESSION_HEADERS, body });
  const b = expectJson(res, 200);
  assert.deepEqual(Object.keys(b), ['ok', 'name', 'roles']);
  assert.equal(b.ok, true);
  assert.equal(b.name, target.admin.user);
  assert.ok(b.roles.includes('_admin'), `roles ${JSON.stringify(b.roles)}`);
  const set = res.headers['set-cookie'] ?? [];
  const cookie = set.find((c) => c.startsWith('AuthSession='));
  assert.ok(cookie, `Set-Cookie: ${JSON.stringify(set)}`);
  assert.match(cookie, COOKIE);
  return cookie.split(';')[0]!;
}

async function dbInfo(target: Target, cookie: string, db: string): Promise<JsonObject> {
  const b = expectJson(await replay(target, cookie, 'GET', `/${db}/`, DB_GET_HEADERS), 200);
  seqNum(b.update_seq, 'update_seq');
  assert.equal(typeof b.instance_start_time, 'string', 'instance_start_time (db_open needs it)');
  assert.equal(b.db_name, db);
  return b;
}

/** The push: what the replicator writes to a target, in trace order. Asserts each answer. */
async function push(target: Target, cookie: string, db: string): Promise<void> {
  let res = await replay(
    target,
    cookie,
    'PUT',
    `/${db}${TEXT_ATT_PUT.path}`,
    MULTIPART_PUT_HEADERS,
    Buffer.from(TEXT_ATT_PUT.bodyBase64, 'base64'),
  );
  assertJson(expectJson(res, 201), TEXT_ATT_PUT.response);
  const blobBody = buildMultipartRelated(BLOB_BOUNDARY, BLOB_DOC, [
    { name: 'blob.bin', type: 'application/octet-stream', data: BLOB },
  ]);
  const blobHeaders = MULTIPART_PUT_HEADERS.map(([k, v]): [string, string] =>
    k === 'Content-Type' ? [k, `multipart/related; boundary="${BLOB_BOUNDARY}"`] : [k, v],
  );
  res = await replay(target, cookie, 'PUT', `/${db}/with-binary-att?new_edits=false`, blobHeaders, blobBody);
  assertJson(expectJson(res, 201), BINARY_ATT_PUT_RESPONSE);
  res = await replay(target, cookie, 'POST', `/${db}/_bulk_docs`, BULK_DOCS_HEADERS, BULK_DOCS_ONE);
  assertJson(expectJson(res, 201), []);
  const rest = [...SENSORS.filter((d) => d._id !== 'sensor-02'), ...TOMBSTONES, ...CONFLICTED_LEAVES];
  res = await replay(
    target,
    cookie,
    'POST',
    `/${db}/_bulk_docs`,
    BULK_DOCS_HEADERS,
    JSON.stringify({ new_edits: false, docs: rest }),
  );
  assertJson(expectJson(res, 201), []);
}

function checkpointBody(src: string, id: string, patch: Record<string, unknown> = {}): string {
  const doc = JSON.parse(src) as Record<string, unknown>;
  doc._id = `_local/${id}`;
  for (const [k, v] of Object.entries(patch)) if (k in doc) doc[k] = v;
  return JSON.stringify(doc);
}

function sortedMissing(body: Record<string, { missing: string[] }>) {
  return Object.fromEntries(
    Object.entries(body).map(([id, v]) => [id, { ...v, missing: [...v.missing].sort() }]),
  );
}

/** A replayed changes row: keys seq, id, changes[, deleted]; returns the seq number. */
function checkRow(row: Record<string, unknown>, want: (typeof SOURCE_ROWS)[number]): number {
  const { seq, ...rest } = row;
  assert.equal(Object.keys(row)[0], 'seq');
  assertJson(rest, want, `row ${JSON.stringify(row)}`);
  return seqNum(seq);
}

function checkRows(rows: Array<Record<string, unknown>>, want: typeof SOURCE_ROWS): void {
  const byId = new Map(want.map((r) => [r.id, r]));
  assert.deepEqual(rows.map((r) => r.id).sort(), [...byId.keys()].sort(), 'one row per doc');
  const nums = rows.map((r) => checkRow(r, byId.get(r.id as string)!));
  assert.deepEqual(
    nums,
    [...nums].sort((a, b) => a - b),
    'seqs ascend',
  );
}

// ---------------------------------------------------------------------------------------------------------

let target: Target;
let releaseLock: () => void = () => {};

before(async () => {
  target = await getTarget();
  // Against COUCH_URL, keep the conformance file from changing max_document_size while this file writes docs.
  await new Promise<void>((started) => {
    withServerLock(
      () =>
        new Promise<void>((release) => {
          releaseLock = release;
          started();
        }),
    ).catch(() => started());
  });
});

after(async () => {
  releaseLock();
  await shutdown();
});

describe('push: the replicator writing to a target', () => {
  let db: string;
  let cookie: string;
  let ist: string;

  before(async () => {
    db = await createDb(target, uniqueName());
  });

  test('POST /_session form body, no Accept -> 200 {ok,name,roles} + AuthSession cookie (push-oneshot #1)', async () => {
    cookie = await session(target);
  });

  test('GET /db/ twice with the cookie only -> db info with update_seq and instance_start_time (#2, #3)', async () => {
    const a = await dbInfo(target, cookie, db);
    const b = await dbInfo(target, cookie, db);
    assert.equal(a.instance_start_time, b.instance_start_time);
    ist = a.instance_start_time;
  });

  test('GET /db/_local/<id> for the 4 checkpoint ids -> 404 not_found missing (#4-#7)', async () => {
    for (const id of CHECKPOINT_IDS) {
      const res = await replay(target, cookie, 'GET', `/${db}/_local/${id}`, LOCAL_GET_HEADERS);
      assertJson(expectJson(res, 404), LOCAL_MISSING);
    }
  });

  test('POST _revs_diff against the empty target -> every rev missing, no possible_ancestors (#8, #9)', async () => {
    for (const { body, response } of [REVS_DIFF_ONE, REVS_DIFF_ALL]) {
      const res = await replay(target, cookie, 'POST', `/${db}/_revs_diff`, REVS_DIFF_HEADERS, body);
      const b = expectJson(res, 200);
      for (const v of Object.values(b)) assert.deepEqual(Object.keys(v as object), ['missing']);
      assert.deepEqual(sortedMissing(b), sortedMissing(response as Record<string, { missing: string[] }>));
    }
  });

  test('PUT doc?new_edits=false multipart/related (gzip text att, trace bytes; 200 KB binary att) -> 201, then _bulk_docs new_edits:false with X-Couch-Full-Commit: false -> 201 [] (#10-#13)', async () => {
    await push(target, cookie, db);
  });

  test('POST _revs_diff after the push -> {}', async () => {
    const res = await replay(
      target,
      cookie,
      'POST',
      `/${db}/_revs_diff`,
      REVS_DIFF_HEADERS,
      REVS_DIFF_ALL.body,
    );
    assertJson(expectJson(res, 200), {});
  });

  test('POST _ensure_full_commit, empty body, Content-Length: 0 -> 201 {ok, instance_start_time of db info} (#14)', async () => {
    const res = await replay(
      target,
      cookie,
      'POST',
      `/${db}/_ensure_full_commit`,
      ENSURE_FULL_COMMIT_HEADERS,
    );
    assertJson(expectJson(res, 201), { ok: true, instance_start_time: ist });
  });

  test('PUT _local/<id> checkpoints: first without _rev -> 0-1, then with _rev/_revisions -> 0-2, 0-3 (#15; pull-continuous #25, #28)', async () => {
    const id = CHECKPOINT_1.id;
    const bodies = [
      CHECKPOINT_1.body,
      checkpointBody(CHECKPOINT_2.body, id),
      checkpointBody(CHECKPOINT_3.body, id),
    ];
    for (const [i, body] of bodies.entries()) {
      const res = await replay(target, cookie, 'PUT', `/${db}/_local/${id}`, LOCAL_PUT_HEADERS, body);
      assertJson(expectJson(res, 201), { ok: true, id: `_local/${id}`, rev: `0-${i + 1}` });
    }
    const res = await replay(target, cookie, 'GET', `/${db}/_local/${id}`, LOCAL_GET_HEADERS);
    const { _revisions, ...want } = JSON.parse(bodies[2]!) as Record<string, unknown>;
    want._rev = '0-3';
    const got = expectJson(res, 200);
    assert.deepStrictEqual(got, want);
    assert.deepEqual(Object.keys(got).slice(0, 2), ['_id', '_rev']);
  });
});

describe('pull: the replicator reading from a source', () => {
  let db: string;
  let cookie: string;

  before(async () => {
    db = await createDb(target, uniqueName());
    cookie = await session(target);
    await push(target, cookie, db);
  });

  test('db info x2, _local x4 -> 200, 404 (pull-oneshot #2-#7)', async () => {
    await dbInfo(target, cookie, db);
    await dbInfo(target, cookie, db);
    for (const id of CHECKPOINT_IDS) {
      assertJson(
        expectJson(await replay(target, cookie, 'GET', `/${db}/_local/${id}`, LOCAL_GET_HEADERS), 404),
        LOCAL_MISSING,
      );
    }
  });

  test('GET _changes?feed=normal&style=all_docs&since=0&timeout=10000 -> every doc, all leaves, deleted:true, last_seq, pending 0 (#8)', async () => {
    const path = `/${db}/_changes?feed=normal&style=all_docs&since=0&timeout=10000`;
    const b = expectJson(await replay(target, cookie, 'GET', path, CHANGES_HEADERS), 200);
    assert.deepEqual(Object.keys(b), ['results', 'last_seq', 'pending']);
    checkRows(b.results, SOURCE_ROWS);
    assert.ok(seqNum(b.last_seq) >= Math.max(...b.results.map((r: { seq: string }) => seqNum(r.seq))));
    assert.equal(b.pending, 0);
  });

  test('POST _bulk_get?latest=true&revs=true&attachments=false, exact bodies -> the traced answers (#10, #15)', async () => {
    for (const { body, response } of [BULK_GET_ONE, BULK_GET_MANY]) {
      const path = `/${db}/_bulk_get?latest=true&revs=true&attachments=false`;
      const res = await replay(target, cookie, 'POST', path, BULK_GET_HEADERS, body);
      assertJson(expectJson(res, 200), response);
    }
  });

  test('_bulk_get of the binary-attachment doc -> stub with the pushed digest', async () => {
    const body = JSON.stringify({
      revs: true,
      latest: true,
      docs: [{ rev: BLOB_DOC._rev, id: 'with-binary-att', atts_since: [] }],
      attachments: false,
    });
    const path = `/${db}/_bulk_get?latest=true&revs=true&attachments=false`;
    const b = expectJson(await replay(target, cookie, 'POST', path, BULK_GET_HEADERS, body), 200);
    const { follows, ...meta } = BLOB_DOC._attachments['blob.bin'];
    assertJson(b, {
      results: [
        {
          id: 'with-binary-att',
          docs: [{ ok: { ...BLOB_DOC, _attachments: { 'blob.bin': { ...meta, stub: true } } } }],
        },
      ],
    });
  });

  test('GET doc?revs=true&open_revs=["rev"]&latest=true, Accept: multipart/mixed -> nested multipart/related with the gzip text attachment as stored (#16)', async () => {
    const res = await replay(target, cookie, 'GET', `/${db}${OPEN_REVS_TEXT.path}`, OPEN_REVS_HEADERS);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(String(res.headers['content-type']), /^multipart\/mixed; boundary="[^"]+"$/);
    const outer = parseMultipart(res.buf, res.headers['content-type']);
    assert.equal(outer.length, 1);
    const ct = outer[0]!.headers['content-type'];
    assert.match(ct ?? '', /^multipart\/related; boundary="[^"]+"$/);
    const inner = parseMultipart(outer[0]!.body, ct);
    assert.equal(inner.length, 2);
    assert.equal(inner[0]!.headers['content-type'], 'application/json');
    assertJson(JSON.parse(inner[0]!.body.toString('utf8')), OPEN_REVS_TEXT.doc);
    const att = inner[1]!;
    const gz = Buffer.from(OPEN_REVS_TEXT.attGzipBase64, 'base64');
    assert.equal(att.headers['content-disposition'], 'attachment; filename="note.txt"');
    assert.equal(att.headers['content-type'], 'text/plain');
    assert.equal(att.headers['content-length'], String(gz.length));
    assert.equal(att.headers['content-encoding'], 'gzip');
    assert.deepEqual(att.body, gz, 'the gzip bytes exactly as pushed');
  });

  test('GET open_revs of the 200 KB binary attachment doc (multipart/mixed) -> the pushed bytes, no Content-Encoding (#14)', async () => {
    const path = `/${db}/with-binary-att?revs=true&open_revs=${encodeURIComponent(JSON.stringify([BLOB_DOC._rev]))}&latest=true`;
    const res = await replay(target, cookie, 'GET', path, OPEN_REVS_HEADERS);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    const outer = parseMultipart(res.buf, res.headers['content-type']);
    const inner = parseMultipart(outer[0]!.body, outer[0]!.headers['content-type']);
    assertJson(JSON.parse(inner[0]!.body.toString('utf8')), BLOB_DOC);
    assert.equal(inner[1]!.headers['content-length'], '204800');
    assert.equal(inner[1]!.headers['content-encoding'], undefined);
    assert.ok(inner[1]!.body.equals(BLOB), 'attachment bytes');
  });

  test('_ensure_full_commit then checkpoint PUT on the source -> 201, 201 rev 0-1 (#17, #18)', async () => {
    let res = await replay(target, cookie, 'POST', `/${db}/_ensure_full_commit`, ENSURE_FULL_COMMIT_HEADERS);
    const b = expectJson(res, 201);
    assertKeyOrder(b, { ok: true, instance_start_time: '' });
    res = await replay(
      target,
      cookie,
      'PUT',
      `/${db}/_local/${CHECKPOINT_1.id}`,
      LOCAL_PUT_HEADERS,
      CHECKPOINT_1.body,
    );
    assertJson(expectJson(res, 201), { ok: true, id: `_local/${CHECKPOINT_1.id}`, rev: '0-1' });
  });
});

describe('continuous pull', () => {
  let db: string;
  let cookie: string;
  let lastSeq: string;

  before(async () => {
    db = await createDb(target, uniqueName());
    cookie = await session(target);
    await push(target, cookie, db);
  });

  test('GET _changes?feed=continuous&style=all_docs&since=0&timeout=1000 -> one line per doc, then {last_seq,pending:0}, then closed (pull-continuous #8)', async () => {
    const path = `/${db}/_changes?feed=continuous&style=all_docs&since=0&timeout=1000`;
    const res = await replay(target, cookie, 'GET', path, CHANGES_HEADERS, undefined, { maxMs: 8000 });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], JSON_CT);
    assert.ok(res.ended, 'the server closes the feed after the timeout');
    const { lines } = parseLines(res.text);
    const tail = lines.pop();
    checkRows(lines, SOURCE_ROWS);
    assert.deepEqual(Object.keys(tail), ['last_seq', 'pending']);
    assert.equal(tail.pending, 0);
    assert.equal(tail.last_seq, lines.at(-1).seq);
    lastSeq = tail.last_seq;
  });

  test('GET _changes?since=<seq>&limit=0 (pending probe) -> {results:[], last_seq, pending:0} (#19)', async () => {
    const path = `/${db}/_changes?since=${lastSeq}&limit=0`;
    const b = expectJson(await replay(target, cookie, 'GET', path, CHANGES_HEADERS), 200);
    assert.deepEqual(Object.keys(b), ['results', 'last_seq', 'pending']);
    assert.deepEqual(b.results, []);
    assert.equal(seqNum(b.last_seq), seqNum(lastSeq));
    assert.equal(b.pending, 0);
  });

  // The feed's timeout counts from the last change, not from the request (CouchDB restarts its idle
  // timer on every change it sends). Shown by order and count, not by a duration: live-1 is written
  // once a few requests sent after the feed's have come and gone (the feed is open by then; a server
  // need not send headers before a line), each next one GAP ms after the previous one's line arrived.
  // The third comes more than the timeout after the request yet less than it after the previous
  // change: a feed that counted from the request would close with two lines. GAP leaves 400 ms slack.
  test('continuous since=<last_seq> with live writes -> only the live changes, then {last_seq,pending:0} once idle (#18)', async () => {
    const TIMEOUT = 1000;
    const GAP = 600;
    const path = `/${db}/_changes?feed=continuous&style=all_docs&since=${lastSeq}&timeout=${TIMEOUT}`;
    // live-3 repeats live-1's body: a new doc's rev id does not depend on its id, so it shares the rev.
    const live = [1, 2, 1].map((value, i) => ({
      id: `live-${i + 1}`,
      body: { type: 'reading', sensor: 'live', value },
    }));
    const acks: Array<Promise<unknown>> = [];
    const timers: NodeJS.Timeout[] = [];
    let scheduled = 0;
    const write = (i: number) => {
      const d = live[i]!;
      acks.push(ok(target, 'PUT', `/${db}/${d.id}`, { body: d.body }).catch((e: unknown) => e));
    };
    const schedule = (i: number) => {
      scheduled = i + 1;
      if (i === 0) write(0);
      else timers.push(setTimeout(() => write(i), GAP));
    };
    let text = '';
    const opened = (async () => {
      for (let i = 0; i < 5; i++) await ok(target, 'GET', `/${db}`);
      schedule(0);
    })();
    const res = await replay(target, cookie, 'GET', path, CHANGES_HEADERS, undefined, {
      maxMs: 8000,
      onChunk: (chunk) => {
        text += chunk.toString('utf8');
        const last = live[scheduled - 1];
        if (scheduled < live.length && last && text.includes(`"id":"${last.id}"`)) schedule(scheduled);
      },
    });
    await opened;
    timers.forEach(clearTimeout);
    for (const w of await Promise.all(acks))
      assert.ok(!(w instanceof Error), `live write failed: ${String(w)}`);
    assert.equal(res.status, 200);
    assert.ok(res.ended, 'the server closes the feed once idle for the timeout');
    const { lines } = parseLines(res.text);
    const tail = lines.pop();
    const revs = ['1-e4ea69425c2e1ff1fc79d8e23b8e0ba9', '1-9cd6c9367238cd2d30e6ffe01c752668'];
    assert.equal(lines.length, 3, `the timeout counts from the last change: live lines ${res.text}`);
    const nums = lines.map((l, i) => checkRow(l, { id: live[i]!.id, changes: [{ rev: revs[i % 2]! }] }));
    assert.ok(nums[0]! > seqNum(lastSeq) && nums[1]! > nums[0]! && nums[2]! > nums[1]!, 'live seqs ascend');
    assert.deepEqual(Object.keys(tail), ['last_seq', 'pending']);
    assert.equal(tail.last_seq, lines[2].seq);
    assert.equal(tail.pending, 0);
  });

  test('single-doc _bulk_get of a live change -> {results:[{id, docs:[{ok: doc with _revisions}]}]} (#20)', async () => {
    const body =
      '{"revs":true,"latest":true,"docs":[{"rev":"1-e4ea69425c2e1ff1fc79d8e23b8e0ba9","id":"live-1","atts_since":[]}],"attachments":false}';
    const path = `/${db}/_bulk_get?latest=true&revs=true&attachments=false`;
    const b = expectJson(await replay(target, cookie, 'POST', path, BULK_GET_HEADERS, body), 200);
    assertJson(b, {
      results: [
        {
          id: 'live-1',
          docs: [
            {
              ok: {
                _id: 'live-1',
                _rev: '1-e4ea69425c2e1ff1fc79d8e23b8e0ba9',
                type: 'reading',
                sensor: 'live',
                value: 1,
                _revisions: { start: 1, ids: ['e4ea69425c2e1ff1fc79d8e23b8e0ba9'] },
              },
            },
          ],
        },
      ],
    });
  });
});

describe('resume', () => {
  let db: string;
  let cookie: string;
  let checkpointSeq: string;
  const id = CHECKPOINT_RESUME.id;

  before(async () => {
    db = await createDb(target, uniqueName());
    cookie = await session(target);
    await push(target, cookie, db);
    checkpointSeq = (await ok(target, 'GET', `/${db}`)).update_seq;
    // the first run's checkpoint, as it wrote it (source_last_seq = the seq it reached)
    const first = checkpointBody(CHECKPOINT_1.body, id, { source_last_seq: checkpointSeq });
    await ok(target, 'PUT', `/${db}/_local/${id}`, { body: first, headers: { 'Content-Type': JSON_CT } });
    for (let n = 1; n <= 5; n++) {
      await ok(target, 'PUT', `/${db}/resume-${n}`, {
        body: { type: 'reading', sensor: 'resume', value: n },
      });
    }
  });

  test('GET /db/_local/<id> -> 200 the previous checkpoint, _rev 0-1 (resume #4)', async () => {
    const b = expectJson(await replay(target, cookie, 'GET', `/${db}/_local/${id}`, LOCAL_GET_HEADERS), 200);
    assert.deepEqual(Object.keys(b).slice(0, 2), ['_id', '_rev']);
    assert.equal(b._id, `_local/${id}`);
    assert.equal(b._rev, '0-1');
    assert.equal(b.source_last_seq, checkpointSeq);
    assert.equal(b.replication_id_version, 4);
    assert.equal(b.history.length, 1);
  });

  test('GET _changes?feed=normal&style=all_docs&since=<checkpointed seq>&timeout=10000 -> only the new docs (#5)', async () => {
    const path = `/${db}/_changes?feed=normal&style=all_docs&since=${checkpointSeq}&timeout=10000`;
    const b = expectJson(await replay(target, cookie, 'GET', path, CHANGES_HEADERS), 200);
    const revs = [
      '1-33f3d0c0be7a3d900eac87b46af86872',
      '1-60fb9a2e7cf13840b513a182abaf78ca',
      '1-bfe7c5f95006ec09ab9176c51ebebeab',
      '1-0ff91be626080efca954968b813ba308',
      '1-4fbc12b6c7b04bba1e066180c76370fa',
    ];
    checkRows(
      b.results,
      revs.map((rev, i) => ({ id: `resume-${i + 1}`, changes: [{ rev }] })),
    );
    assert.equal(b.pending, 0);
  });

  test('PUT _local/<id> with _rev 0-1, _revisions and a 2-entry history -> 201 rev 0-2 (#12)', async () => {
    const body = checkpointBody(CHECKPOINT_RESUME.body, id);
    const res = await replay(target, cookie, 'PUT', `/${db}/_local/${id}`, LOCAL_PUT_HEADERS, body);
    assertJson(expectJson(res, 201), { ok: true, id: `_local/${id}`, rev: '0-2' });
  });
});

describe('missing target db', () => {
  test('GET /<missing>/ -> 404 not_found "Database does not exist." (push-continuous-missing-target #2)', async () => {
    const cookie = await session(target);
    const res = await replay(target, cookie, 'GET', `/${uniqueName()}/`, DB_GET_HEADERS);
    assertJson(expectJson(res, MISSING_DB.status), MISSING_DB.response);
  });
});

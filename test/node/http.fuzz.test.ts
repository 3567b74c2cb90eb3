// Fuzzing the embedded node's HTTP API (VERIFY-CHAOS #16): random methods, paths (db names, doc ids
// with odd characters, `_` endpoints, encoded slashes), query strings, headers (content-type, accept,
// content-encoding, auth) and bodies (invalid JSON, deep nesting, huge numbers, invalid UTF-8, gzip
// garbage). Every answer is a success or a CouchDB-shaped error (`{"error","reason"}`, a 4xx), never a
// 5xx, a crash or a hang (each request has a deadline); afterwards the witness db, filled before the
// fuzzing, still answers its docs and `_changes`, and every db's `_changes` agrees with its info.
// bad-input.test.ts fuzzes bodies on fixed write endpoints; this one fuzzes the whole request.
//
// Fixed seed (CI is reproducible); FUZZ_RUNS / FUZZ_SEED raise or change it locally. fast-check
// prints the seed and the shrunk request on failure.
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { startNode } from '../../src/node/index.ts';
import { type FuzzRequest, KEEP_DB, requestArb, SCRATCH_DB } from './http-fuzz-arbs.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 16_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
/** A request still unanswered after this long is a hang (the slowest legitimate one here takes ms). */
const REQUEST_DEADLINE_MS = 10_000;
const AUTH = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

let node: Awaited<ReturnType<typeof startNode>>;
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
/** The node logs one line per 500 (a bug, never the client's fault). */
const errors500: string[] = [];
/** The witness docs: id -> rev, as written before the fuzzing. */
const witness = new Map<string, string>();

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function send(r: FuzzRequest): Promise<Res> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.body) headers['content-length'] = String(r.body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: node.port, method: r.method, path: r.path, agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.setTimeout(REQUEST_DEADLINE_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_DEADLINE_MS} ms (a hang)`)),
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

const get = (path: string) => send({ method: 'GET', path, headers: { authorization: AUTH } });
const put = (path: string, body: unknown) =>
  send({
    method: 'PUT',
    path,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  });

const describeReq = (r: FuzzRequest) =>
  `${r.method} ${r.path} ${JSON.stringify(r.headers)} body=${r.body ? JSON.stringify(r.body.toString('latin1').slice(0, 200)) : '-'}`;

/** A CouchDB error body: a JSON object with string `error` and `reason`. */
function assertCouchShaped(r: FuzzRequest, res: Res): void {
  const where = `${describeReq(r)} -> ${res.status} ${res.text.slice(0, 300)}`;
  assert.match(String(res.headers['content-type']), /^application\/json/, where);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    assert.fail(`error body is not JSON: ${where}`);
  }
  assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), where);
  const { error, reason } = body as Record<string, unknown>;
  assert.equal(typeof error, 'string', where);
  assert.equal(typeof reason, 'string', where);
}

before(async () => {
  node = await startNode({
    port: 0,
    inMemory: true,
    admins: { admin: 'admin' },
    log: (line) => {
      if (/^\[error\] .* 500 internal error: /.test(line)) errors500.push(line);
    },
  });
  for (const db of [KEEP_DB, SCRATCH_DB]) assert.equal((await put(`/${db}`, {})).status, 201);
  for (const id of ['d1', 'd2', 'a/b', 'é', '_design/x']) {
    const res = await put(`/${KEEP_DB}/${encodeURIComponent(id).replace('_design%2F', '_design/')}`, {
      v: id,
      ...(id === '_design/x' ? { filters: { f: 'function(doc){return true}' } } : {}),
    });
    assert.equal(res.status, 201, res.text);
    witness.set(id, (JSON.parse(res.text) as { rev: string }).rev);
  }
  const gone = await put(`/${KEEP_DB}/gone`, { v: 0 });
  const goneRev = (JSON.parse(gone.text) as { rev: string }).rev;
  const del = await send({
    method: 'DELETE',
    path: `/${KEEP_DB}/gone?rev=${goneRev}`,
    headers: { authorization: AUTH },
  });
  assert.equal(del.status, 200, del.text);
});

after(async () => {
  agent.destroy();
  await node.close();
});

test(`fuzz: random requests never get a 5xx, a non-CouchDB error or a hang (seed ${SEED}, ${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(requestArb, async (r) => {
      const res = await send(r);
      // 501 not_implemented is the node's declared limit (map/reduce views), CouchDB-shaped
      const declared =
        res.status === 501 &&
        (r.method === 'HEAD' ? /\/_view\//.test(r.path) : /"not_implemented"/.test(res.text));
      assert.ok(res.status < 500 || declared, `${describeReq(r)} -> ${res.status} ${res.text.slice(0, 300)}`);
      if (res.status >= 400 && r.method !== 'HEAD') assertCouchShaped(r, res);
    }),
    { seed: SEED, numRuns: RUNS, includeErrorInReport: true },
  );
});

test('after the fuzzing: no 500 logged, the node is up, the witness db answers as before', async () => {
  assert.deepEqual(errors500, []);
  assert.equal((await get('/_up')).status, 200);
  for (const [id, rev] of witness) {
    const path = `/${KEEP_DB}/${encodeURIComponent(id).replace('_design%2F', '_design/')}`;
    const res = await get(path);
    assert.equal(res.status, 200, `${id}: ${res.text}`);
    const doc = JSON.parse(res.text) as { _id: string; _rev: string; v: string };
    assert.deepEqual([doc._id, doc._rev, doc.v], [id, rev, id]);
  }
  const ch = await get(`/${KEEP_DB}/_changes?style=all_docs`);
  assert.equal(ch.status, 200, ch.text);
  const rows = (JSON.parse(ch.text) as { results: Array<{ id: string; deleted?: boolean }> }).results;
  assert.deepEqual(rows.map((x) => x.id).sort(), [...witness.keys(), 'gone'].sort());
  assert.deepEqual(
    rows.filter((x) => x.deleted).map((x) => x.id),
    ['gone'],
  );
  await assertConsistent(KEEP_DB);
  if ((await get(`/${SCRATCH_DB}`)).status === 200) await assertConsistent(SCRATCH_DB);
});

/** A db's `_changes`, `_all_docs` and info agree (nothing half-written by a refused request). */
async function assertConsistent(db: string): Promise<void> {
  const info = JSON.parse((await get(`/${db}`)).text) as {
    update_seq: string;
    doc_count: number;
    doc_del_count: number;
  };
  const ch = await get(`/${db}/_changes`);
  assert.equal(ch.status, 200, ch.text);
  const { results, last_seq } = JSON.parse(ch.text) as {
    results: Array<{ id: string; deleted?: boolean }>;
    last_seq: string;
  };
  assert.equal(last_seq, info.update_seq, db);
  assert.equal(results.filter((r) => !r.deleted).length, info.doc_count, db);
  assert.equal(results.filter((r) => r.deleted).length, info.doc_del_count, db);
  const all = await get(`/${db}/_all_docs`);
  assert.equal(all.status, 200, all.text);
  assert.equal((JSON.parse(all.text) as { rows: unknown[] }).rows.length, info.doc_count, db);
}

// ---------------------------------------------------------------------------------------------------
// What the fuzzer found, each stated as CouchDB answers it.

/** Sends raw bytes on a fresh connection; the whole answer once the server closes it. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(node.port, '127.0.0.1');
    let text = '';
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    s.on('error', reject);
    s.on('close', () => resolve(text.replace(/\r\nDate: [^\r]*/, '')));
    s.end(Buffer.from(bytes, 'latin1'));
  });
}

test('regression: a path starting // is a path (node: `//x/keep` read db `keep`, `x` taken for a host)', async () => {
  // chttpd splits the raw path with string:tokens(Path, "/"): empty segments vanish, //keep//d1/ is /keep/d1
  const d1 = await send({ method: 'GET', path: `//${KEEP_DB}//d1/`, headers: { authorization: AUTH } });
  assert.equal(d1.status, 200, d1.text);
  assert.equal((JSON.parse(d1.text) as { _id: string })._id, 'd1');
  const other = await send({ method: 'GET', path: `//x/${KEEP_DB}`, headers: { authorization: AUTH } });
  assert.equal(other.status, 404, other.text);
  assert.deepEqual(JSON.parse(other.text), { error: 'not_found', reason: 'Database does not exist.' });
});

test('regression: a target no URL parser takes gets a CouchDB-shaped 400 (node: an empty 400)', async () => {
  const res = await rawExchange('GET http://[bad/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(res, /^HTTP\/1\.1 400 /);
  assert.deepEqual(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)), {
    error: 'bad_request',
    reason: 'malformed request URL',
  });
});

test('regression: an unparseable HEAD gets its 400 without a body (node: a body the client read as garbage)', async () => {
  // a keep-alive packet can start with the previous request's body: the method is the failing line's
  const body = '{"a":1}';
  const res = await rawExchange(
    `PUT /regress HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}HEAD /${KEEP_DB}/\xff HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  const answers = res.split(/(?=HTTP\/1\.1 )/);
  assert.equal(answers.length, 2, res);
  assert.match(answers[0]!, /^HTTP\/1\.1 201 /);
  assert.match(answers[1]!, /^HTTP\/1\.1 400 [\s\S]*\r\n\r\n$/);
});

test('regression: a float out of range in an edited doc is 400 invalid UTF-8 JSON (node: a 500)', async () => {
  // jiffy cannot decode 1e400 to a term; couch_util:json_decode throws {invalid_json, _} -> 400
  const headers = { authorization: AUTH, 'content-type': 'application/json' };
  assert.equal((await put('/numbers', {})).status, 201);
  for (const [method, path] of [
    ['PUT', '/numbers/big'],
    ['POST', '/numbers'],
  ] as const) {
    const res = await send({ method, path, headers, body: Buffer.from('{"_id":"big","a":1e400}') });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(JSON.parse(res.text), { error: 'bad_request', reason: 'invalid UTF-8 JSON' });
  }
  const info = JSON.parse((await get('/numbers')).text) as { doc_count: number };
  assert.equal(info.doc_count, 0);
});

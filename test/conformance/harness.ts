// Harness of the CouchDB-API conformance suite.
//
// Target selection
//   - default: the embedded node, `startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } })` from
//     src/node/index.ts (a second one with `maxDocumentSize: 200` is started lazily for the 413 cases);
//   - COUCH_URL=http://127.0.0.1:5984 COUCH_ADMIN_USER=admin COUCH_ADMIN_PASSWORD=secret: any running server
//     (a real CouchDB 3.x must pass the suite unchanged). Everything the suite creates there (databases named
//     `cm_conf_<random>`, `_users` docs named `org.couchdb.user:cm_conf_<random>`) is deleted again, and the
//     `[couchdb] max_document_size` it changes for the 413 cases is restored.
//
// HTTP goes through node:http rather than fetch: fetch always adds `Accept: */*` and `Accept-Encoding`, and
// CouchDB negotiates on both (`attachments=true` / `open_revs` answer multipart when Accept matches
// multipart/*, attachments come gzip-encoded when gzip is accepted), and it cannot send the exact header sets
// the replicator sends (e.g. `Content-Length: 0` on a GET, no Accept on POST /_session).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeOptions, RunningNode } from '../../src/node/options.ts';

/** Where the captured CouchDB 3.5.0 responses live (only the sample-existence test reads them). */
export const SAMPLES_DIR =
  process.env.COUCH_SAMPLES_DIR ?? fileURLToPath(new URL('../fixtures/couchdb/samples/', import.meta.url));
/** Where the recorded replicator traces live (read by replicator-traces.test.ts). */
export const TRACES_DIR =
  process.env.COUCH_TRACES_DIR ??
  fileURLToPath(new URL('../fixtures/couchdb/replicator-traces/', import.meta.url));

/**
 * A parsed JSON value that assertions navigate freely (`b.results[0].seq`): the asserts check the shapes.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions; every access is checked by an assert
export type Json = any;
/** A parsed JSON object (see `Json`). */
export type JsonObject = Record<string, Json>;

// ---------------------------------------------------------------------------------------------------------
// Targets

export interface Target {
  readonly kind: 'embedded' | 'remote';
  /** Base URL without trailing slash and without credentials. */
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
  readonly admin: { readonly user: string; readonly password: string };
}

type StartNode = (options: NodeOptions) => Promise<RunningNode>;

const NODE_ENTRY = '../../src/node/index.ts';
const EMBEDDED_ADMIN = { user: 'admin', password: 'admin' } as const;

const embedded = new Map<string, Promise<{ target: Target; node: RunningNode }>>();

/** True when the suite runs against `COUCH_URL` instead of the embedded node. */
export function isRemote(): boolean {
  return Boolean(process.env.COUCH_URL);
}

async function loadStartNode(): Promise<StartNode> {
  let mod: { startNode?: unknown };
  try {
    // A computed specifier: the suite must type-check before src/node/index.ts exists.
    const spec: string = NODE_ENTRY;
    mod = (await import(spec)) as { startNode?: unknown };
  } catch (e) {
    throw new Error(`cannot import the embedded node (src/node/index.ts): ${String(e)}`, { cause: e });
  }
  if (typeof mod.startNode !== 'function') throw new Error('src/node/index.ts does not export startNode()');
  return mod.startNode as StartNode;
}

function targetFromUrl(kind: Target['kind'], url: string, admin: Target['admin']): Target {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}`;
  if (u.protocol !== 'http:') throw new Error(`only http:// targets are supported, got ${url}`);
  return { kind, url: base, hostname: u.hostname, port: Number(u.port || 80), admin };
}

async function startEmbedded(extra: Partial<NodeOptions>): Promise<{ target: Target; node: RunningNode }> {
  const startNode = await loadStartNode();
  const node = await startNode({
    port: 0,
    inMemory: true,
    admins: { [EMBEDDED_ADMIN.user]: EMBEDDED_ADMIN.password },
    ...extra,
  });
  if (!node || typeof node.url !== 'string' || typeof node.close !== 'function') {
    throw new Error(`startNode() resolved to ${JSON.stringify(node)}, expected { url, port, close() }`);
  }
  return { target: targetFromUrl('embedded', node.url, EMBEDDED_ADMIN), node };
}

/**
 * The server under test. `variant: 'smallDocs'` is, on the embedded node, a second node started with
 * `maxDocumentSize: 200`; against COUCH_URL it is the same server (see `withMaxDocumentSize`).
 */
export async function getTarget(variant: 'default' | 'smallDocs' = 'default'): Promise<Target> {
  const url = process.env.COUCH_URL;
  if (url) {
    const user = process.env.COUCH_ADMIN_USER;
    const password = process.env.COUCH_ADMIN_PASSWORD;
    if (!user || password === undefined) {
      throw new Error('COUCH_URL is set: COUCH_ADMIN_USER and COUCH_ADMIN_PASSWORD must be set too');
    }
    return targetFromUrl('remote', url, { user, password });
  }
  let p = embedded.get(variant);
  if (!p) {
    p = startEmbedded(variant === 'smallDocs' ? { maxDocumentSize: 200 } : {});
    embedded.set(variant, p);
  }
  return (await p).target;
}

/** Deletes what the suite created, closes embedded nodes and idle sockets. Call once per test file. */
export async function shutdown(): Promise<void> {
  await cleanupAll();
  for (const p of embedded.values()) {
    try {
      await (await p).node.close();
    } catch {
      // the node failed to start: nothing to close
    }
  }
  embedded.clear();
  agent.destroy();
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

export type Auth = 'admin' | 'none' | { user: string; password: string } | { cookie: string };

export interface RequestOptions {
  /** Object/array/number/boolean/null: sent as JSON (Content-Type application/json unless given).
   *  string: sent as UTF-8 text; Buffer: sent as is. */
  body?: unknown;
  /** Sent in this order, with this case. */
  headers?: Record<string, string> | Array<[string, string]>;
  /** Default 'admin' (Basic). 'none' sends no credentials. */
  auth?: Auth;
  /** Give up (error) after this long. Default 15 s. */
  timeoutMs?: number;
  /** Streaming: stop reading after this long, close the connection and resolve with `ended: false`. */
  maxMs?: number;
  /** Streaming: stop reading (close the connection, `ended: false`) once the body so far satisfies this. */
  until?: (text: string) => boolean;
  /** Streaming: called for each chunk of the body, in order. */
  onChunk?: (chunk: Buffer) => void;
}

export interface Res {
  status: number;
  /** Lower-case header names (node:http). */
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  buf: Buffer;
  text: string;
  /** Parsed body when the response is application/json and parses; otherwise undefined. */
  json: unknown;
  /** The body's chunks as they arrived, each with its `stamp()`. */
  chunks: Array<{ stamp: number; data: Buffer }>;
  /** False when the client closed the response (maxMs, until) before the server ended it. */
  ended: boolean;
  /** `stamp()` taken when the response was complete (or closed by us). */
  endStamp: number;
}

let lastStamp = 0;

/**
 * Order, never time: a counter shared by everything in this process. Stamp two events and compare
 * to assert which came first (a longpoll that answers only after other requests came and went, a
 * stream that stays open past an event we caused); a bound in milliseconds fails on a loaded machine.
 */
export function stamp(): number {
  return ++lastStamp;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function encodeBody(body: unknown): { buf?: Buffer; json: boolean } {
  if (body === undefined) return { json: false };
  if (Buffer.isBuffer(body)) return { buf: body, json: false };
  if (typeof body === 'string') return { buf: Buffer.from(body, 'utf8'), json: false };
  return { buf: Buffer.from(JSON.stringify(body), 'utf8'), json: true };
}

/** One HTTP exchange with the target. `path` is sent verbatim (already percent-encoded where needed). */
export function request(
  target: Target,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Res> {
  const pairs: Array<[string, string]> = Array.isArray(opts.headers)
    ? [...opts.headers]
    : Object.entries(opts.headers ?? {});
  const has = (name: string) => pairs.some(([k]) => k.toLowerCase() === name.toLowerCase());
  const { buf, json } = encodeBody(opts.body);
  if (json && !has('content-type')) pairs.push(['Content-Type', 'application/json']);
  if (buf && !has('content-length')) pairs.push(['Content-Length', String(buf.length)]);
  // A bodiless POST/PUT goes out as Content-Length: 0 (as CouchDB clients send it), not as an empty chunked body.
  if (!buf && (method === 'POST' || method === 'PUT') && !has('content-length'))
    pairs.push(['Content-Length', '0']);
  const auth = opts.auth ?? 'admin';
  if (auth === 'admin') pairs.push(['Authorization', basic(target.admin.user, target.admin.password)]);
  else if (auth !== 'none' && 'cookie' in auth) pairs.push(['Cookie', auth.cookie]);
  else if (auth !== 'none') pairs.push(['Authorization', basic(auth.user, auth.password)]);
  const headers: Record<string, string> = {};
  for (const [k, v] of pairs) headers[k] = v;

  return new Promise<Res>((resolve, reject) => {
    const chunks: Array<{ stamp: number; data: Buffer }> = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let status = 0;
    let resHeaders: IncomingHttpHeaders = {};
    let rawHeaders: string[] = [];
    const finish = (ended: boolean) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const all = Buffer.concat(chunks.map((c) => c.data));
      const text = all.toString('utf8');
      let parsed: unknown;
      const ct = String(resHeaders['content-type'] ?? '');
      if (ct.startsWith('application/json') && text.trim() !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      resolve({
        status,
        headers: resHeaders,
        rawHeaders,
        buf: all,
        text,
        json: parsed,
        chunks,
        ended,
        endStamp: stamp(),
      });
    };
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(e);
    };
    const req = http.request({
      agent,
      host: target.hostname,
      port: target.port,
      method,
      path,
      headers,
      setHost: true,
    });
    req.on('error', (e) => fail(new Error(`${method} ${path}: ${e.message}`, { cause: e })));
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      resHeaders = res.headers;
      rawHeaders = res.rawHeaders;
      res.on('data', (d: Buffer) => {
        chunks.push({ stamp: stamp(), data: d });
        opts.onChunk?.(d);
        let enough = false;
        try {
          enough = opts.until?.(Buffer.concat(chunks.map((c) => c.data)).toString('utf8')) ?? false;
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
        }
        if (enough) finish(false);
        if (enough || settled) req.destroy();
      });
      res.on('end', () => finish(true));
      res.on('error', () => finish(false));
      res.on('close', () => finish(res.complete));
    });
    if (opts.maxMs !== undefined) {
      timer = setTimeout(() => {
        finish(false);
        req.destroy();
      }, opts.maxMs);
    } else {
      timer = setTimeout(() => {
        fail(new Error(`${method} ${path}: no complete response after ${opts.timeoutMs ?? 15000} ms`));
        req.destroy();
      }, opts.timeoutMs ?? 15000);
    }
    if (buf) req.end(buf);
    else req.end();
  });
}

/** Asserts a setup step succeeded (2xx) and returns the parsed JSON body. */
export async function ok(
  target: Target,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Json> {
  const res = await request(target, method, path, opts);
  if (res.status < 200 || res.status > 299) {
    assert.fail(`setup step ${method} ${path} answered ${res.status}: ${res.text.slice(0, 500)}`);
  }
  return res.json;
}

// ---------------------------------------------------------------------------------------------------------
// Databases, users, cleanup

const cleanups: Array<() => Promise<void>> = [];

export function uniqueName(prefix = 'cm_conf_'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** Registers a cleanup step to run at shutdown (last registered runs first). */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch {
      // best effort
    }
  }
}

/** Deletes a database (ignores 404). */
export async function dropDb(target: Target, name: string): Promise<void> {
  const res = await request(target, 'DELETE', `/${encodeURIComponent(name)}`);
  if (res.status !== 200 && res.status !== 202 && res.status !== 404) {
    throw new Error(`DELETE /${name} answered ${res.status}: ${res.text}`);
  }
}

/**
 * Creates a database for a case and schedules its deletion. `q=1`: one shard, so `_changes` order is
 * the write order on a real CouchDB too (the samples were captured on q=2 databases, whose feed
 * interleaves shards; CouchDB gives no order across shards). `n=1`: one copy, so on a cluster every
 * read sees every acknowledged write (with n=3 a write returns once a quorum w=2 of copies has it,
 * and `_all_docs`, `GET /db` counts and `_changes` read one copy per range, which may not have it
 * yet), and every seq of a case comes from that copy. A single node ignores `n`.
 */
export async function createDb(target: Target, name: string = uniqueName()): Promise<string> {
  const res = await request(target, 'PUT', `/${encodeURIComponent(name)}?q=1&n=1`);
  if (res.status !== 201 && res.status !== 202) {
    assert.fail(`setup: PUT /${name}?q=1&n=1 answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  onCleanup(() => dropDb(target, name));
  return name;
}

/** Creates a `_users` user the way CouchDB expects it and schedules its deletion. */
export async function createUser(target: Target, name: string, password: string): Promise<void> {
  const path = `/_users/${encodeURIComponent(`org.couchdb.user:${name}`)}`;
  const res = await request(target, 'PUT', path, { body: { name, password, roles: [], type: 'user' } });
  if (res.status !== 201 && res.status !== 202) {
    assert.fail(`setup: PUT ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  const rev = (res.json as { rev: string }).rev;
  onCleanup(async () => {
    await request(target, 'DELETE', `${path}?rev=${encodeURIComponent(rev)}`);
  });
}

/** POST /_session (JSON) and return the `AuthSession=...` cookie pair. */
export async function login(target: Target, user = target.admin.user, password = target.admin.password) {
  const res = await request(target, 'POST', '/_session', { auth: 'none', body: { name: user, password } });
  assert.equal(res.status, 200, `setup: POST /_session answered ${res.status}: ${res.text}`);
  return cookiePair(res);
}

/** The `AuthSession=...` pair of a response's Set-Cookie header. */
export function cookiePair(res: Res): string {
  const set = res.headers['set-cookie'];
  const first = Array.isArray(set) ? set.find((c) => c.startsWith('AuthSession=')) : undefined;
  assert.ok(first, `no AuthSession Set-Cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return first.split(';')[0]!;
}

// ---------------------------------------------------------------------------------------------------------
// Server-wide config changes (413 cases against COUCH_URL) and the cross-process lock that guards them

const LOCK_PATH = join(
  tmpdir(),
  `couchmesh-conformance-${Buffer.from(process.env.COUCH_URL ?? 'embedded')
    .toString('hex')
    .slice(0, 40)}.lock`,
);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` while holding a lock shared by the conformance test files (they run in parallel processes).
 * Only needed against COUCH_URL, where one file changes server config that the other's requests depend on.
 */
export async function withServerLock<T>(fn: () => Promise<T>): Promise<T> {
  if (!isRemote()) return fn();
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const fd = openSync(LOCK_PATH, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(LOCK_PATH, 'utf8'));
      } catch {
        continue;
      }
      if (holder && !pidAlive(holder)) {
        try {
          unlinkSync(LOCK_PATH);
        } catch {
          // someone else removed it
        }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`could not acquire ${LOCK_PATH} within 60 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    if (existsSync(LOCK_PATH)) unlinkSync(LOCK_PATH);
  }
}

/**
 * Runs `fn` with `[couchdb] max_document_size` = `size` on a remote target, restoring the previous value
 * afterwards (deleting the key if it was not set). On the embedded node the small-docs node is used instead,
 * so this just runs `fn`.
 */
export async function withMaxDocumentSize<T>(target: Target, size: number, fn: () => Promise<T>): Promise<T> {
  if (target.kind !== 'remote') return fn();
  return withServerLock(async () => {
    const path = '/_node/_local/_config/couchdb/max_document_size';
    const before = await request(target, 'GET', path);
    // `_config` values are JSON strings (CouchDB: 400 "a JSON string expected" for a number)
    const set = await request(target, 'PUT', path, {
      body: JSON.stringify(String(size)),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(set.status, 200, `setup: PUT ${path} answered ${set.status}: ${set.text}`);
    try {
      return await fn();
    } finally {
      if (before.status === 200)
        await request(target, 'PUT', path, {
          body: JSON.stringify(before.json as string),
          headers: { 'content-type': 'application/json' },
        });
      else await request(target, 'DELETE', path);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Assertion helpers

export const SEQ = /^\d+-/;

/** Asserts an opaque CouchDB 2+/3 seq: a string starting with `<number>-`. Returns the number. */
export function seqNum(seq: unknown, what = 'seq'): number {
  assert.equal(typeof seq, 'string', `${what} must be a string, got ${JSON.stringify(seq)}`);
  assert.match(seq as string, SEQ, `${what} must look like "<n>-...", got ${JSON.stringify(seq)}`);
  return Number.parseInt(seq as string, 10);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Asserts every object in `actual` has the keys of the matching object in `expected`, in the same order. */
export function assertKeyOrder(actual: unknown, expected: unknown, path = '$'): void {
  if (isPlainObject(actual) && isPlainObject(expected)) {
    const a = Object.keys(actual);
    const e = Object.keys(expected);
    assert.deepEqual(a, e, `key order at ${path}: got [${a.join(', ')}], CouchDB sends [${e.join(', ')}]`);
    for (const k of e) assertKeyOrder(actual[k], expected[k], `${path}.${k}`);
  } else if (Array.isArray(actual) && Array.isArray(expected) && actual.length === expected.length) {
    for (let i = 0; i < actual.length; i++) assertKeyOrder(actual[i], expected[i], `${path}[${i}]`);
  }
}

/** Deep equality plus key order. */
export function assertJson(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
  assertKeyOrder(actual, expected);
}

export function asObject(v: unknown, what = 'body'): JsonObject {
  assert.ok(isPlainObject(v), `${what} must be a JSON object, got ${JSON.stringify(v)?.slice(0, 200)}`);
  return v as JsonObject;
}

/** Splits a continuous `_changes` body into parsed JSON lines; bare newlines (heartbeats) are counted. */
export function parseLines(text: string): { lines: Json[]; blank: number } {
  const lines: Json[] = [];
  let blank = 0;
  const parts = text.split('\n');
  // The text ends with "\n": the last element is the (possibly partial) rest after it.
  const rest = parts.pop();
  for (const p of parts) {
    if (p.trim() === '') blank++;
    else lines.push(JSON.parse(p));
  }
  if (rest && rest.trim() !== '') lines.push(JSON.parse(rest));
  return { lines, blank };
}

// ---------------------------------------------------------------------------------------------------------
// Multipart

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

export function boundaryOf(contentType: string | undefined): string {
  const m = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  assert.ok(m, `no boundary in Content-Type ${JSON.stringify(contentType)}`);
  return m[1]!;
}

/** Parses a multipart body (RFC 2046) into parts with lower-case header names. */
export function parseMultipart(buf: Buffer, contentType: string | undefined): Part[] {
  const boundary = boundaryOf(contentType);
  const delim = Buffer.from(`\r\n--${boundary}`);
  const data = Buffer.concat([Buffer.from('\r\n'), buf]);
  const parts: Part[] = [];
  let pos = data.indexOf(delim);
  assert.ok(pos >= 0, `multipart body has no --${boundary} delimiter`);
  for (;;) {
    const start = pos + delim.length;
    if (data.subarray(start, start + 2).toString() === '--') break; // close delimiter
    const next = data.indexOf(delim, start);
    assert.ok(next >= 0, `multipart body is not closed by --${boundary}--`);
    let seg = data.subarray(start, next);
    const eol = seg.indexOf('\r\n');
    seg = seg.subarray(eol + 2); // skip transport padding + CRLF after the boundary
    const hdrEnd = seg.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    let body: Buffer;
    if (seg.subarray(0, 2).toString() === '\r\n') {
      body = seg.subarray(2);
    } else {
      assert.ok(hdrEnd >= 0, 'multipart part without a blank line after its headers');
      for (const line of seg.subarray(0, hdrEnd).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      body = seg.subarray(hdrEnd + 4);
    }
    parts.push({ headers, body });
    pos = next;
  }
  return parts;
}

/** Builds a multipart/related body like the replicator does (JSON part, then one part per attachment). */
export function buildMultipartRelated(
  boundary: string,
  doc: unknown,
  atts: Array<{ name: string; type: string; data: Buffer; encoding?: string }>,
): Buffer {
  const out: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(doc)}`),
  ];
  for (const a of atts) {
    let head = `\r\n--${boundary}\r\nContent-Disposition: attachment; filename="${a.name}"\r\nContent-Type: ${a.type}\r\nContent-Length: ${a.data.length}\r\n`;
    if (a.encoding) head += `Content-Encoding: ${a.encoding}\r\n`;
    out.push(Buffer.from(`${head}\r\n`), a.data);
  }
  out.push(Buffer.from(`\r\n--${boundary}--`));
  return Buffer.concat(out);
}

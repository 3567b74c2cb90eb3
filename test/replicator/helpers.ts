// Shared helpers of the replicator tests: embedded nodes on 127.0.0.1, a small HTTP client, bounded
// polling on observable state (never a sleep standing in for a condition), the real CouchDB 3.5.0
// samples and a shape comparison (key sets + value types) against them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NodeOptions, startNode } from '../../src/node/index.ts';

export type TestNode = Awaited<ReturnType<typeof startNode>>;

export const ADMIN = { username: 'admin', password: 'admin' } as const;

/** JSON as it comes off the wire: the tests assert on it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON responses, checked by the assertions
export type Json = any;

export interface Answer<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** One HTTP exchange with JSON in and out (`body` is the parsed JSON, or the text when not JSON). */
export async function http<T = Json>(
  method: string,
  url: string,
  body?: unknown,
  auth: { username: string; password: string } | null = ADMIN,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  if (auth) h.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  let res: Response;
  // a rate-limited node (`maxRequestRate`) answers the test's own requests 429 too: honour Retry-After
  for (let attempt = 0; ; attempt++) {
    res = await fetch(url, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 429 || attempt >= 50) break;
    await res.arrayBuffer();
    const after = Number(res.headers.get('retry-after') ?? '0');
    await new Promise((r) => setTimeout(r, Math.min(Math.max(after * 1000, 50), 1000) / 4));
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** `http` that fails the test unless the status is one of `ok`. */
export async function ok<T = Json>(
  method: string,
  url: string,
  body?: unknown,
  okStatuses: number[] = [200, 201, 202],
  auth: { username: string; password: string } | null = ADMIN,
): Promise<T> {
  const r = await http<T>(method, url, body, auth);
  if (!okStatuses.includes(r.status))
    throw new Error(`${method} ${url} -> ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * A set of embedded nodes (admin `admin:admin`), closed together by `closeAll()` (call it in `after`).
 * Replicator settings applied on start: no startup jitter, `backoff_base_msec` low so crash tests are quick.
 */
export class Nodes {
  readonly all: TestNode[] = [];
  private readonly dirs: string[] = [];

  async start(
    opts: Partial<NodeOptions> = {},
    replicator: Record<string, string> = { backoff_base_msec: '100' },
  ): Promise<TestNode> {
    const node = await startNode({
      port: 0,
      ...(opts.dataDir ? {} : { inMemory: true }),
      admins: { admin: ADMIN.password },
      ...opts,
    });
    this.all.push(node);
    await setConfig(node, { startup_jitter: '0', ...replicator });
    return node;
  }

  /** A fresh temporary folder for `dataDir`, removed by `closeAll()`. */
  tempDir(label: string): string {
    const d = mkdtempSync(join(tmpdir(), `couchmesh-rep-${label}-`));
    this.dirs.push(d);
    return d;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all.map((n) => n.close()));
    this.all.length = 0;
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** `PUT /_node/_local/_config/replicator/<key>` for each entry. */
export async function setConfig(node: TestNode, kv: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(kv))
    await ok('PUT', `${node.url}/_node/_local/_config/replicator/${k}`, v);
}

/** A `_replicator` endpoint object `{url, auth:{basic}}`. */
export function endpoint(
  node: { url: string },
  db: string,
  auth: { username: string; password: string } = ADMIN,
): { url: string; auth: { basic: { username: string; password: string } } } {
  return { url: `${node.url}/${db}`, auth: { basic: { username: auth.username, password: auth.password } } };
}

/**
 * Polls `probe` until it returns something other than `undefined`/`false` and returns that; fails with
 * `label` (and the last value seen) after `timeoutMs`. Bounded: never an unconditional sleep.
 */
export async function poll<T>(
  label: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    last = v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for: ${label} (last: ${JSON.stringify(last)})`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `_scheduler/docs/_replicator/<doc>` (or undefined while it is not there). */
export async function schedDoc(node: { url: string }, docId: string): Promise<Json | undefined> {
  const r = await http('GET', `${node.url}/_scheduler/docs/_replicator/${encodeURIComponent(docId)}`);
  return r.status === 200 ? r.body : undefined;
}

/** Polls until the doc's scheduler state is `state` (and `extra` holds), returning the entry. */
export function waitState(
  node: { url: string },
  docId: string,
  state: string,
  extra: (d: Json) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Json> {
  return poll(
    `${docId} in state ${state}`,
    async () => {
      const d = await schedDoc(node, docId);
      return d?.state === state && extra(d) ? d : undefined;
    },
    { timeoutMs },
  );
}

/** The numeric prefix of a seq ("12-g1AAA" -> 12, 7 -> 7). */
export const seqNum = (s: unknown): number =>
  typeof s === 'number' ? s : Number.parseInt(String(s ?? '0'), 10) || 0;

/** `update_seq` of a db, as a number. */
export async function updateSeq(node: { url: string }, db: string): Promise<number> {
  return seqNum((await ok('GET', `${node.url}/${db}`)).update_seq);
}

export async function docCount(node: { url: string }, db: string): Promise<number> {
  return (await ok<{ doc_count: number }>('GET', `${node.url}/${db}`)).doc_count;
}

/** Writes `n` small docs `<prefix>-<i>` in one `_bulk_docs`. */
export async function writeDocs(node: { url: string }, db: string, prefix: string, n: number, from = 0) {
  const docs = Array.from({ length: n }, (_, i) => ({
    _id: `${prefix}-${String(from + i).padStart(5, '0')}`,
    n: from + i,
  }));
  const r = await ok<Array<{ ok?: boolean }>>('POST', `${node.url}/${db}/_bulk_docs`, { docs });
  if (r.some((x) => !x.ok)) throw new Error(`bulk write failed: ${JSON.stringify(r)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Real CouchDB 3.5.0 samples and shape comparison

const SAMPLES =
  process.env.COUCHDB_SAMPLES ?? fileURLToPath(new URL('../fixtures/couchdb/samples/', import.meta.url));

/** The captured response body of a sample (files are `{request, status, headers, body}` or a bare body). */
export function sample(name: string): Json {
  const raw = JSON.parse(readFileSync(join(SAMPLES, name), 'utf8'));
  return raw && typeof raw === 'object' && !Array.isArray(raw) && 'request' in raw && 'body' in raw
    ? raw.body
    : raw;
}

export function sampleFile(name: string): { request: Json; status: number; body: Json } {
  return JSON.parse(readFileSync(join(SAMPLES, name), 'utf8'));
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Differences between the shape of `actual` and of the CouchDB `expected` sample: key sets of every
 * object (recursively), and value types. Arrays are compared element by element up to the shorter
 * length (history entries, jobs). `nullable` lists keys whose value may be null or of the sample's type
 * (CouchDB itself shows both, e.g. `changes_pending`).
 */
export function shapeDiff(
  actual: unknown,
  expected: unknown,
  path = '$',
  nullable: ReadonlySet<string> = new Set(['changes_pending']),
): string[] {
  const ta = typeOf(actual);
  const te = typeOf(expected);
  const key = path.split('.').pop() ?? '';
  if (ta !== te) {
    if (nullable.has(key) && (ta === 'null' || te === 'null')) return [];
    return [`${path}: type ${ta} (${JSON.stringify(actual)?.slice(0, 80)}), CouchDB has ${te}`];
  }
  if (ta === 'array') {
    const a = actual as unknown[];
    const e = expected as unknown[];
    const out: string[] = [];
    for (let i = 0; i < Math.min(a.length, e.length); i++)
      out.push(...shapeDiff(a[i], e[i], `${path}[${i}]`, nullable));
    return out;
  }
  if (ta !== 'object') return [];
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(e)) if (!(k in a)) out.push(`${path}.${k}: missing (CouchDB has it)`);
  for (const k of Object.keys(a)) if (!(k in e)) out.push(`${path}.${k}: extra (CouchDB has no such key)`);
  for (const k of Object.keys(e)) if (k in a) out.push(...shapeDiff(a[k], e[k], `${path}.${k}`, nullable));
  return out;
}

/** Sorted key list (for readable assertion failures). */
export const keysOf = (o: object) => Object.keys(o).sort();

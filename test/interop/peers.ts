// Peers for the interop tests: implementations of the CouchDB replication protocol that nobody here wrote
// (PouchDB 9, express-pouchdb 4.2.0), plus the embedded node, all on 127.0.0.1.
//
// pouchdb and express-pouchdb ship no type declarations; they are loaded with createRequire and typed by the
// small interfaces below (only what the tests use).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------------------
// PouchDB typing (subset)

export interface AttachmentStub {
  content_type: string;
  digest?: string;
  length?: number;
  revpos?: number;
  stub?: boolean;
  /** base64 string (inline), Buffer (node, local adapters) or Blob (http adapter, binary) */
  data?: string | Buffer | Blob;
}

export interface PouchDoc {
  _id: string;
  _rev?: string;
  _deleted?: boolean;
  _attachments?: Record<string, AttachmentStub>;
  _conflicts?: string[];
  _revisions?: { start: number; ids: string[] };
  [field: string]: unknown;
}

export interface WriteResult {
  ok?: boolean;
  id?: string;
  rev?: string;
  error?: unknown;
  reason?: string;
  status?: number;
  name?: string;
  message?: string;
}

export interface AllDocsRow {
  id: string;
  key: string;
  value: { rev: string; deleted?: boolean };
  doc?: PouchDoc | null;
  error?: string;
}

export interface ChangesResult {
  results: Array<{ id: string; seq: number | string; changes: Array<{ rev: string }>; deleted?: boolean }>;
  last_seq: number | string;
}

export type OpenRevsResult = Array<{ ok: PouchDoc } | { missing: string }>;

export interface GetOptions {
  rev?: string;
  revs?: boolean;
  conflicts?: boolean;
  attachments?: boolean;
  binary?: boolean;
  latest?: boolean;
}

export interface PouchDatabase {
  readonly name: string;
  info(): Promise<{ db_name: string; doc_count: number; update_seq: number | string; [k: string]: unknown }>;
  get(id: string, opts: GetOptions & { open_revs: 'all' | string[] }): Promise<OpenRevsResult>;
  get(id: string, opts?: GetOptions): Promise<PouchDoc>;
  put(doc: PouchDoc): Promise<{ ok: boolean; id: string; rev: string }>;
  remove(id: string, rev: string): Promise<{ ok: boolean; id: string; rev: string }>;
  bulkDocs(docs: PouchDoc[], opts?: { new_edits?: boolean }): Promise<WriteResult[]>;
  allDocs(opts?: {
    include_docs?: boolean;
    conflicts?: boolean;
    keys?: string[];
  }): Promise<{ total_rows: number; offset?: number; rows: AllDocsRow[] }>;
  changes(opts?: {
    since?: number | string;
    style?: 'all_docs' | 'main_only';
    limit?: number;
  }): Promise<ChangesResult>;
  putAttachment(
    docId: string,
    attachmentId: string,
    rev: string,
    data: Buffer | string,
    type: string,
  ): Promise<{ ok: boolean; id: string; rev: string }>;
  getAttachment(docId: string, attachmentId: string, opts?: { rev?: string }): Promise<Buffer | Blob>;
  destroy(): Promise<unknown>;
  close(): Promise<void>;
}

export interface ReplicationResult {
  ok: boolean;
  status: string;
  docs_read: number;
  docs_written: number;
  doc_write_failures: number;
  errors: unknown[];
  last_seq: number | string;
}

export interface ReplicationOptions {
  live?: boolean;
  retry?: boolean;
  batch_size?: number;
  doc_ids?: string[];
  checkpoint?: false | 'source' | 'target';
}

/** PouchDB's Replication: an event emitter that is also a promise of the final result. */
export interface Replication extends PromiseLike<ReplicationResult> {
  on(event: 'change', listener: (info: { docs_written: number; docs: PouchDoc[] }) => void): this;
  on(event: 'paused' | 'active' | 'denied' | 'error' | 'complete', listener: (value: unknown) => void): this;
  once(event: string, listener: (value: unknown) => void): this;
  removeListener(event: string, listener: (value: unknown) => void): this;
  cancel(): void;
}

export interface PouchStatic {
  new (name: string, opts?: Record<string, unknown>): PouchDatabase;
  plugin(plugin: unknown): PouchStatic;
  defaults(opts: Record<string, unknown>): PouchStatic;
  replicate(source: PouchDatabase, target: PouchDatabase, opts?: ReplicationOptions): Replication;
}

const require = createRequire(import.meta.url);

/** PouchDB 9 (leveldb + http adapters; plus the memory adapter registered below). */
export const PouchDB = require('pouchdb') as PouchStatic;
PouchDB.plugin(require('pouchdb-adapter-memory'));
/** PouchDB constructor whose local databases live in memory (`pouchdb-adapter-memory`). */
export const MemoryPouch = PouchDB.defaults({ adapter: 'memory' });

// ---------------------------------------------------------------------------------------------------------
// Databases

export interface Credentials {
  username: string;
  password: string;
}

let counter = 0;
/** A CouchDB-valid database name, unique within this process: `<label>-<n>`. */
export function uniqueDbName(label: string): string {
  counter += 1;
  return `${label.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}-${counter}`;
}

/**
 * A local in-memory PouchDB. Memory stores are shared by name within a process, so the name is made unique.
 */
export function memoryDb(label: string): PouchDatabase {
  return new MemoryPouch(`mem-${uniqueDbName(label)}`);
}

/** A PouchDB http-adapter database `baseUrl/name` (created on first use), with basic auth when given. */
export function remoteDb(baseUrl: string, name: string, auth?: Credentials): PouchDatabase {
  const url = `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
  return auth
    ? new PouchDB(url, { auth: { username: auth.username, password: auth.password } })
    : new PouchDB(url);
}

/** A server that databases can be opened on (the embedded node, express-pouchdb, or a proxy in front). */
export interface Peer {
  /** for test names and messages */
  readonly label: string;
  readonly url: string;
  readonly auth?: Credentials;
  /** A fresh database with a unique name, `label` prefixed. */
  db(label: string): PouchDatabase;
}

export function peerOf(label: string, url: string, auth?: Credentials): Peer {
  return {
    label,
    url,
    auth,
    db: (dbLabel: string) => remoteDb(url, uniqueDbName(dbLabel), auth),
  };
}

// ---------------------------------------------------------------------------------------------------------
// express-pouchdb

export interface RunningPeerServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** What the server wrote to stderr so far (last 64 KiB), for failure messages. */
  stderr(): string;
}

const EXPRESS_POUCH_SCRIPT = fileURLToPath(new URL('./express-pouch-server.mjs', import.meta.url));

/**
 * Starts express-pouchdb 4.2.0 (PouchDB 9, memory adapter, `mode: 'minimumForPouchDB'`, admin party) in a
 * child process with `--unhandled-rejections=warn`, listening on 127.0.0.1:0.
 * A CouchDB-1.x-flavoured peer: use it for the data path only.
 */
export async function startExpressPouch(
  opts: { trace?: boolean; startTimeoutMs?: number } = {},
): Promise<RunningPeerServer> {
  const child: ChildProcess = spawn(process.execPath, ['--unhandled-rejections=warn', EXPRESS_POUCH_SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, EXPRESS_POUCH_TRACE: opts.trace ? '1' : '' },
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    err = (err + chunk).slice(-65536);
  });
  let exited = false;
  const exitedPromise = once(child, 'exit').then(() => {
    exited = true;
  });

  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `express-pouchdb did not start within ${opts.startTimeoutMs ?? 15_000} ms; stderr:\n${err}`,
        ),
      );
    }, opts.startTimeoutMs ?? 15_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch (e) {
        reject(e);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `express-pouchdb exited before listening (code ${code}, signal ${signal}); stderr:\n${err}`,
        ),
      );
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stderr: () => err,
    async close() {
      if (exited) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The embedded node

export interface EmbeddedNode {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const NODE_ADMIN: Credentials = { username: 'admin', password: 'admin' };

/**
 * `startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } })` from src/node/index.ts.
 * Imported dynamically so this folder type-checks and its peer self-tests run before the node exists.
 * `INTEROP_NODE_MODULE=/abs/path.ts` substitutes another module exporting the same `startNode` (used to
 * check the node tests themselves against a reference server).
 */
export async function startEmbeddedNode(): Promise<EmbeddedNode> {
  const entry = process.env.INTEROP_NODE_MODULE || '../../src/node/index.ts';
  let mod: { startNode?: unknown };
  try {
    mod = (await import(entry)) as { startNode?: unknown };
  } catch (e) {
    throw new Error(`cannot import the embedded node (${entry}): ${describeError(e)}`, { cause: e });
  }
  if (typeof mod.startNode !== 'function') {
    throw new Error(`${entry} does not export a function startNode`);
  }
  const startNode = mod.startNode as (o: Record<string, unknown>) => Promise<EmbeddedNode>;
  const node = await startNode({ port: 0, inMemory: true, admins: { admin: NODE_ADMIN.password } });
  if (!node || typeof node.url !== 'string' || typeof node.close !== 'function') {
    throw new Error(`startNode() resolved to ${JSON.stringify(node)}, expected { url, port, close() }`);
  }
  return node;
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    return `${String(o.name ?? 'error')} (status ${String(o.status ?? '?')}): ${String(o.message ?? o.reason ?? JSON.stringify(o))}`;
  }
  return String(e);
}

// ---------------------------------------------------------------------------------------------------------
// A recording proxy: put it in front of a peer to see exactly what the replicator asks for.

export interface TracedRequest {
  method: string;
  /** path + query exactly as received (percent-encoded) */
  url: string;
  status: number;
}

export interface TraceProxy {
  readonly url: string;
  readonly requests: TracedRequest[];
  close(): Promise<void>;
}

export async function startTraceProxy(targetUrl: string): Promise<TraceProxy> {
  const target = new URL(targetUrl);
  const requests: TracedRequest[] = [];
  const server = http.createServer((req, res) => {
    const entry: TracedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 };
    requests.push(entry);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        entry.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'proxy', reason: e.message }));
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Small utilities

/** Polls `condition` every `intervalMs` until it is true; fails with `label` after `timeoutMs`. */
export async function waitFor(
  label: string,
  condition: () => Promise<boolean> | boolean,
  { timeoutMs = 15_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${label}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Rejects with `label` if `promise` has not settled within `ms`. */
export async function within<T>(label: string, ms: number, promise: PromiseLike<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(promise), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Attachment data as returned by getAttachment (Buffer from local adapters, Blob from http) -> Buffer. */
export async function toBuffer(data: Buffer | Blob | string): Promise<Buffer> {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  return Buffer.from(await data.arrayBuffer());
}

/** CouchDB's attachment digest: `md5-` + base64(md5(bytes)). */
export function md5Digest(bytes: Buffer): string {
  return `md5-${createHash('md5').update(bytes).digest('base64')}`;
}

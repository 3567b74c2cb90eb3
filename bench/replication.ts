// Replication benchmark of the embedded node (a program, not a test): `npm run bench:replication`.
//
// (1) One-shot replication of 10,000 small sensor docs (the ingest benchmark's), started with `POST /_replicate`
//     and timed from the request to its answer, verified by the target's doc_count and the answer's
//     docs_written, between servers each in their own child process on 127.0.0.1:
//       (a) node -> node, data dirs (SQLite WAL, fsync per commit): pull, the replicator runs on the target
//       (b) node -> node, in memory: pull, on the target
//       (c) node -> express-pouchdb 4.2.0 (PouchDB 9, memory): push, our replicator on the source node
//       (d) express-pouchdb -> node: pull, our replicator on the target node
//       (e) node -> node (in memory) with PouchDB 9's own replicator, `PouchDB.replicate(httpA, httpB)` run in
//           this process
//     Every round uses a fresh source db (seeded with `_bulk_docs` in batches of 500 before the clock: that
//     seeding is timed too, as the ingest reference) and a fresh target db; median of ROUNDS rounds, routes
//     interleaved round by round after one unreported warm-up round each (WARMUP_DOCS docs).
// (2) Write-to-visible latency across the seed mesh: four nodes (own processes) linked N1<->N2, N2<->N3,
//     N3<->N1, N3<->N4, N4<->N2, one continuous pull `_replicator` doc per direction on the target node
//     (10 jobs, checkpoint_interval 5000). MESH_WRITES writes, alternating on N1 and N4, one at a time; each
//     is timed from its PUT until a `_changes?feed=longpoll&filter=_doc_ids` waiter on every node (started
//     before the PUT, `since` = that node's update_seq read before it) has answered with the doc. Two such
//     meshes run side by side, on data dirs and in memory, their writes interleaved; the nodes' CPU time and
//     their replicators' request count (`_stats`) per write are printed with the percentiles.
// (3) Idle RSS (the ingest benchmark's method: own process, fresh data dir, read 2 s after it listens,
//     median of 3 launches) of the compiled node, which now loads the replicator's HTTP client on the first
//     job only, and of a node running 10 continuous jobs (caught up, idle).
// The headline figure is printed last.
//
// "Ours" is compiled code (bench/lib/ours.ts): dist/ when it is a build of the current src/node, else the
// current sources compiled by tsc into the temp folder. Nodes run with a server admin (admin:admin), and the
// replicator authenticates with `auth.basic` (then a cookie session, as CouchDB's does).
//
//   npm run bench:replication                    # the benchmark (~1-2 minutes)
//   npm run bench:replication -- --rounds=5      # more rounds per figure in (1)
//   npm run bench:replication -- --profile       # instead: CPU profiles of a node -> node pull (both nodes)
//   --tsx | --dist                               # ours = the sources under tsx | dist/ as it is, however old
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { PouchDB, remoteDb, startExpressPouch, within } from '../test/interop/peers.ts';
import { type Batch, makeDocs, toBatches } from './lib/docs.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { fsOf, int, loadNote, median, mib, pass, ratio } from './lib/format.ts';
import { launchOurs, type Ours, prepareOurs } from './lib/ours.ts';
import {
  BARE_NODE,
  type Child,
  childPid,
  firstLine,
  idleRss,
  processCpuUs,
  spawnChild,
  tempFolder,
} from './lib/process.ts';
import { type AreaRule, type CpuProfile, type CpuProfileNode, summariseProfile } from './lib/profile.ts';

const ADMIN = { username: 'admin', password: 'admin' } as const;
const BASIC = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;

const N_DOCS = 10_000;
const SEED_BATCH = 500;
const WARMUP_DOCS = N_DOCS; // one unreported full round per route (JIT, connections, the lazy HTTP client)
const GOAL_DOCS_PER_S = 10_000;
const REPLICATION_TIMEOUT_MS = 120_000;
const MESH_DB = 'sensors';
const MESH_LINKS: Array<[number, number]> = [
  [1, 2],
  [2, 3],
  [3, 1],
  [3, 4],
  [4, 2],
];
const MESH_CHECKPOINT_MS = 5_000;
const MESH_WARMUP_WRITES = 10;
const VISIBLE_TIMEOUT_MS = 10_000;
const GOAL_P99_MS = 60;
const RSS_IDLE_MS = 2_000;
const RSS_LAUNCHES = 3;
const RSS_JOBS = 10;
const RSS_JOB_DOCS = 100;
const PROFILE_ROUNDS = 5;
const PROFILE_INTERVAL_US = 250;
// measured elsewhere on this machine, printed as such
const REF_COUCHDB_SECONDS = 2.42;
const REF_COUCHDB_DOCS_PER_S = N_DOCS / REF_COUCHDB_SECONDS;
const REF_EXPRESS_DOCS_PER_S = 2_000;
const REF_COUCHDB_MESH = { p50: 201, p99: 304 };

const args = process.argv.slice(2);
const ROUNDS = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) throw new Error('--rounds=N wants 1..20');
// seed-mesh writes timed (`--writes=N`, default 200; `npm run bench`'s quick table uses fewer)
const MESH_WRITES = Number(args.find((a) => a.startsWith('--writes='))?.slice('--writes='.length) ?? 200);
if (!Number.isInteger(MESH_WRITES) || MESH_WRITES < 2) throw new Error('--writes=N wants an integer >= 2');

// ---------------------------------------------------------------------------------------------------------
// Servers and HTTP

interface Server {
  label: string;
  url: string;
  pid: number | undefined;
  /** the embedded nodes want the admin's credentials; express-pouchdb is an admin party */
  auth: boolean;
  agent: Agent;
  close(): Promise<void>;
}

function serverOf(
  label: string,
  proc: { url: string; pid: number | undefined },
  auth: boolean,
  close: () => Promise<void>,
): Server {
  const agent = new Agent({ connections: 8, pipelining: 1, keepAliveTimeout: 60_000 });
  let closing: Promise<void> | undefined;
  return {
    label,
    url: proc.url,
    pid: proc.pid,
    auth,
    agent,
    close() {
      closing ??= (async () => {
        await agent.close();
        await close();
      })();
      return closing;
    },
  };
}

interface Answer<T> {
  status: number;
  body: T;
  text: string;
}

/** One exchange; `body` is sent as is (callers serialise, so big bodies are made before any clock). */
async function call<T = Record<string, unknown>>(
  s: Server,
  method: string,
  path: string,
  body?: string,
  timeoutMs = 30_000,
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (s.auth) headers.authorization = BASIC;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${s.url}${path}`, {
    method: method as 'GET',
    headers,
    body,
    dispatcher: s.agent,
    signal: AbortSignal.timeout(timeoutMs),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.statusCode, body: parsed as T, text };
}

async function ok<T = Record<string, unknown>>(
  s: Server,
  method: string,
  path: string,
  body?: string,
  timeoutMs?: number,
): Promise<T> {
  const r = await call<T>(s, method, path, body, timeoutMs);
  if (r.status < 200 || r.status > 202)
    throw new Error(`${s.label}: ${method} ${path} -> ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

const launchNode = (code: Pick<Ours, 'tsx' | 'module'>, mode: string[], execArgv: string[] = []) =>
  launchOurs(code, [...mode, '--admin', `${ADMIN.username}:${ADMIN.password}`], execArgv);

/** `[replicator] startup_jitter = 0`: a job starts when it is added (CouchDB waits up to 5 s). */
async function configure(s: Server): Promise<void> {
  await ok(s, 'PUT', '/_node/_local/_config/replicator/startup_jitter', JSON.stringify('0'));
}

async function startOurs(label: string, code: Ours, mode: string[], execArgv: string[] = []) {
  const child = await launchNode(code, mode, execArgv);
  const s = serverOf(label, child, true, () => child.close());
  await configure(s);
  return s;
}

/** A replication endpoint object, with `auth.basic` for our nodes. */
const endpoint = (s: Server, db: string) =>
  s.auth
    ? { url: `${s.url}/${db}`, auth: { basic: { username: ADMIN.username, password: ADMIN.password } } }
    : { url: `${s.url}/${db}` };

async function docCount(s: Server, db: string): Promise<number | undefined> {
  return (await ok<{ doc_count?: number }>(s, 'GET', `/${db}`)).doc_count;
}

/** A fresh db holding `batches` (one `_bulk_docs` at a time); returns the ingest rate in docs/s. */
async function seed(s: Server, db: string, batches: Batch[]): Promise<number> {
  await ok(s, 'PUT', `/${db}`);
  let docs = 0;
  const start = performance.now();
  for (const b of batches) {
    const r = await call<Array<{ ok?: boolean }>>(s, 'POST', `/${db}/_bulk_docs`, b.body);
    if (r.status !== 201 || !Array.isArray(r.body) || r.body.length !== b.n || !r.body.every((x) => x.ok))
      throw new Error(`${s.label}: _bulk_docs -> ${r.status} ${r.text.slice(0, 300)}`);
    docs += b.n;
  }
  return (docs / (performance.now() - start)) * 1000;
}

// ---------------------------------------------------------------------------------------------------------
// (1) one-shot replication

type RouteKey = 'durable' | 'memory' | 'toExpress' | 'fromExpress' | 'pouch';

interface Route {
  key: RouteKey;
  label: string;
  source: Server;
  target: Server;
  /** where `POST /_replicate` goes, or PouchDB's replicator in this process */
  driver: Server | 'pouch';
}

interface RepSample {
  rate: number;
  /** the source db's seeding, `_bulk_docs` batch 500: docs/s */
  seedRate: number;
  /** CPU µs per doc: source process, target process, this process (PouchDB's replicator) */
  cpuSource: number;
  cpuTarget: number;
  cpuHere: number;
}

let dbCounter = 0;

async function replicationRound(route: Route, batches: Batch[], n: number): Promise<RepSample> {
  const { source, target } = route;
  const k = ++dbCounter;
  const src = `rep-src-${k}`;
  const tgt = `rep-tgt-${k}`;
  const seedRate = await seed(source, src, batches);
  await ok(target, 'PUT', `/${tgt}`);
  const cpuS = processCpuUs(source.pid);
  const cpuT = processCpuUs(target.pid);
  const cpuH = process.cpuUsage();
  const start = performance.now();
  let written: number | undefined;
  if (route.driver === 'pouch') {
    const a = remoteDb(source.url, src, source.auth ? ADMIN : undefined);
    const b = remoteDb(target.url, tgt, target.auth ? ADMIN : undefined);
    try {
      written = (await within('PouchDB.replicate', REPLICATION_TIMEOUT_MS, PouchDB.replicate(a, b)))
        .docs_written;
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
    }
  } else {
    const r = await call<{ ok?: boolean; history?: Array<{ docs_written?: number }> }>(
      route.driver,
      'POST',
      '/_replicate',
      JSON.stringify({ source: endpoint(source, src), target: endpoint(target, tgt) }),
      REPLICATION_TIMEOUT_MS,
    );
    if (r.status !== 200 || r.body.ok !== true)
      throw new Error(`${route.label}: POST /_replicate -> ${r.status} ${r.text.slice(0, 300)}`);
    written = r.body.history?.[0]?.docs_written;
  }
  const ms = performance.now() - start;
  const here = process.cpuUsage(cpuH);
  const cpuSource = processCpuUs(source.pid) - cpuS;
  const cpuTarget = processCpuUs(target.pid) - cpuT;
  const count = await docCount(target, tgt);
  if (count !== n) throw new Error(`${route.label}: the target holds ${count} docs, expected ${n}`);
  if (written !== n) throw new Error(`${route.label}: docs_written ${written}, expected ${n}`);
  await ok(source, 'DELETE', `/${src}`);
  await ok(target, 'DELETE', `/${tgt}`);
  return {
    rate: (n / ms) * 1000,
    seedRate,
    cpuSource: cpuSource / n,
    cpuTarget: cpuTarget / n,
    cpuHere: route.driver === 'pouch' ? (here.user + here.system) / n : 0,
  };
}

interface OneShotResult {
  routes: Route[];
  samples: Map<RouteKey, RepSample[]>;
}

async function oneShot(ours: Ours, tmp: string, servers: Server[]): Promise<OneShotResult> {
  const srcDurable = await startOurs('node A (data dir)', ours, ['--data', join(tmp, 'node-a')]);
  servers.push(srcDurable);
  const tgtDurable = await startOurs('node B (data dir)', ours, ['--data', join(tmp, 'node-b')]);
  servers.push(tgtDurable);
  const srcMemory = await startOurs('node C (in memory)', ours, ['--in-memory']);
  servers.push(srcMemory);
  const tgtMemory = await startOurs('node D (in memory)', ours, ['--in-memory']);
  servers.push(tgtMemory);
  const ep = await startExpressPouch();
  const express = serverOf(
    'express-pouchdb',
    { url: ep.url, pid: childPid('express-pouch-server.mjs') },
    false,
    () => ep.close(),
  );
  servers.push(express);

  const routes: Route[] = [
    {
      key: 'durable',
      label: '(a) node -> node, data dirs (pull: replicator on the target)',
      source: srcDurable,
      target: tgtDurable,
      driver: tgtDurable,
    },
    {
      key: 'memory',
      label: '(b) node -> node, in memory (pull: on the target)',
      source: srcMemory,
      target: tgtMemory,
      driver: tgtMemory,
    },
    {
      key: 'toExpress',
      label: '(c) node -> express-pouchdb (push: our replicator on node)',
      source: srcMemory,
      target: express,
      driver: srcMemory,
    },
    {
      key: 'fromExpress',
      label: '(d) express-pouchdb -> node (pull: our replicator on node)',
      source: express,
      target: tgtMemory,
      driver: tgtMemory,
    },
    {
      key: 'pouch',
      label: '(e) node -> node, in memory, PouchDB.replicate (this process)',
      source: srcMemory,
      target: tgtMemory,
      driver: 'pouch',
    },
  ];
  const warm = toBatches(makeDocs(WARMUP_DOCS, 'warmup'), SEED_BATCH);
  for (const r of routes) await replicationRound(r, warm, WARMUP_DOCS);
  const batches = toBatches(makeDocs(N_DOCS), SEED_BATCH);
  const samples = new Map<RouteKey, RepSample[]>();
  for (let i = 0; i < ROUNDS; i++)
    for (const r of routes)
      samples.set(r.key, [...(samples.get(r.key) ?? []), await replicationRound(r, batches, N_DOCS)]);
  for (const s of servers.splice(0)) await s.close();
  return { routes, samples };
}

function printOneShot({ routes, samples }: OneShotResult): void {
  const rates = (k: RouteKey) => (samples.get(k) ?? []).map((s) => s.rate);
  const med = (k: RouteKey) => median(rates(k));
  const cpu = (k: RouteKey, f: 'cpuSource' | 'cpuTarget' | 'cpuHere') =>
    median((samples.get(k) ?? []).map((s) => s[f]));
  const us = (x: number) => (Number.isNaN(x) ? '   n/a' : x.toFixed(0).padStart(6));
  console.log('');
  console.log(
    `(1) one-shot replication of ${int(N_DOCS)} docs, POST /_replicate timed from the request to its answer (verified: doc_count, docs_written)`,
  );
  console.log(
    `                                                               docs/s median   [min .. max]       CPU µs/doc: source  target  this process`,
  );
  for (const r of routes) {
    const xs = rates(r.key);
    const range = `[${int(Math.min(...xs))} .. ${int(Math.max(...xs))}]`;
    console.log(
      `  ${r.label.padEnd(61)} ${int(med(r.key)).padStart(7)}   ${range.padEnd(18)}            ${us(cpu(r.key, 'cpuSource'))}  ${us(cpu(r.key, 'cpuTarget'))}  ${r.driver === 'pouch' ? us(cpu(r.key, 'cpuHere')) : '     -'}`,
    );
  }
  const seedMed = (k: RouteKey) => median((samples.get(k) ?? []).map((s) => s.seedRate));
  console.log(
    `  (ref) _bulk_docs ingest, batch ${SEED_BATCH} (the seeding of each source db, timed): node data dir ${int(seedMed('durable'))} docs/s, node in memory ${int(seedMed('memory'))}, express-pouchdb ${int(seedMed('fromExpress'))}`,
  );
  console.log(
    `  replication/ingest on the same kind of node: data dirs ${ratio(med('durable'), seedMed('durable'))}, in memory ${ratio(med('memory'), seedMed('memory'))}`,
  );
  console.log(
    `  ours node->node (in memory) / node->express-pouchdb ${ratio(med('memory'), med('toExpress'))}, / express-pouchdb->node ${ratio(med('memory'), med('fromExpress'))}, / PouchDB.replicate ${ratio(med('memory'), med('pouch'))}`,
  );
  console.log(
    `  ours node->node (data dirs) / CouchDB 3.5.0 reference ${ratio(med('durable'), REF_COUCHDB_DOCS_PER_S)}, / express-pouchdb reference ${ratio(med('durable'), REF_EXPRESS_DOCS_PER_S)}`,
  );
  console.log(
    `  reference (not measured here): CouchDB 3.5.0 on this machine, median ${REF_COUCHDB_SECONDS} s for ${int(N_DOCS)} docs = ~${int(REF_COUCHDB_DOCS_PER_S)} docs/s; express-pouchdb ~${int(REF_EXPRESS_DOCS_PER_S)} docs/s`,
  );
  console.log(
    `  goal >= ${int(GOAL_DOCS_PER_S)} docs/s: data dirs ${pass(med('durable') >= GOAL_DOCS_PER_S)}, in memory ${pass(med('memory') >= GOAL_DOCS_PER_S)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// (2) the seed mesh: write-to-visible latency

interface Changes {
  results: Array<{ id: string }>;
  last_seq: string | number;
}

/** Resolves (performance.now()) when `id` shows in `db`'s changes after `since`; bounded. */
async function visible(s: Server, db: string, id: string, since: string, deadline: number): Promise<number> {
  let seq = since;
  for (;;) {
    const left = Math.max(1, Math.floor(deadline - performance.now()));
    const r = await call<Changes>(
      s,
      'POST',
      `/${db}/_changes?feed=longpoll&filter=_doc_ids&since=${encodeURIComponent(seq)}&timeout=${left}`,
      JSON.stringify({ doc_ids: [id] }),
      left + 5_000,
    );
    if (r.status !== 200) throw new Error(`${s.label}: _changes -> ${r.status} ${r.text.slice(0, 300)}`);
    if (r.body.results.some((x) => x.id === id)) return performance.now();
    seq = String(r.body.last_seq);
    if (performance.now() >= deadline)
      throw new Error(`${id} not visible on ${s.label} within ${VISIBLE_TIMEOUT_MS} ms`);
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;

/** One write: ms from its PUT until each node had it (index 0 = N1). */
interface MeshWrite {
  origin: 1 | 4;
  seenMs: number[];
}

interface MeshResult {
  label: string;
  writes: MeshWrite[];
  setupMs: number;
  /** CPU time of the 4 node processes over the measured writes, per write (µs) */
  cpuUsPerWrite: number;
  /** HTTP requests the 4 nodes' replicators made over the measured writes, per write */
  requestsPerWrite: number;
}

/** Ms until every node / the origin's neighbours (N2, N3: one hop) / the far node (two hops) had the write. */
const toAll = (w: MeshWrite) => Math.max(...w.seenMs);
const toNeighbours = (w: MeshWrite) => Math.max(w.seenMs[1] as number, w.seenMs[2] as number);
const toFar = (w: MeshWrite) => w.seenMs[w.origin === 1 ? 3 : 0] as number;

interface Mesh {
  label: string;
  node(i: number): Server;
  cpuUs(): number;
  /** requests made by the 4 nodes' replicators so far (`_stats` couch_replicator.requests) */
  requests(): Promise<number>;
  jobs: Array<{ on: number; id: string }>;
  setupMs: number;
}

/** Four nodes with the seed's links, one continuous pull `_replicator` doc per direction; resolves when all 10 run. */
async function startMesh(
  label: string,
  ours: Ours,
  mode: (i: number) => string[],
  servers: Server[],
): Promise<Mesh> {
  const t0 = performance.now();
  const n = new Map<number, Server>();
  for (const i of [1, 2, 3, 4]) {
    const s = await startOurs(`${label} N${i}`, ours, mode(i));
    servers.push(s);
    n.set(i, s);
    await ok(s, 'PUT', `/${MESH_DB}`);
  }
  const node = (i: number) => n.get(i) as Server;
  const jobs: Array<{ on: number; id: string }> = [];
  for (const [a, b] of MESH_LINKS)
    for (const [src, tgt] of [
      [a, b],
      [b, a],
    ] as const) {
      const id = `mesh-n${src}-to-n${tgt}`;
      await ok(
        node(tgt),
        'PUT',
        `/_replicator/${id}`,
        JSON.stringify({
          source: endpoint(node(src), MESH_DB),
          target: endpoint(node(tgt), MESH_DB),
          continuous: true,
          create_target: false,
          checkpoint_interval: MESH_CHECKPOINT_MS,
        }),
      );
      jobs.push({ on: tgt, id });
    }
  // bounded wait for the 10 jobs to run
  const runningBy = performance.now() + 30_000;
  for (const { on, id } of jobs)
    for (;;) {
      const r = await call<{ state?: string }>(node(on), 'GET', `/_scheduler/docs/_replicator/${id}`);
      if (r.status === 200 && r.body.state === 'running') break;
      if (performance.now() > runningBy)
        throw new Error(`${label}: ${id} on N${on} is not running: ${r.text}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  const cpuUs = () => [1, 2, 3, 4].reduce((sum, i) => sum + processCpuUs(node(i).pid), 0);
  const requests = async () => {
    let sum = 0;
    for (const i of [1, 2, 3, 4])
      sum += (await ok<{ value: number }>(node(i), 'GET', '/_node/_local/_stats/couch_replicator/requests'))
        .value;
    return sum;
  };
  return { label, node, cpuUs, requests, jobs, setupMs: performance.now() - t0 };
}

/** One write on N1 (k even) or N4 (k odd), timed until a waiter on every node has seen it. */
async function meshWrite(m: Mesh, k: number, prefix: string): Promise<MeshWrite> {
  const origin = k % 2 === 0 ? 1 : 4;
  const id = `${prefix}-${String(k).padStart(4, '0')}`;
  // each waiter starts from its node's update_seq read before the write: it cannot miss the doc
  const seqs = await Promise.all(
    [1, 2, 3, 4].map(async (i) =>
      String((await ok<{ update_seq: unknown }>(m.node(i), 'GET', `/${MESH_DB}`)).update_seq),
    ),
  );
  const deadline = performance.now() + VISIBLE_TIMEOUT_MS;
  const start = performance.now();
  const waiters = [1, 2, 3, 4].map((i) => visible(m.node(i), MESH_DB, id, seqs[i - 1] as string, deadline));
  await ok(
    m.node(origin),
    'PUT',
    `/${MESH_DB}/${id}`,
    JSON.stringify({ k, origin: `n${origin}`, at: Date.now() }),
  );
  const seen = await Promise.all(waiters);
  return { origin, seenMs: seen.map((t) => t - start) };
}

/** Every node holds every write, and no job stopped running or failed a write. */
async function checkMesh(m: Mesh, expected: number): Promise<void> {
  for (const i of [1, 2, 3, 4]) {
    const c = await docCount(m.node(i), MESH_DB);
    if (c !== expected) throw new Error(`${m.label} N${i} holds ${c} docs, expected ${expected}`);
  }
  for (const { on, id } of m.jobs) {
    const d = await ok<{ state?: string; info?: { doc_write_failures?: number } }>(
      m.node(on),
      'GET',
      `/_scheduler/docs/_replicator/${id}`,
    );
    if (d.state !== 'running' || d.info?.doc_write_failures)
      throw new Error(`${m.label} ${id} on N${on}: ${JSON.stringify(d)}`);
  }
}

/** A mesh on data dirs and one in memory, up together; their writes interleaved one by one. */
async function meshes(ours: Ours, tmp: string, servers: Server[]): Promise<MeshResult[]> {
  const ms = [
    await startMesh('data dirs', ours, (i) => ['--data', join(tmp, `mesh-n${i}`)], servers),
    await startMesh('in memory', ours, () => ['--in-memory'], servers),
  ];
  for (let k = 0; k < MESH_WARMUP_WRITES; k++) for (const m of ms) await meshWrite(m, k, 'warmup');
  const writes = ms.map(() => [] as MeshWrite[]);
  const req0 = await Promise.all(ms.map((m) => m.requests()));
  const cpu0 = ms.map((m) => m.cpuUs());
  for (let k = 0; k < MESH_WRITES; k++)
    for (const [j, m] of ms.entries()) writes[j]?.push(await meshWrite(m, k, 'write'));
  const cpu = ms.map((m, j) => (m.cpuUs() - (cpu0[j] as number)) / MESH_WRITES);
  const req = await Promise.all(
    ms.map(async (m, j) => ((await m.requests()) - (req0[j] as number)) / MESH_WRITES),
  );
  for (const m of ms) await checkMesh(m, MESH_WARMUP_WRITES + MESH_WRITES);
  for (const s of servers.splice(0)) await s.close();
  return ms.map((m, j) => ({
    label: m.label,
    writes: writes[j] ?? [],
    setupMs: m.setupMs,
    cpuUsPerWrite: cpu[j] as number,
    requestsPerWrite: req[j] as number,
  }));
}

function meshStats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    max: s[s.length - 1] as number,
  };
}

function printMesh(results: MeshResult[]): void {
  const f = (x: number) => x.toFixed(1).padStart(5);
  console.log('');
  console.log(
    `(2) write-to-visible on all 4 nodes of the seed mesh (N1<->N2, N2<->N3, N3<->N1, N3<->N4, N4<->N2; one continuous pull _replicator doc per direction on the target node, checkpoint_interval ${MESH_CHECKPOINT_MS})`,
  );
  console.log(
    `    ${MESH_WRITES} writes alternating on N1 and N4, one at a time (after ${MESH_WARMUP_WRITES} unreported), each timed from its PUT until a longpoll _changes waiter`,
  );
  console.log(
    `    (filter=_doc_ids, since = the node's update_seq before the write) on every node has it; the two meshes run side by side, writes interleaved`,
  );
  console.log(
    `                                             all 4 nodes, ms: p50    p90    p99    max | 1 hop (N2+N3) p50   p99 | 2 hops (far) p50   p99 | per write: CPU, 4 nodes   replicator requests`,
  );
  for (const r of results) {
    const a = meshStats(r.writes.map(toAll));
    const h1 = meshStats(r.writes.map(toNeighbours));
    const h2 = meshStats(r.writes.map(toFar));
    console.log(
      `  ${`${r.label} (all jobs running ${(r.setupMs / 1000).toFixed(1)} s after launch)`.padEnd(56)} ${f(a.p50)}  ${f(a.p90)}  ${f(a.p99)}  ${f(a.max)} |             ${f(h1.p50)} ${f(h1.p99)} |            ${f(h2.p50)} ${f(h2.p99)} |            ${(r.cpuUsPerWrite / 1000).toFixed(1).padStart(5)} ms   ${r.requestsPerWrite.toFixed(1).padStart(8)}`,
    );
  }
  const [durable, memory] = results.map((r) => meshStats(r.writes.map(toAll)));
  if (durable && memory)
    console.log(
      `  data dirs / in memory: p50 ${ratio(durable.p50, memory.p50)}, p99 ${ratio(durable.p99, memory.p99)} (data dirs add an fsync per hop's commit); every write wakes all 10 jobs (at least _changes + _revs_diff each), so the CPU per write / ${cpus().length} CPUs is a floor under the latency`,
    );
  console.log(
    `  reference (not measured here): CouchDB 3.5.0 mesh on this machine, p50 ${REF_COUCHDB_MESH.p50} ms, p99 ${REF_COUCHDB_MESH.p99} ms`,
  );
  console.log(
    `  goal p99 <= ${GOAL_P99_MS} ms: data dirs ${pass((durable?.p99 ?? Number.NaN) <= GOAL_P99_MS)}, in memory ${pass((memory?.p99 ?? Number.NaN) <= GOAL_P99_MS)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// (3) idle RSS

interface RssResult {
  bare: number[] | string;
  idle: number[] | string;
  jobs: number[] | string;
}

async function rss(ours: Ours, tmp: string, servers: Server[]): Promise<RssResult> {
  let dirs = 0;
  const fresh = () => join(tmp, `rss-${++dirs}`);
  const measure = (start: () => Promise<Child>, prepare?: (c: Child) => Promise<void>) =>
    idleRss(start, RSS_LAUNCHES, RSS_IDLE_MS, prepare).catch((e: unknown) => `did not run: ${firstLine(e)}`);
  const bare = await measure(() => spawnChild(['-e', BARE_NODE]));
  const idle = await measure(() => launchNode(ours, ['--data', fresh()]));
  // the 10 jobs' sources: one more node (in memory) with RSS_JOBS small dbs
  const peer = await startOurs('peer', ours, ['--in-memory']);
  servers.push(peer);
  const seedBatches = toBatches(makeDocs(RSS_JOB_DOCS, 'rss'), RSS_JOB_DOCS);
  for (let j = 0; j < RSS_JOBS; j++) await seed(peer, `rss-src-${j}`, seedBatches);
  const jobs = await measure(
    () => launchNode(ours, ['--data', fresh()]),
    async (child) => {
      const x = serverOf('node with jobs', child, true, async () => {});
      try {
        await configure(x);
        for (let j = 0; j < RSS_JOBS; j++) {
          await ok(x, 'PUT', `/rss-${j}`);
          await ok(
            x,
            'PUT',
            `/_replicator/rss-job-${j}`,
            JSON.stringify({
              source: endpoint(peer, `rss-src-${j}`),
              target: endpoint(x, `rss-${j}`),
              continuous: true,
            }),
          );
        }
        // bounded: every job running and caught up
        const by = performance.now() + 30_000;
        for (let j = 0; j < RSS_JOBS; j++)
          for (;;) {
            const d = await call<{ state?: string }>(x, 'GET', `/_scheduler/docs/_replicator/rss-job-${j}`);
            if (
              d.status === 200 &&
              d.body.state === 'running' &&
              (await docCount(x, `rss-${j}`)) === RSS_JOB_DOCS
            )
              break;
            if (performance.now() > by) throw new Error(`rss-job-${j} not running and caught up: ${d.text}`);
            await new Promise((res) => setTimeout(res, 20));
          }
      } finally {
        await x.close();
      }
    },
  );
  for (const s of servers.splice(0)) await s.close();
  return { bare, idle, jobs };
}

function printRss(r: RssResult, ours: Ours): void {
  const row = (label: string, xs: number[] | string) =>
    console.log(
      typeof xs === 'string'
        ? `  ${label.padEnd(72)} ${xs}`
        : `  ${label.padEnd(72)} ${mib(median(xs)).padStart(6)} MiB   [${xs.map(mib).join(', ')}]`,
    );
  console.log('');
  console.log(
    `(3) idle RSS (own process, fresh data dir, read ${RSS_IDLE_MS / 1000} s after it listens / after its jobs caught up; median of ${RSS_LAUNCHES} launches); ours = ${ours.label}`,
  );
  row('bare `node` idling (baseline, no couchmesh)', r.bare);
  row('compiled node, no replication job (HTTP client not loaded)', r.idle);
  row(
    `compiled node running ${RSS_JOBS} continuous jobs (${RSS_JOB_DOCS} docs each, caught up, idle)`,
    r.jobs,
  );
  if (typeof r.idle !== 'string' && typeof r.jobs !== 'string')
    console.log(
      `  the ${RSS_JOBS} jobs (HTTP client, connections, feeds) cost ${mib(median(r.jobs) - median(r.idle))} MiB; CouchDB idles at 66-72 MB`,
    );
}

// ---------------------------------------------------------------------------------------------------------
// The benchmark

async function benchmark(): Promise<void> {
  const began = performance.now();
  const tmp = tempFolder('couchmesh-bench-rep-');
  const servers: Server[] = [];
  try {
    console.log(`couchmesh replication benchmark — node ${process.version}, 127.0.0.1`);
    console.log(
      `  ${int(N_DOCS)} docs like ${JSON.stringify(makeDocs(1)[0])} (${Buffer.byteLength(JSON.stringify(makeDocs(1)[0]))} bytes)`,
    );
    console.log(
      `  (1): fresh source and target dbs per round; median of ${ROUNDS} rounds, routes interleaved, after one unreported warm-up round of ${int(WARMUP_DOCS)} docs each`,
    );
    console.log(`  temp folder ${tmp} (${fsOf(tmp)})`);
    console.log(`  ${loadNote()}`);
    const ours = prepareOurs(tmp, args);
    console.log(
      `  servers each in their own process, nodes with a server admin; ours = ${ours.label} (${ours.why})`,
    );
    mkdirSync(join(tmp, 'node-a'));
    mkdirSync(join(tmp, 'node-b'));
    for (const i of [1, 2, 3, 4]) mkdirSync(join(tmp, `mesh-n${i}`));

    const one = await oneShot(ours, tmp, servers);
    printOneShot(one);
    const m = await meshes(ours, tmp, servers);
    printMesh(m);
    const r = await rss(ours, tmp, servers);
    printRss(r, ours);

    const med = (k: RouteKey) => median((one.samples.get(k) ?? []).map((s) => s.rate));
    const meshAll = meshStats((m[0]?.writes ?? []).map(toAll));
    const meshMem = meshStats((m[1]?.writes ?? []).map(toAll));
    const p99 = meshAll.p99;
    console.log('');
    console.log('summary');
    console.log(
      `  one-shot ${int(N_DOCS)} docs: node->node data dirs ${int(med('durable'))} docs/s, in memory ${int(med('memory'))}; node->express-pouchdb ${int(med('toExpress'))}, express-pouchdb->node ${int(med('fromExpress'))}; PouchDB.replicate ${int(med('pouch'))}`,
    );
    console.log(
      `  seed mesh write-to-visible on all 4: data dirs p50 ${meshAll.p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (goal <= ${GOAL_P99_MS} ms: ${pass(p99 <= GOAL_P99_MS)}); in memory p50 ${meshMem.p50.toFixed(1)} ms, p99 ${meshMem.p99.toFixed(1)} ms; CouchDB 3.5.0 reference p99 ${REF_COUCHDB_MESH.p99} ms`,
    );
    const rssFig = (xs: number[] | string) => (typeof xs === 'string' ? 'n/a' : `${mib(median(xs))} MiB`);
    console.log(`  idle RSS compiled: ${rssFig(r.idle)}, with ${RSS_JOBS} continuous jobs ${rssFig(r.jobs)}`);
    console.log(`  ${loadNote()}; total ${((performance.now() - began) / 1000).toFixed(0)} s`);
    console.log(
      `HEADLINE one-shot pull replication node -> node, data dirs: ${int(med('durable'))} docs/s = ${ratio(med('durable'), REF_COUCHDB_DOCS_PER_S)} CouchDB 3.5.0 (reference), ${ratio(med('memory'), med('fromExpress'))} express-pouchdb->node and ${ratio(med('memory'), med('pouch'))} PouchDB.replicate (in memory) — goal >= ${int(GOAL_DOCS_PER_S)} docs/s: ${pass(med('durable') >= GOAL_DOCS_PER_S)}; mesh (data dirs) p99 ${p99.toFixed(1)} ms (goal <= ${GOAL_P99_MS} ms: ${pass(p99 <= GOAL_P99_MS)})`,
    );
    emitFigures({
      bench: 'replication',
      load: loadavg(),
      figures: [
        fig({
          figure: `one-shot ${int(N_DOCS)} docs node->node, data dirs`,
          ours: med('durable'),
          unit: 'docs/s',
          baseline: REF_COUCHDB_DOCS_PER_S,
          baselineLabel: 'CouchDB 3.5.0 (reference)',
          goal: `>= ${int(GOAL_DOCS_PER_S)} docs/s`,
          met: med('durable') >= GOAL_DOCS_PER_S,
        }),
        fig({
          figure: 'one-shot node->node in memory vs express-pouchdb->node',
          ours: med('memory'),
          unit: 'docs/s',
          baseline: med('fromExpress'),
          baselineLabel: 'express-pouchdb->node',
        }),
        fig({
          figure: 'one-shot node->node in memory vs PouchDB.replicate',
          ours: med('memory'),
          unit: 'docs/s',
          baseline: med('pouch'),
          baselineLabel: 'PouchDB.replicate',
        }),
        fig({
          figure: 'seed mesh write-to-visible p99, data dirs',
          ours: p99,
          unit: 'ms',
          baseline: REF_COUCHDB_MESH.p99,
          baselineLabel: 'CouchDB 3.5.0 (reference)',
          goal: `<= ${GOAL_P99_MS} ms`,
          met: p99 <= GOAL_P99_MS,
        }),
        fig({ figure: 'seed mesh write-to-visible p50, data dirs', ours: meshAll.p50, unit: 'ms' }),
      ],
    });
  } finally {
    for (const s of servers) await s.close().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// --profile: where a node -> node pull spends its time, on the target (replicator + _revs_diff + _bulk_docs)
// and on the source (_changes + _bulk_get)

const REPLICATION_AREAS: AreaRule[] = [
  (u) => (u.startsWith('src/node/replicator/') ? 'couchmesh replicator (node/replicator)' : undefined),
  (u) => (u.startsWith('src/couch/') ? 'couchmesh CouchDB client (src/couch)' : undefined),
  (u) => (u.includes('node_modules/undici') || u.includes('internal/deps/undici') ? 'undici' : undefined),
];

/** A window over samples inside the named route handlers (and, on the target, the replicator's own code). */
const inRoute = (names: string[], replicator: boolean) => (stack: CpuProfileNode[]) =>
  stack.some(
    (n) =>
      (names.includes(n.callFrame.functionName) && n.callFrame.url.includes('http/routes/')) ||
      (replicator && n.callFrame.url.includes('/replicator/')),
  );

async function profile(): Promise<void> {
  const tmp = tempFolder('couchmesh-prof-rep-');
  const dirs = { source: join(tmp, 'prof-source'), target: join(tmp, 'prof-target') };
  const servers: Server[] = [];
  try {
    const ours = prepareOurs(tmp, args);
    const prof = (dir: string) => [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      '--cpu-prof-interval',
      String(PROFILE_INTERVAL_US),
    ];
    const source = await startOurs('source (in memory)', ours, ['--in-memory'], prof(dirs.source));
    servers.push(source);
    const target = await startOurs('target (in memory)', ours, ['--in-memory'], prof(dirs.target));
    servers.push(target);
    const rates: number[] = [];
    try {
      // one source db seeded first, a fresh target per round (round 0: warm-up, not reported), so the
      // profiles' windows hold no seeding
      await seed(source, 'prof-src', toBatches(makeDocs(N_DOCS), SEED_BATCH));
      for (let r = 0; r <= PROFILE_ROUNDS; r++) {
        await ok(target, 'PUT', `/prof-tgt-${r}`);
        const start = performance.now();
        const a = await call<{ ok?: boolean }>(
          target,
          'POST',
          '/_replicate',
          JSON.stringify({ source: endpoint(source, 'prof-src'), target: endpoint(target, `prof-tgt-${r}`) }),
          REPLICATION_TIMEOUT_MS,
        );
        if (a.status !== 200) throw new Error(`POST /_replicate -> ${a.status} ${a.text.slice(0, 300)}`);
        if (r > 0) rates.push((N_DOCS / (performance.now() - start)) * 1000);
        if ((await docCount(target, `prof-tgt-${r}`)) !== N_DOCS) throw new Error('target incomplete');
      }
    } finally {
      for (const s of servers.splice(0)) await s.close(); // stdin ends -> process.exit(0) -> profiles written
    }
    const load = (dir: string) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
    const has = (p: CpuProfile, name: string) => p.nodes.some((n) => n.callFrame.functionName === name);
    const tgt = load(dirs.target).find((p) => has(p, 'runReplication') || has(p, 'copyBatch'));
    const src = load(dirs.source).find((p) => has(p, 'bulkGet'));
    if (!tgt || !src) throw new Error('no profile holds the replication');
    const head = `${ours.label}${ours.tsx ? '' : ', lines mapped to src/ by its source maps'}; ${ours.why}; --cpu-prof-interval ${PROFILE_INTERVAL_US} µs; ${PROFILE_ROUNDS} x ${int(N_DOCS)} docs pulled into a fresh target db (after 1 unreported); ${int(median(rates))} docs/s median while profiled`;
    summariseProfile(
      tgt,
      `CPU profile of the TARGET node (runs the replicator; serves _revs_diff, _bulk_docs) — ${head}`,
      { label: 'the replicator or _revs_diff/_bulk_docs', contains: inRoute(['bulkDocs', 'revsDiff'], true) },
      REPLICATION_AREAS,
    );
    summariseProfile(
      src,
      `CPU profile of the SOURCE node (serves _changes, _bulk_get) — ${head}`,
      { label: '_changes/_bulk_get', contains: inRoute(['changes', 'bulkGet'], false) },
      REPLICATION_AREAS,
    );
  } finally {
    for (const s of servers) await s.close().catch(() => {});
    rmSync(tmp, { recursive: true, force: true }); // the .cpuprofile files (and any private build) are not kept
  }
}

if (args.includes('--profile')) await profile();
else await benchmark();

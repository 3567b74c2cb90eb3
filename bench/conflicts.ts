// Conflict-resolution benchmark (a program, not a test): `node --import tsx bench/conflicts.ts`.
//
// N documents (default 10,000) with 3 conflicting leaves each, written with `_bulk_docs new_edits:false`
// and `_revisions`, into a fresh database per measurement. Then, on the same server:
//   naive  - one document at a time: GET ?conflicts=true, GET each conflicting leaf, one _bulk_docs
//            (no audit), over --naive-docs documents (default min(N, 2000));
//   worker - couchmesh's ResolverWorker.runOnce() (lww on updated_at, audit in a couchmesh db on the
//            same server: every losing leaf stored before anything is deleted);
//   limit  - the server's raw `_bulk_docs` rate for the very revisions the worker writes (computed
//            offline by the same planner), sent in batches with nothing read: sequentially and with the
//            worker's concurrency; the faster is the limit.
// Rates are resolved documents per second (wall clock). One unreported warm-up round of each runs first.
// The server is an embedded node in its own process (in memory), or with COUCH_URL (+ COUCH_ADMIN_USER /
// COUCH_ADMIN_PASSWORD) any CouchDB. The headline line is printed last.
//
//   node --import tsx bench/conflicts.ts                      # 10,000 docs
//   node --import tsx bench/conflicts.ts --docs=2000          # a quick run
//   --naive-docs=N  --batch=N (docs per batch, 200)  --concurrency=N (4)  --rounds=N (3, medians reported)
//   --in-process (the node in this process)
// With the node in its own process, the server CPU time per resolved doc is printed too: on a busy
// machine it is steadier than wall-clock rates.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CouchClient, dbPath, docPath, isCouchError } from '../src/couch/index.ts';
import { startNode } from '../src/node/index.ts';
import {
  ConflictResolver,
  type FetchedLeaf,
  parseConflictsConfig,
  planResolution,
  ResolverWorker,
} from '../src/resolve/index.ts';
import { listConflicts } from '../src/resolve/inspect.ts';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k as string, v ?? 'true'];
  }),
);
const num = (k: string, d: number) => {
  const v = Number(args.get(k) ?? d);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} wants a positive integer`);
  return v;
};
const DOCS = num('docs', 10_000);
const NAIVE_DOCS = Math.min(num('naive-docs', Math.min(DOCS, 2_000)), DOCS);
const BATCH = num('batch', 200);
const CONCURRENCY = num('concurrency', 4);
const ROUNDS = num('rounds', 3);
const WARMUP_DOCS = Math.min(1_000, DOCS);
const LEAVES = 3;
const CONFIG = parseConflictsConfig({
  strategy: 'lww',
  timestamp: 'updated_at',
  batch_size: BATCH,
  concurrency: CONCURRENCY,
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN = Date.now().toString(36);

// ---------------------------------------------------------------------------------------------------------
// Server

interface Target {
  label: string;
  client: CouchClient;
  /** The server process when it is ours (for its CPU time). */
  pid?: number;
  close(): Promise<void>;
}

/** CPU time (user + system, ms) a process has used so far (Linux /proc; undefined elsewhere). */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

async function startTarget(): Promise<Target> {
  const url = process.env.COUCH_URL;
  if (url) {
    const user = process.env.COUCH_ADMIN_USER;
    const auth = user ? { username: user, password: process.env.COUCH_ADMIN_PASSWORD ?? '' } : undefined;
    const client = new CouchClient({ url, auth, timeoutMs: 120_000 });
    const info = await client.serverInfo();
    return {
      label: `${url} (${info.vendor ?? 'CouchDB'} ${info.version})`,
      client,
      close: () => client.close(),
    };
  }
  if (args.has('in-process')) {
    const node = await startNode({ port: 0, inMemory: true });
    const client = new CouchClient({ url: node.url, timeoutMs: 120_000 });
    return {
      label: 'embedded node, in memory, in this process',
      client,
      async close() {
        await client.close();
        await node.close();
      },
    };
  }
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/node-launcher.mjs', 'src/node/index.ts', '--in-memory'],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [
    string,
  ];
  const client = new CouchClient({ url: (JSON.parse(line) as { url: string }).url, timeoutMs: 120_000 });
  return {
    label: 'embedded node, in memory, own process',
    client,
    pid: child.pid,
    async close() {
      await client.close();
      child.stdin?.end();
      await once(child, 'exit');
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Data: leaf l of doc i; which leaf carries the latest updated_at varies, so about two thirds of the
// resolutions write a merged revision (3 revisions) and one third only deletes (2 revisions).

const hash = (i: number, l: number) =>
  `${(i * LEAVES + l).toString(16).padStart(24, '0')}${'0'.repeat(6)}${l.toString(16).padStart(2, '0')}`;
const docId = (i: number) => `reading-${String(i).padStart(6, '0')}`;
const body = (i: number, l: number) => ({
  type: 'reading',
  station: `st-${i % 50}`,
  seq: i,
  temperature_c: 20 + ((i * 7 + l * 3) % 100) / 10,
  updated_at: new Date(Date.UTC(2024, 0, 1) + ((i + l * 2) % LEAVES) * 1000).toISOString(),
});

function leavesOf(i: number): FetchedLeaf[] {
  return Array.from({ length: LEAVES }, (_, l) => ({
    rev: `1-${hash(i, l)}`,
    deleted: false,
    body: body(i, l),
  }));
}

async function populate(client: CouchClient, db: string, n: number): Promise<void> {
  await client.put(dbPath(db));
  for (let from = 0; from < n; from += 1000) {
    const docs = [];
    for (let i = from; i < Math.min(n, from + 1000); i++)
      for (const leaf of leavesOf(i)) {
        const h = leaf.rev.slice(2);
        docs.push({ _id: docId(i), _rev: leaf.rev, _revisions: { start: 1, ids: [h] }, ...leaf.body });
      }
    const r = await client.post<Array<{ error?: string }>>(
      `${dbPath(db)}/_bulk_docs`,
      { docs, new_edits: false },
      undefined,
      {
        idempotent: true,
      },
    );
    if (r.some((x) => x.error)) throw new Error(`populate ${db}: ${JSON.stringify(r.find((x) => x.error))}`);
  }
}

async function drop(client: CouchClient, db: string): Promise<void> {
  await client.delete(dbPath(db)).catch((e) => {
    if (!isCouchError(e) || e.status !== 404) throw e;
  });
}

// ---------------------------------------------------------------------------------------------------------
// The three resolvers

interface Result {
  docs: number;
  revisions: number;
  secs: number;
  rate: number;
  /** Server CPU per resolved doc (µs), when the server is our own child process. */
  cpuUs?: number;
}

let serverPid: number | undefined;

/** Runs `fn` and times it: wall clock, and the server's CPU time when we can read it. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpu?: number }> {
  const c0 = cpuMs(serverPid);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const c1 = cpuMs(serverPid);
  return { value, ms, ...(c0 !== undefined && c1 !== undefined ? { cpu: c1 - c0 } : {}) };
}

const result = (docs: number, revisions: number, t: { ms: number; cpu?: number }): Result => ({
  docs,
  revisions,
  secs: t.ms / 1000,
  rate: (docs * 1000) / t.ms,
  ...(t.cpu === undefined ? {} : { cpuUs: (t.cpu * 1000) / docs }),
});

async function runWorker(client: CouchClient, db: string, n: number): Promise<Result> {
  const worker = await ResolverWorker.create({
    client,
    db,
    config: { ...CONFIG, audit: { db: `${db}-audit` } },
  });
  const t = await timed(() => worker.runOnce());
  const { stats } = t.value;
  if (stats.resolved !== n || stats.failed)
    throw new Error(`worker resolved ${stats.resolved}/${n}, failed ${stats.failed}`);
  const left = await listConflicts(client, db, { limit: 1 });
  if (left.length) throw new Error(`worker left conflicts, e.g. ${left[0]?.id}`);
  return result(n, stats.revisions, t);
}

/** The textbook resolver: per document GET ?conflicts=true, GET each leaf, one _bulk_docs; no audit. */
async function runNaive(client: CouchClient, db: string, n: number): Promise<Result> {
  let revisions = 0;
  const t = await timed(async () => {
    for (let i = 0; i < n; i++) {
      const id = docId(i);
      const winner = await client.get<Record<string, unknown>>(docPath(db, id), { conflicts: true });
      const others = [];
      for (const rev of (winner._conflicts as string[]) ?? [])
        others.push(await client.get<Record<string, unknown>>(docPath(db, id), { rev }));
      const latest = [winner, ...others].reduce((a, b) =>
        (b.updated_at as string) > (a.updated_at as string) ? b : a,
      );
      const { _id, _rev, _conflicts, ...fields } = latest;
      const docs = [
        ...(latest === winner ? [] : [{ ...fields, _id: id, _rev: winner._rev }]),
        ...others.map((o) => ({ _id: id, _rev: o._rev, _deleted: true })),
      ];
      await client.post(`${dbPath(db)}/_bulk_docs`, { docs });
      revisions += docs.length;
    }
  });
  return result(n, revisions, t);
}

/** The same revisions the worker writes, planned offline, sent with nothing read: the server's write limit. */
async function runLimit(client: CouchClient, db: string, n: number, concurrency: number): Promise<Result> {
  const resolver = await ConflictResolver.create(CONFIG);
  const batches: Array<Array<Record<string, unknown>>> = [];
  let revisions = 0;
  for (let from = 0; from < n; from += BATCH) {
    const docs = [];
    for (let i = from; i < Math.min(n, from + BATCH); i++) {
      const decision = await resolver.decide(docId(i), leavesOf(i));
      if (!decision) throw new Error('no conflict?');
      docs.push(...planResolution(decision, { db, now: '' }).docs);
    }
    revisions += docs.length;
    batches.push(docs);
  }
  const bodies = batches.map((docs) => JSON.stringify({ docs }));
  let next = 0;
  const t = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const r = await client.post<Array<{ error?: string }>>(
            `${dbPath(db)}/_bulk_docs`,
            bodies[next++],
            undefined,
            {
              headers: { 'content-type': 'application/json' },
            },
          );
          if (r.some((x) => x.error))
            throw new Error(`limit write: ${JSON.stringify(r.find((x) => x.error))}`);
        }
      }),
    ),
  );
  return result(n, revisions, t);
}

// ---------------------------------------------------------------------------------------------------------

let dbs = 0;
async function measure(t: Target, n: number, fn: (db: string) => Promise<Result>): Promise<Result> {
  const db = `bench-conflicts-${RUN}-${++dbs}`;
  try {
    await populate(t.client, db, n);
    return await fn(db);
  } finally {
    await drop(t.client, db);
    await drop(t.client, `${db}-audit`);
  }
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  const t = await startTarget();
  serverPid = t.pid;
  try {
    console.log(`conflict resolution: ${fmt(DOCS)} docs x ${LEAVES} leaves on ${t.label}`);
    console.log(
      `worker: batch ${BATCH}, concurrency ${CONCURRENCY}, lww on updated_at, audit db on the same server`,
    );
    // warm-up (not reported): JIT of both sides on every path
    await measure(t, WARMUP_DOCS, (db) => runWorker(t.client, db, WARMUP_DOCS));
    await measure(t, Math.min(200, NAIVE_DOCS), (db) => runNaive(t.client, db, Math.min(200, NAIVE_DOCS)));
    await measure(t, WARMUP_DOCS, (db) => runLimit(t.client, db, WARMUP_DOCS, 1));

    const rounds: Record<'naive' | 'worker' | 'seq' | 'par', Result[]> = {
      naive: [],
      worker: [],
      seq: [],
      par: [],
    };
    for (let r = 0; r < ROUNDS; r++) {
      rounds.naive.push(await measure(t, NAIVE_DOCS, (db) => runNaive(t.client, db, NAIVE_DOCS)));
      rounds.worker.push(await measure(t, DOCS, (db) => runWorker(t.client, db, DOCS)));
      rounds.seq.push(await measure(t, DOCS, (db) => runLimit(t.client, db, DOCS, 1)));
      rounds.par.push(await measure(t, DOCS, (db) => runLimit(t.client, db, DOCS, CONCURRENCY)));
    }
    const median = (xs: Result[]) =>
      [...xs].sort((a, b) => a.rate - b.rate)[Math.floor(xs.length / 2)] as Result;
    const naive = median(rounds.naive);
    const worker = median(rounds.worker);
    const seq = median(rounds.seq);
    const par = median(rounds.par);
    const limit = par.rate > seq.rate ? par : seq;

    const line = (label: string, r: Result) =>
      console.log(
        `  ${label.padEnd(62)} ${fmt(r.rate).padStart(7)} docs/s  (${fmt(r.docs)} docs, ${fmt(r.revisions)} revisions, ${r.secs.toFixed(2)} s${r.cpuUs === undefined ? '' : `, server CPU ${fmt(r.cpuUs)} us/doc`})`,
      );
    console.log(`medians of ${ROUNDS} round(s):`);
    line('naive (GET ?conflicts, GET per leaf, _bulk_docs; 1 doc at a time)', naive);
    line('couchmesh worker (_changes + _bulk_get + audit + _bulk_docs)', worker);
    line('limit: raw _bulk_docs of the same revisions, sequential', seq);
    line(`limit: raw _bulk_docs of the same revisions, ${CONCURRENCY} in flight`, par);
    const xNaive = worker.rate / naive.rate;
    const ofLimit = (100 * worker.rate) / limit.rate;
    console.log(
      `  ratios: worker / naive = ${xNaive.toFixed(1)}x (goal >= 10x); worker / limit = ${ofLimit.toFixed(0)}% (goal >= 50%)`,
    );
    if (worker.cpuUs !== undefined && limit.cpuUs !== undefined)
      console.log(
        `  server CPU per doc: worker ${fmt(worker.cpuUs)} us (all of it: reads, audit, writes) vs ${fmt(limit.cpuUs)} us for the writes alone = ${((100 * limit.cpuUs) / worker.cpuUs).toFixed(0)}% of the worker's server work is the limit's`,
      );
    console.log(
      `headline: couchmesh resolves ${fmt(worker.rate)} conflicted docs/s = ${xNaive.toFixed(1)}x naive (${fmt(naive.rate)}/s) and ${ofLimit.toFixed(0)}% of the raw write limit (${fmt(limit.rate)} docs/s) ${xNaive >= 10 && ofLimit >= 50 ? '- goals met' : '- GOALS NOT MET'}`,
    );
  } finally {
    await t.close();
  }
}

await main();

// `_bulk_docs` ingest benchmark of the embedded node (a program, not a test): `npm run bench:ingest`.
//
// 10,000 small sensor docs are written with `POST /{db}/_bulk_docs` in batches of 500 (then 1000 and 100),
// one request at a time over one keep-alive connection (undici), into a fresh database per round, against:
//   (a) the embedded node with a data dir in a temp folder (SQLite WAL, synchronous=FULL: fsync per commit)
//   (b) the embedded node in memory
//   (c) express-pouchdb 4.2.0 on PouchDB 9, memory adapter (test/interop/peers.ts startExpressPouch())
//   (d) the raw limit: better-sqlite3 inserting the same docs straight into tables shaped like the node's
//       (created by the node's own DbStore, so same schema and pragmas), one transaction per batch, no HTTP
//   (ref) the HTTP floor: a bare node:http server that reads the body and returns a canned response
// Every server runs in its own child process on 127.0.0.1 (the client gets the parent's event loop to
// itself); request bodies are serialised before the clock starts; each figure is the median of ROUNDS rounds,
// the targets interleaved round by round after one unreported warm-up round each. Then (e) the idle RSS of
// a freshly started node (own process, fresh data dir, ~2 s idle), under tsx and compiled (`dist/`). The
// headline figure is printed last.
//
// "Ours" is compiled code, as bin/couchmesh.js runs it: `dist/` when it is a build of the current src/node,
// else the current sources compiled by tsc into the temp folder (a stale dist/ is never measured by mistake).
// The in-memory node run from the sources under tsx (what the test suite runs) is a reference row.
//
//   npm run bench:ingest                    # the benchmark
//   npm run bench:ingest -- --rounds=5      # more rounds per figure
//   npm run bench:ingest -- --profile       # instead: CPU profile of the in-memory node's _bulk_docs path
//   --tsx | --dist                          # ours = the sources under tsx | dist/ as it is, however old
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { DbStore } from '../src/node/index.ts';
import { startExpressPouch } from '../test/interop/peers.ts';
import { type Batch, makeDocs, type SensorDoc, toBatches } from './lib/docs.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { fsOf, int, loadNote, median, mib, pass, ratio } from './lib/format.ts';
import { DIST_MODULE, LAUNCHER, launchOurs, prepareOurs, SOURCES, SRC_MODULE } from './lib/ours.ts';
import {
  BARE_NODE,
  type Child,
  childPid,
  firstLine,
  idleRss as idleRssOf,
  processCpuUs,
  ROOT,
  spawnChild,
  tempFolder,
} from './lib/process.ts';
import { type CpuProfile, summariseProfile } from './lib/profile.ts';

const FLOOR_SERVER = 'bench/http-floor-server.mjs';

const N_DOCS = 10_000;
const BATCH_SIZES = [500, 1000, 100] as const; // the first one is the headline
const WARMUP_DOCS = N_DOCS; // one unreported full round per target: batch 500 comes first and must not pay for JIT
const GOAL_DOCS_PER_S = 10_000;
const GOAL_RSS_MIB = 70;
const RSS_IDLE_MS = 2_000;
const RSS_LAUNCHES = 3;
const PROFILE_ROUNDS = 20;
const PROFILE_INTERVAL_US = 250;

const args = process.argv.slice(2);
const ROUNDS = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) throw new Error('--rounds=N wants 1..20');

// ---------------------------------------------------------------------------------------------------------
// Data

/** What the raw-SQLite limit writes per doc: the rows the node would store, computed before the clock. */
interface RawRow {
  id: string;
  body: string;
  rev: string;
  tree: string;
}

function toRawRows(docs: SensorDoc[]): RawRow[] {
  return docs.map(({ _id, ...rest }) => {
    const body = JSON.stringify(rest);
    const hash = createHash('md5').update(body).digest('hex');
    return {
      id: _id,
      body,
      rev: `1-${hash}`,
      tree: JSON.stringify([{ pos: 1, ids: [hash, { status: 'available' }, []] }]),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Child processes (the node launcher, the HTTP floor, a bare node for the RSS baseline)

const launchNode = launchOurs;

// ---------------------------------------------------------------------------------------------------------
// HTTP ingest

interface HttpTarget {
  label: string;
  url: string;
  /** false for the HTTP floor, which has no databases */
  hasDbs: boolean;
  /** the server process, for its CPU time */
  pid: number | undefined;
  agent: Agent;
  close(): Promise<void>;
}

async function call(
  t: HttpTarget,
  method: string,
  path: string,
  body?: string,
  headers?: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await request(`${t.url}${path}`, { method, body, headers, dispatcher: t.agent });
  return { status: res.statusCode, text: await res.body.text() };
}

/** One measured round: docs/s (wall clock) and the server's CPU time per doc. */
interface Sample {
  rate: number;
  cpuUsPerDoc: number;
}

let dbCounter = 0;

/** One round: a fresh database, every batch in order, one request in flight. */
async function httpRound(t: HttpTarget, batches: Batch[]): Promise<Sample> {
  const db = `ingest-${++dbCounter}`;
  if (t.hasDbs) {
    const r = await call(t, 'PUT', `/${db}`);
    if (r.status !== 201 && r.status !== 202)
      throw new Error(`${t.label}: PUT /${db} -> ${r.status} ${r.text}`);
  }
  let docs = 0;
  const cpu0 = processCpuUs(t.pid);
  const start = performance.now();
  for (const b of batches) {
    const r = await call(t, 'POST', `/${db}/_bulk_docs`, b.body, {
      'content-type': 'application/json',
      'x-bench-docs': String(b.n),
    });
    if (r.status !== 201) throw new Error(`${t.label}: _bulk_docs -> ${r.status} ${r.text.slice(0, 300)}`);
    const out = JSON.parse(r.text) as Array<{ ok?: boolean }>;
    if (out.length !== b.n || !out.every((x) => x.ok === true))
      throw new Error(`${t.label}: _bulk_docs did not accept every doc: ${r.text.slice(0, 300)}`);
    docs += b.n;
  }
  const ms = performance.now() - start;
  const cpuUs = processCpuUs(t.pid) - cpu0;
  if (t.hasDbs) {
    const info = await call(t, 'GET', `/${db}`);
    const count = (JSON.parse(info.text) as { doc_count?: number }).doc_count;
    if (count !== docs) throw new Error(`${t.label}: ${db} holds ${count} docs, expected ${docs}`);
    await call(t, 'DELETE', `/${db}`);
  }
  return { rate: (docs / ms) * 1000, cpuUsPerDoc: cpuUs / docs };
}

const httpTarget = (
  label: string,
  server: { url: string; pid: number | undefined },
  hasDbs: boolean,
  close: () => Promise<void>,
): HttpTarget => {
  const agent = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 60_000 });
  return {
    label,
    url: server.url,
    hasDbs,
    pid: server.pid,
    agent,
    async close() {
      await agent.close();
      await close();
    },
  };
};

// ---------------------------------------------------------------------------------------------------------
// The raw SQLite limit

let rawCounter = 0;

/** Same docs, same tables (made by the node's DbStore: schema, WAL, synchronous=FULL), one tx per batch. */
function rawRound(dir: string | ':memory:', rows: RawRow[], batchSize: number): Sample {
  const file = dir === ':memory:' ? ':memory:' : join(dir, `raw-${++rawCounter}.sqlite`);
  const store = new DbStore(file);
  const insRev = store.db.prepare(
    'INSERT INTO revs (doc_id, rev, body, atts, deleted) VALUES (?, ?, ?, NULL, 0)',
  );
  const insDoc = store.db.prepare('INSERT INTO docs (id, seq, tree, winner, deleted) VALUES (?, ?, ?, ?, 0)');
  let seq = 0;
  const tx = store.db.transaction((batch: RawRow[]) => {
    for (const r of batch) {
      insRev.run(r.id, r.rev, r.body);
      insDoc.run(r.id, ++seq, r.tree, r.rev);
    }
  });
  const batches: RawRow[][] = [];
  for (let i = 0; i < rows.length; i += batchSize) batches.push(rows.slice(i, i + batchSize));
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (const b of batches) tx(b);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const count = store.db.prepare('SELECT count(*) FROM docs').pluck().get() as number;
  store.close();
  if (file !== ':memory:') for (const ext of ['', '-wal', '-shm']) rmSync(file + ext, { force: true });
  if (count !== rows.length) throw new Error(`raw sqlite holds ${count} docs, expected ${rows.length}`);
  return { rate: (rows.length / ms) * 1000, cpuUsPerDoc: (cpu.user + cpu.system) / rows.length };
}

// ---------------------------------------------------------------------------------------------------------
// Idle RSS

const idleRss = (start: () => Promise<Child>) => idleRssOf(start, RSS_LAUNCHES, RSS_IDLE_MS);

// ---------------------------------------------------------------------------------------------------------
// The benchmark

type HttpKey = 'durable' | 'memory' | 'memoryTsx' | 'express' | 'floor';
type Key = HttpKey | 'rawDurable' | 'rawMemory';
const LABELS: Record<Key, string> = {
  durable: '(a) couchmesh node, data dir (WAL, fsync/commit)',
  memory: '(b) couchmesh node, in memory',
  memoryTsx: "(ref) (b) run from src/ under tsx (tests' setup)",
  express: '(c) express-pouchdb 4.2.0 (PouchDB 9, memory)',
  rawDurable: '(d) raw better-sqlite3, file (WAL, FULL)',
  rawMemory: '(d) raw better-sqlite3, :memory:',
  floor: '(ref) HTTP floor: node:http, no work',
};

async function benchmark(): Promise<void> {
  const tmp = tempFolder('couchmesh-bench-');
  const children: HttpTarget[] = [];
  try {
    const dataDir = join(tmp, 'node-data');
    const rawDir = join(tmp, 'raw');
    mkdirSync(dataDir);
    mkdirSync(rawDir);
    console.log(`couchmesh _bulk_docs ingest benchmark — node ${process.version}, 127.0.0.1`);
    console.log(
      `  ${N_DOCS.toLocaleString('en-US')} docs like ${JSON.stringify(makeDocs(1)[0])} (${Buffer.byteLength(JSON.stringify(makeDocs(1)[0]))} bytes)`,
    );
    console.log(
      `  one request in flight over one keep-alive connection (undici); a fresh database per round; median of ${ROUNDS} rounds, targets interleaved`,
    );
    console.log(`  temp folder ${tmp} (${fsOf(tmp)})`);
    console.log(`  ${loadNote()}`);
    const ours = prepareOurs(tmp, args);
    console.log(`  servers each in their own process; ours = ${ours.label} (${ours.why})`);

    const durable = await launchNode(ours, ['--data', dataDir]);
    const memory = await launchNode(ours, ['--in-memory']);
    const memoryTsx = ours.tsx
      ? undefined
      : await launchNode(SOURCES, ['--in-memory']).catch((e: unknown) => {
          console.log(`  (the sources under tsx do not start, so no tsx reference row: ${firstLine(e)})`);
          return undefined;
        });
    const express = await startExpressPouch();
    const floor = await spawnChild([FLOOR_SERVER]);
    const targets: Partial<Record<HttpKey, HttpTarget>> = {
      durable: httpTarget(LABELS.durable, durable, true, () => durable.close()),
      memory: httpTarget(LABELS.memory, memory, true, () => memory.close()),
      express: httpTarget(
        LABELS.express,
        { url: express.url, pid: childPid('express-pouch-server.mjs') },
        true,
        () => express.close(),
      ),
      floor: httpTarget(LABELS.floor, floor, false, () => floor.close()),
    };
    if (memoryTsx) targets.memoryTsx = httpTarget(LABELS.memoryTsx, memoryTsx, true, () => memoryTsx.close());
    for (const t of Object.values(targets)) children.push(t);
    const ORDER: Key[] = [
      'durable',
      'memory',
      ...(memoryTsx ? (['memoryTsx'] as const) : []),
      'express',
      'rawDurable',
      'rawMemory',
      'floor',
    ];

    const docs = makeDocs(N_DOCS);
    const rows = toRawRows(docs);
    const run = async (key: Key, batchSize: number, batches: Batch[], rawRows: RawRow[]) => {
      if (key === 'rawDurable') return rawRound(rawDir, rawRows, batchSize);
      if (key === 'rawMemory') return rawRound(':memory:', rawRows, batchSize);
      const t = targets[key];
      if (!t) throw new Error(`no target ${key}`);
      return httpRound(t, batches);
    };

    // warm-up (JIT, connections, statement caches): not reported
    const warmDocs = makeDocs(WARMUP_DOCS, 'warmup');
    const warmBatches = toBatches(warmDocs, 500);
    const warmRows = toRawRows(warmDocs);
    for (const key of ORDER) await run(key, 500, warmBatches, warmRows);

    const results = new Map<string, Sample[]>();
    const rates = (k: Key, size: number) => (results.get(`${k}@${size}`) ?? []).map((x) => x.rate);
    const cpus = (k: Key, size: number) => (results.get(`${k}@${size}`) ?? []).map((x) => x.cpuUsPerDoc);
    for (const size of BATCH_SIZES) {
      const batches = toBatches(docs, size);
      for (let r = 0; r < ROUNDS; r++)
        for (const key of ORDER) {
          const v = await run(key, size, batches, rows);
          results.set(`${key}@${size}`, [...(results.get(`${key}@${size}`) ?? []), v]);
        }
      const med = (k: Key) => median(rates(k, size));
      const cpu = (k: Key) => median(cpus(k, size));
      console.log('');
      console.log(
        `batch ${size} (${batches.length} requests per round)${' '.repeat(28 - String(batches.length).length)}docs/s median   [min .. max]          server CPU/doc`,
      );
      for (const key of ORDER) {
        const xs = rates(key, size);
        const range = `[${int(Math.min(...xs))} .. ${int(Math.max(...xs))}]`;
        console.log(
          `  ${LABELS[key].padEnd(52)} ${int(med(key)).padStart(9)}   ${range.padEnd(22)} ${Number.isNaN(cpu(key)) ? '    n/a' : `${cpu(key).toFixed(1).padStart(6)} µs`}`,
        );
      }
      console.log(
        `  ours/express-pouchdb: durable ${ratio(med('durable'), med('express'))}, in-memory ${ratio(med('memory'), med('express'))}`,
      );
      console.log(
        `  ours/raw-sqlite:      durable ${ratio(med('durable'), med('rawDurable'))} (of file), in-memory ${ratio(med('memory'), med('rawMemory'))} (of :memory:)`,
      );
      console.log(
        `  ours/HTTP floor:      durable ${ratio(med('durable'), med('floor'))}, in-memory ${ratio(med('memory'), med('floor'))}`,
      );
      console.log(
        `  CPU per doc (less sensitive to a busy machine): express-pouchdb uses ${ratio(cpu('express'), cpu('memory'))} ours (in-memory); ours uses ${ratio(cpu('memory'), cpu('rawMemory'))} raw :memory:, ${ratio(cpu('durable'), cpu('rawDurable'))} raw file (durable)`,
      );
      console.log(
        `  goal >= ${int(GOAL_DOCS_PER_S)} docs/s: durable ${pass(med('durable') >= GOAL_DOCS_PER_S)}, in-memory ${pass(med('memory') >= GOAL_DOCS_PER_S)}`,
      );
    }
    for (const t of children.splice(0)) await t.close();

    // (e) idle RSS: fresh node, data dir, own process
    console.log('');
    console.log(
      `(e) idle RSS of a freshly started node (own process, fresh data dir, read ${RSS_IDLE_MS / 1000} s after it listens; median of ${RSS_LAUNCHES} launches)`,
    );
    let rssDir = 0;
    const fresh = () => join(tmp, `rss-${++rssDir}`);
    const measure = (start: () => Promise<Child>) =>
      idleRss(start).catch((e: unknown) => `did not start: ${firstLine(e)}`);
    const bare = await measure(() => spawnChild(['-e', BARE_NODE]));
    const tsx = await measure(() => launchNode(SOURCES, ['--data', fresh()]));
    // compiled: the build measured above, or dist/ when the sources ran under tsx
    const built = ours.tsx ? { tsx: false, module: DIST_MODULE, label: `compiled ${DIST_MODULE}` } : ours;
    const dist = existsSync(resolve(ROOT, built.module))
      ? await measure(() => launchNode(built, ['--data', fresh()]))
      : `${DIST_MODULE} missing: run \`npm run build\` for the compiled figure`;
    const row = (label: string, xs: number[] | string, goal: boolean) =>
      console.log(
        typeof xs === 'string'
          ? `  ${label.padEnd(62)} ${xs}`
          : `  ${label.padEnd(62)} ${mib(median(xs)).padStart(6)} MiB   [${xs.map(mib).join(', ')}]${goal ? `   goal <= ${GOAL_RSS_MIB} MiB: ${pass(median(xs) / 1024 <= GOAL_RSS_MIB)}` : ''}`,
      );
    row('bare `node` idling (baseline, no couchmesh)', bare, false);
    row(`node --import tsx ${LAUNCHER} ${SRC_MODULE}`, tsx, true);
    row(`node ${LAUNCHER} <${built.label}>`, dist, true);

    // summary; the headline last
    const h = BATCH_SIZES[0];
    const m = (k: Key, size: number) => median(rates(k, size));
    console.log('');
    console.log('summary');
    for (const size of BATCH_SIZES)
      console.log(
        `  batch ${String(size).padEnd(4)}: durable ${int(m('durable', size)).padStart(6)} docs/s, in-memory ${int(m('memory', size)).padStart(6)}, express-pouchdb ${int(m('express', size)).padStart(6)}, raw sqlite file ${int(m('rawDurable', size)).padStart(7)}`,
      );
    const rssFig = (xs: number[] | string, how: string) =>
      typeof xs === 'string'
        ? `${how}: n/a`
        : `${mib(median(xs))} MiB ${how} (goal <= ${GOAL_RSS_MIB} MiB: ${pass(median(xs) / 1024 <= GOAL_RSS_MIB)})`;
    console.log(
      `  idle RSS: ${rssFig(dist, 'compiled')}, ${rssFig(tsx, 'under tsx')}; CouchDB idles at 66-72 MB`,
    );
    console.log(`  ${loadNote()}`);
    console.log(
      `HEADLINE _bulk_docs ingest, durable node, batch ${h}: ${int(m('durable', h))} docs/s = ${ratio(m('durable', h), m('express', h))} express-pouchdb, ${ratio(m('durable', h), m('rawDurable', h))} raw SQLite — goal >= ${int(GOAL_DOCS_PER_S)} docs/s: ${pass(m('durable', h) >= GOAL_DOCS_PER_S)}`,
    );
    const idle = typeof dist === 'string' ? Number.NaN : median(dist) / 1024;
    emitFigures({
      bench: 'ingest',
      load: loadavg(),
      figures: [
        fig({
          figure: `_bulk_docs durable, batch ${h}`,
          ours: m('durable', h),
          unit: 'docs/s',
          baseline: m('express', h),
          baselineLabel: 'express-pouchdb',
          goal: `>= ${int(GOAL_DOCS_PER_S)} docs/s`,
          met: m('durable', h) >= GOAL_DOCS_PER_S,
        }),
        fig({
          figure: `_bulk_docs durable vs raw SQLite, batch ${h}`,
          ours: m('durable', h),
          unit: 'docs/s',
          baseline: m('rawDurable', h),
          baselineLabel: 'raw SQLite',
        }),
        fig({
          figure: 'idle RSS, compiled node',
          ours: idle,
          unit: 'MiB',
          goal: `<= ${GOAL_RSS_MIB} MiB`,
          met: idle <= GOAL_RSS_MIB,
        }),
      ],
    });
  } finally {
    for (const t of children) await t.close().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// --profile: where the in-memory node's _bulk_docs time goes

async function profile(): Promise<void> {
  const tmp = tempFolder('couchmesh-prof-');
  const dir = join(tmp, 'profiles');
  try {
    const ours = prepareOurs(tmp, args);
    const node = await launchNode(
      ours,
      ['--in-memory'],
      ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(PROFILE_INTERVAL_US)],
    );
    const t = httpTarget('in-memory node', node, true, () => node.close());
    const rates: number[] = [];
    try {
      await httpRound(t, toBatches(makeDocs(WARMUP_DOCS, 'warmup'), 500));
      const batches = toBatches(makeDocs(N_DOCS), 500);
      for (let r = 0; r < PROFILE_ROUNDS; r++) rates.push((await httpRound(t, batches)).rate);
    } finally {
      await t.close(); // stdin ends -> node.close() -> process.exit(0) -> the profile is written
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (!files.length) throw new Error(`no .cpuprofile written in ${dir}`);
    // the main thread's profile is the one with the bulkDocs samples (tsx's loader thread writes its own)
    const profiles = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
    const main = profiles.find((p) => p.nodes.some((n) => n.callFrame.functionName === 'bulkDocs'));
    if (!main) throw new Error('no profile holds bulkDocs');
    summariseProfile(
      main,
      `CPU profile of the in-memory node (${ours.label}${ours.tsx ? '' : ', lines mapped to src/ by its source maps'}; ${ours.why}; --cpu-prof-interval ${PROFILE_INTERVAL_US} µs): ${PROFILE_ROUNDS} x ${int(N_DOCS)} docs in batches of 500, fresh db per round; ${int(median(rates))} docs/s median while profiled`,
      {
        label: 'bulkDocs',
        contains: (stack) =>
          stack.some(
            (n) => n.callFrame.functionName === 'bulkDocs' && n.callFrame.url.includes('routes/bulk'),
          ),
      },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true }); // the .cpuprofile files (and any private build) are not kept
  }
}

if (args.includes('--profile')) await profile();
else await benchmark();

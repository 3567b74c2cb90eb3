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
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { SourceMap } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { DbStore } from '../src/node/store/db-store.ts';
import { startExpressPouch } from '../test/interop/peers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAUNCHER = 'bench/node-launcher.mjs';
const FLOOR_SERVER = 'bench/http-floor-server.mjs';
const SRC_MODULE = 'src/node/index.ts';
const DIST_MODULE = 'dist/node/index.js';

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

interface SensorDoc {
  _id: string;
  type: 'reading';
  station: string;
  temperature_c: number;
  ts: string;
}

function makeDocs(n: number, prefix = 'sensor'): SensorDoc[] {
  const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return {
      _id: `${prefix}-${String(i).padStart(5, '0')}`,
      type: 'reading',
      station: `station-${i % 10}`,
      temperature_c: Math.round(100 + ((i * 37) % 250)) / 10,
      ts: new Date(t0 + i * 1000).toISOString().replace('.000Z', 'Z'),
    };
  });
}

interface Batch {
  n: number;
  body: string;
}

function toBatches(docs: SensorDoc[], size: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < docs.length; i += size) {
    const slice = docs.slice(i, i + size);
    out.push({ n: slice.length, body: JSON.stringify({ docs: slice }) });
  }
  return out;
}

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

interface Child {
  url: string;
  pid: number;
  proc: ChildProcess;
  close(): Promise<void>;
}

async function spawnChild(argv: string[], startTimeoutMs = 30_000): Promise<Child> {
  const proc = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => {
    err = (err + c).slice(-16_384);
  });
  const exited = once(proc, 'exit');
  const info = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} did not start within ${startTimeoutMs} ms:\n${err}`));
    }, startTimeoutMs);
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; pid: number });
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited (code ${code}, signal ${signal}):\n${err}`));
    });
  });
  let closing: Promise<void> | undefined;
  return {
    ...info,
    proc,
    close() {
      closing ??= (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.stdin!.end();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

/**
 * Whether `dist/node` is a build of the current `src/node`: every non-test .ts there has a .js at least as new.
 * (A build older than the sources would measure old code; then the sources run under tsx instead.)
 */
function distStatus(): { fresh: boolean; why: string } {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  if (!existsSync(join(ROOT, DIST_MODULE))) return { fresh: false, why: `${DIST_MODULE} missing` };
  for (const ts of walk(join(ROOT, 'src/node'))) {
    if (!ts.endsWith('.ts') || ts.endsWith('.test.ts') || ts.includes('/testing/')) continue;
    const js = join(ROOT, 'dist', relative(join(ROOT, 'src'), ts)).replace(/\.ts$/, '.js');
    if (!existsSync(js)) return { fresh: false, why: `${relative(ROOT, js)} missing` };
    if (statSync(js).mtimeMs < statSync(ts).mtimeMs)
      return { fresh: false, why: `${relative(ROOT, ts)} is newer than its build` };
  }
  return { fresh: true, why: 'dist/node is newer than every src/node file' };
}

/** The code "ours" runs: a module for the launcher, and whether it needs tsx. */
interface Ours {
  tsx: boolean;
  /** repo-relative or absolute path of the module exporting startNode */
  module: string;
  /** how it is printed */
  label: string;
  why: string;
}

/**
 * `--tsx`: the sources under tsx. `--dist`: dist/ as it is. Default: dist/ when it is a build of the current
 * sources, else a build of them made now with tsc (tsconfig.build.json) into `tmp` (deleted with it), so a
 * stale dist/ is never measured by mistake. tsc type errors (others editing) are reported, not fatal.
 */
function prepareOurs(tmp: string): Ours {
  const tsxOurs: Ours = { tsx: true, module: SRC_MODULE, label: `${SRC_MODULE} under tsx`, why: '' };
  const distOurs: Ours = { tsx: false, module: DIST_MODULE, label: `compiled ${DIST_MODULE}`, why: '' };
  if (args.includes('--tsx')) return { ...tsxOurs, why: 'forced by --tsx' };
  const b = distStatus();
  if (args.includes('--dist')) {
    if (!existsSync(join(ROOT, DIST_MODULE)))
      throw new Error(`--dist: ${DIST_MODULE} missing; npm run build`);
    return { ...distOurs, why: b.fresh ? b.why : `forced by --dist although ${b.why}` };
  }
  if (b.fresh) return { ...distOurs, why: b.why };
  // a private build: ESM needs {"type":"module"}, and packages resolve through a node_modules link
  const out = join(tmp, 'build');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'), 'dir');
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const module = join(out, 'node/index.js');
  if (!existsSync(module)) throw new Error(`tsc emitted no ${module}:\n${tsc.stdout}${tsc.stderr}`);
  const errors = (tsc.stdout.match(/error TS\d+/g) ?? []).length;
  return {
    tsx: false,
    module,
    label: 'current src/ compiled now by tsc into the temp folder',
    why: `${b.why}${errors ? `; tsc reported ${errors} type error(s) elsewhere and emitted anyway` : ''}`,
  };
}

/** The first line of an error and, for a child that died, the line naming its error. */
function firstLine(e: unknown): string {
  const lines = (e instanceof Error ? e.message : String(e))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const cause = lines.slice(1).find((l) => /^[\w.]*Error\b/.test(l));
  return cause ? `${lines[0]} ${cause}` : (lines[0] ?? '');
}

const launchNode = (code: Pick<Ours, 'tsx' | 'module'>, mode: string[], execArgv: string[] = []) =>
  spawnChild([...(code.tsx ? ['--import', 'tsx'] : []), ...execArgv, LAUNCHER, code.module, ...mode]);
const SOURCES = { tsx: true, module: SRC_MODULE } as const;

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

/** CPU time (µs) a process has run so far, all its threads (schedstat: ns on CPU); NaN if unknown. */
function processCpuUs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`))
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
  } catch {
    return Number.NaN;
  }
  return ns / 1000;
}

/** The pid of our child process running `script` (startExpressPouch() does not expose it). */
function childPid(script: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(script))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
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

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function idleRss(start: () => Promise<Child>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RSS_LAUNCHES; i++) {
    const child = await start();
    try {
      await sleep(RSS_IDLE_MS);
      out.push(rssKiB(child.pid));
    } finally {
      await child.close();
    }
  }
  return out;
}

const BARE_NODE = `process.stdout.write(JSON.stringify({ url: '', pid: process.pid }) + '\\n');
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;

// ---------------------------------------------------------------------------------------------------------
// Formatting

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const mib = (kib: number) => (kib / 1024).toFixed(1);
const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** A temp folder removed when this process ends, also on Ctrl-C or a closed stdout (children exit on stdin end). */
function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.once('SIGINT', () => process.exit(130));
  process.stdout.once('error', () => process.exit(1));
  return dir;
}

/** The machine's load, so that figures from a busy machine are read as such. */
function loadNote(): string {
  const [l1 = 0, l5 = 0] = loadavg();
  const n = cpus().length;
  const busy = l1 > n / 2;
  return `load average ${l1.toFixed(2)} (1 min), ${l5.toFixed(2)} (5 min) on ${n} CPUs${busy ? ' — BUSY: absolute figures are unreliable; ratios (interleaved) and CPU/doc hold up better' : ''}`;
}

function fsOf(path: string): string {
  const real = realpathSync(path);
  let best = { mount: '', text: 'unknown filesystem' };
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [dev, mount, type] = line.split(' ');
    if (!dev || !mount || !type) continue;
    if (
      (real === mount || real.startsWith(mount === '/' ? '/' : `${mount}/`)) &&
      mount.length >= best.mount.length
    )
      best = { mount, text: `${type} on ${dev}` };
  }
  return best.text;
}

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
    const ours = prepareOurs(tmp);
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
  } finally {
    for (const t of children) await t.close().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// --profile: where the in-memory node's _bulk_docs time goes

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const root = `file://${ROOT}`;
  if (url.startsWith(root)) return url.slice(root.length).replace(/^\/+/, '');
  return url.replace(/^file:\/\//, '');
}

const sourceMaps = new Map<string, SourceMap | null>();

/**
 * Where a frame's function is, repo-relative: compiled frames (dist/*.js) are mapped back to their .ts line
 * through tsc's source maps; frames of sources run under tsx get no line (tsx minifies whitespace, so every
 * function sits on line 1); node internals keep theirs.
 */
function locate(f: CpuProfileNode['callFrame']): { file: string; line?: number } {
  if (!f.url) return { file: '' };
  if (f.url.startsWith('file:') && f.url.endsWith('.js')) {
    const js = fileURLToPath(f.url);
    let map = sourceMaps.get(js);
    if (map === undefined) {
      map = existsSync(`${js}.map`) ? new SourceMap(JSON.parse(readFileSync(`${js}.map`, 'utf8'))) : null;
      sourceMaps.set(js, map);
    }
    const e = map?.findEntry(f.lineNumber, f.columnNumber);
    if (e && 'originalSource' in e && e.originalSource) {
      const src = e.originalSource.startsWith('file:')
        ? fileURLToPath(e.originalSource)
        : resolve(dirname(js), e.originalSource);
      return { file: relative(ROOT, src), line: e.originalLine + 1 };
    }
  }
  const u = shortUrl(f.url);
  if (u.endsWith('.ts')) return { file: u };
  return { file: u, line: f.lineNumber + 1 };
}

function frameName(n: CpuProfileNode): string {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  const at = locate(f);
  return at.file ? `${name}  ${at.file}${at.line ? `:${at.line}` : ''}` : name;
}

function area(f: CpuProfileNode['callFrame']): string | undefined {
  const u = locate(f).file;
  if (!u) return undefined;
  if (u.startsWith('src/node/json/')) return 'couchmesh JSON scanner (src/node/json)';
  if (u.startsWith('src/node/revs/revid')) return 'couchmesh rev ids: term encoding + md5 (revs/revid)';
  if (u.startsWith('src/node/revs/')) return 'couchmesh rev trees (revs/tree*)';
  if (u.startsWith('src/node/store/') || u.includes('better-sqlite3'))
    return 'SQLite via better-sqlite3 (store/, native)';
  if (u.startsWith('src/node/engine/')) return 'couchmesh engine (engine/)';
  if (u.startsWith('src/node/http/')) return 'couchmesh HTTP layer (http/)';
  if (u.includes('node_modules/tsx') || u.includes('node:internal/modules')) return 'module loading (tsx)';
  if (u.startsWith('node:internal/crypto') || u === 'node:crypto') return 'node:crypto';
  if (
    /^node:(_http|internal\/http|http|net|internal\/stream|stream|events|internal\/streams|internal\/url|url)/.test(
      u,
    )
  )
    return 'node http / net / streams / url';
  if (u.startsWith('node:')) return 'other node internals';
  return `other (${u})`;
}

function summariseProfile(p: CpuProfile, note: string): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stack = (id: number) => {
    const out: CpuProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) out.push(n);
    }
    return out;
  };
  const inBulk = (id: number) =>
    stack(id).some((n) => n.callFrame.functionName === 'bulkDocs' && n.callFrame.url.includes('routes/bulk'));
  // the window: first .. last sample taken inside bulkDocs (leaves out startup, tsx, warm-up DB creation)
  let first = -1;
  let last = -1;
  for (let i = 0; i < p.samples.length; i++)
    if (inBulk(p.samples[i] as number)) {
      if (first < 0) first = i;
      last = i;
    }
  if (first < 0) throw new Error('the profile holds no sample inside bulkDocs');

  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const areas = new Map<string, number>();
  let windowUs = 0;
  let idleUs = 0;
  for (let i = first; i <= last; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0; // the time until the next sample is this sample's
    windowUs += dt;
    const id = p.samples[i] as number;
    const leaf = byId.get(id);
    if (!leaf) continue;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') {
      idleUs += dt;
      continue;
    }
    const key = frameName(leaf);
    self.set(key, (self.get(key) ?? 0) + dt);
    const frames = stack(id);
    const seen = new Set<string>();
    for (const f of frames) {
      const k = frameName(f);
      if (!locate(f.callFrame).file.startsWith('src/') || seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
    // native frames (no url: better-sqlite3's run(), md5, JSON builtins) count for the nearest caller's area
    let a =
      name === '(garbage collector)'
        ? 'garbage collector'
        : name === '(program)'
          ? '(program): V8/native, unattributed'
          : undefined;
    for (const f of frames) {
      if (a) break;
      a = area(f.callFrame);
    }
    a ??= 'other';
    areas.set(a, (areas.get(a) ?? 0) + dt);
  }
  const busy = windowUs - idleUs;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((x, y) => y[1] - x[1]).slice(0, n);

  console.log('');
  console.log(note);
  console.log(
    `window (first..last sample inside bulkDocs): ${(windowUs / 1000).toFixed(0)} ms; busy (not idle) ${(busy / 1000).toFixed(0)} ms = ${((busy / windowUs) * 100).toFixed(0)}% of it. Shares below are of busy time.`,
  );
  console.log('');
  console.log('top 10 functions by self time');
  top(self, 10).forEach(([k, v], i) => {
    console.log(`  ${String(i + 1).padStart(2)}. ${pct(v)} ${ms(v)}  ${k}`);
  });
  console.log('');
  console.log('self time by area (native frames counted for their nearest JS caller)');
  for (const [k, v] of top(areas, 20)) console.log(`  ${pct(v)} ${ms(v)}  ${k}`);
  console.log('');
  console.log('couchmesh functions by inclusive time (self + callees)');
  for (const [k, v] of top(incl, 16)) console.log(`  ${pct(v)} ${ms(v)}  ${k}`);
}

async function profile(): Promise<void> {
  const tmp = tempFolder('couchmesh-prof-');
  const dir = join(tmp, 'profiles');
  try {
    const ours = prepareOurs(tmp);
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
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true }); // the .cpuprofile files (and any private build) are not kept
  }
}

if (args.includes('--profile')) await profile();
else await benchmark();

// `couchmesh verify` benchmark (a program, not a test): `npm run bench:verify`.
//
// 4 embedded nodes, each in its own process on 127.0.0.1, hold the same N documents (default 100,000;
// `--docs=N`), written with `new_edits: false` so every node has the same revisions, in a different
// order per node. Side by side, interleaved round by round (median of `--rounds`, default 3):
//   floor   reading each node's `_changes?style=all_docs` once (one request per node, all four at
//           once): every id and revision has to be read once per node, so no verify can beat it
//   verify  verifyOperation on the mesh (4 linked pairs), pages of 10,000 rows
// Goal: verify <= 2x the floor. Memory, in separate runs: the live heap (a GC at every page boundary)
// of verify at N documents vs at N/10 (a second database): bucket digests and one page per node, so
// it does not grow with the documents (the floor's does: it holds the feed).
// Then the database is deleted and recreated on n4 without 100 of the documents: verify must name
// exactly those 100 (on both of n4's links). The headline is printed last.
//
//   npm run bench:verify                      # 100,000 documents
//   npm run bench:verify -- --docs=20000 --rounds=1
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { CouchClient } from '../src/couch/client.ts';
import { type OpenMesh, openMesh } from '../src/ops/mesh.ts';
import { verifyOperation } from '../src/ops/verify.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { int, loadNote, median, pass, ratio } from './lib/format.ts';
import { LAUNCHER, launchOurs, SOURCES } from './lib/ours.ts';
import { type Child, tempFolder } from './lib/process.ts';

const { values: flags } = parseArgs({
  // --json: the figures as a last line, for `npm run bench` (bench/lib/emit.ts reads process.argv)
  options: { docs: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' } },
});
const num = (k: 'docs' | 'rounds', d: number) => {
  const v = flags[k] === undefined ? d : Number(flags[k]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} wants a positive integer`);
  return v;
};
const DOCS = num('docs', 100_000);
const ROUNDS = num('rounds', 3);
/** the page size of the memory runs: several pages at N/10 documents too */
const MEM_PAGE = Math.max(100, Math.floor(DOCS / 50));
const MISSING = Math.min(100, Math.floor(DOCS / 10));
const NODES = ['n1', 'n2', 'n3', 'n4'];
const BIG = 'big';
const SMALL = 'small';
const GOAL = 2;
const PW = randomBytes(12).toString('hex');
const AUTH = `Basic ${Buffer.from(`admin:${PW}`).toString('base64')}`;

const idOf = (i: number) => `doc-${String(i).padStart(7, '0')}`;
const revOf = (id: string) => `1-${createHash('md5').update(id).digest('hex')}`;

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const r = await fetch(url, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url} -> ${r.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Creates `db` on a node and loads documents `ids` (by index) in batches, in the node's own order. */
async function load(url: string, db: string, ids: number[]): Promise<void> {
  await call(`${url}/${db}`, 'PUT');
  for (let i = 0; i < ids.length; i += 5_000) {
    const docs = ids.slice(i, i + 5_000).map((n) => {
      const id = idOf(n);
      return { _id: id, _rev: revOf(id), v: n, at: '2026-01-01T00:00:00Z' };
    });
    await call(`${url}/${db}/_bulk_docs`, 'POST', { new_edits: false, docs });
  }
}

/** Node k receives the ids rotated by k/4 of them: the same documents, another `_changes` order. */
const orderFor = (k: number, n: number, skip: ReadonlySet<number> = new Set()) =>
  Array.from({ length: n }, (_, i) => (i + Math.floor((k * n) / NODES.length)) % n).filter(
    (i) => !skip.has(i),
  );

const gc = (globalThis as { gc?: () => void }).gc;

async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { s: (performance.now() - t0) / 1000, value };
}

/**
 * Live heap growth (MiB) of a verify: a full GC at every page boundary (the progress event), then
 * heapUsed — what is retained (digests, the page in hand), not garbage awaiting collection. Run
 * apart from the timed rounds, which GCs would slow.
 */
async function verifyLiveHeap(file: string, db: string, deps: Deps, pageSize: number): Promise<number> {
  if (!gc) return Number.NaN;
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  await verifyOperation({ file, db, pageSize }, deps, (e) => {
    if (e.kind !== 'read') return;
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  });
  return (peak - base) / 2 ** 20;
}

/** Live heap growth (MiB) of the floor: its rows, held at the end of the read. */
async function floorLiveHeap(m: OpenMesh, db: string): Promise<number> {
  if (!gc) return Number.NaN;
  gc();
  const base = process.memoryUsage().heapUsed;
  const pages = await floorPages(m, db);
  gc();
  const held = process.memoryUsage().heapUsed;
  return pages.length ? (held - base) / 2 ** 20 : 0;
}

const floorPages = (m: OpenMesh, db: string) =>
  Promise.all(NODES.map((n) => (m.clients.get(n) as CouchClient).changes({ db, style: 'all_docs' })));

async function floor(m: OpenMesh, db: string): Promise<number> {
  return (await floorPages(m, db)).reduce((a, p) => a + p.results.length, 0);
}

type Deps = Parameters<typeof verifyOperation>[1];

async function main(): Promise<void> {
  const tmp = tempFolder('couchmesh-bench-verify-');
  console.log(
    `verify benchmark: ${NODES.length} embedded nodes (${SOURCES.module} under tsx, one process each), ${int(DOCS)} identical documents per node`,
  );
  console.log(loadNote());
  const nodes: Child[] = [];
  try {
    for (const _ of NODES) nodes.push(await launchOurs(SOURCES, ['--in-memory', '--admin', `admin:${PW}`]));
    const url = (i: number) => (nodes[i] as Child).url;
    const file = join(tmp, 'mesh.yaml');
    writeFileSync(
      file,
      `mesh: bench\nnodes:\n${NODES.map((n, i) => `  ${n}: { url: "${url(i)}", auth: { username: admin, password_env: PW } }`).join('\n')}\n` +
        `databases: [${BIG}, ${SMALL}]\nlinks:\n  - [n1, n2]\n  - [n2, n3]\n  - [n3, n4]\n  - [n4, n1]\n`,
    );
    const deps = { env: { PW }, client: { timeoutMs: 120_000 } };
    const t0 = performance.now();
    await Promise.all(NODES.map((_, k) => load(url(k), BIG, orderFor(k, DOCS))));
    await Promise.all(NODES.map((_, k) => load(url(k), SMALL, orderFor(k, Math.ceil(DOCS / 10)))));
    console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (launcher ${LAUNCHER})`);
    const opened = openMesh({ file }, deps);
    if (!opened.ok) throw new Error(JSON.stringify(opened.validation.diagnostics));
    const m = opened.mesh;

    const floors: number[] = [];
    const verifies: number[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      // round 0 warms up (JIT, connections) and is not reported
      const f = await timed(() => floor(m, BIG));
      if (f.value !== DOCS * NODES.length) throw new Error(`the floor read ${f.value} rows`);
      const v = await timed(() => verifyOperation({ file, db: BIG }, deps));
      if (v.value.exit_code !== 0) throw new Error(`identical nodes, verify exit ${v.value.exit_code}`);
      if (r === 0) continue;
      floors.push(f.s);
      verifies.push(v.s);
    }
    const fS = median(floors);
    const vS = median(verifies);
    const heap = {
      floor: await floorLiveHeap(m, BIG),
      big: await verifyLiveHeap(file, BIG, deps, MEM_PAGE),
      small: await verifyLiveHeap(file, SMALL, deps, MEM_PAGE),
    };
    const mibOf = (x: number) => (Number.isNaN(x) ? 'n/a (no --expose-gc)' : `${x.toFixed(1)} MiB`);
    console.log(`\n  median of ${ROUNDS} round(s), interleaved`);
    console.log(`  floor: each node's _changes?style=all_docs once     ${fS.toFixed(2).padStart(7)} s`);
    console.log(
      `  verify: 4 nodes, 4 linked pairs, identical          ${vS.toFixed(2).padStart(7)} s   ${ratio(vS, fS)} the floor`,
    );
    console.log(
      `\n  live heap growth (a GC at every page boundary; verify in pages of ${int(MEM_PAGE)} rows at both sizes)`,
    );
    console.log(`  floor, holding each node's feed (${int(DOCS)} docs)    ${mibOf(heap.floor)}`);
    console.log(`  verify at ${int(DOCS)} docs per node                  ${mibOf(heap.big)}`);
    console.log(
      `  verify at ${int(Math.ceil(DOCS / 10))} docs per node                   ${mibOf(heap.small)}`,
    );
    const heapRatio = heap.big / Math.max(0.1, heap.small);
    console.log(`  verify's growth at 10x the documents: ${heapRatio.toFixed(2)}x`);

    // 100 documents missing on n4: its database deleted and recreated without them
    const skip = new Set(
      Array.from({ length: MISSING }, (_, i) => Math.floor((i * DOCS) / MISSING) + 3).filter((i) => i < DOCS),
    );
    await call(`${url(3)}/${BIG}`, 'DELETE');
    await load(url(3), BIG, orderFor(3, DOCS, skip));
    const d = await timed(() => verifyOperation({ file, db: BIG, firstN: MISSING }, deps));
    const want = [...skip].sort((a, b) => a - b).map(idOf);
    const pairs = d.value.report.databases[0]?.pairs ?? [];
    const named = pairs
      .filter((p) => p.b === 'n4' || p.a === 'n4')
      .map((p) => (p.b === 'n4' ? p.missing_on_b : p.missing_on_a));
    const exact =
      named.length === 2 &&
      named.every((l) => l.count === want.length && l.ids.join() === want.join()) &&
      pairs.filter((p) => p.a !== 'n4' && p.b !== 'n4').every((p) => p.state === 'identical') &&
      pairs.every((p) => p.winners.count + p.leaves.count === 0);
    const st = d.value.report.databases[0]?.stats;
    console.log(
      `\n  ${want.length} docs missing on n4: verify ${d.s.toFixed(2)} s (${ratio(d.s, fS)} the floor; ${st?.differing_buckets} of ${st?.buckets} buckets differ, pass 2 held at most ${int(st?.max_held_docs ?? 0)} docs), exit ${d.value.exit_code}, named exactly those ${want.length} on n3--n4 and n4--n1: ${pass(exact)}`,
    );
    await m.close();
    const ok = vS / fS <= GOAL;
    console.log(
      `\nheadline: verify of 4 nodes x ${int(DOCS)} identical docs takes ${ratio(vS, fS)} the floor of reading each node's _changes once (goal <= ${GOAL}x: ${pass(ok)}); its live heap grows ${heapRatio.toFixed(2)}x for 10x the documents (${mibOf(heap.big)} at ${int(DOCS)}); 100 missing named exactly: ${pass(exact)}`,
    );
    emitFigures({
      bench: 'verify',
      load: loadavg(),
      figures: [
        fig({
          figure: `verify 4 nodes x ${int(DOCS)} identical docs vs reading _changes once`,
          ours: vS,
          unit: 's',
          baseline: fS,
          baselineLabel: 'floor (_changes once)',
          goal: `<= ${GOAL}x`,
          met: ok,
        }),
        fig({
          figure: "verify's live heap at 10x the documents",
          ours: heap.big,
          unit: 'MiB',
          baseline: heap.small,
          baselineLabel: `at ${int(Math.ceil(DOCS / 10))} docs`,
          ratio: heapRatio,
          goal: 'does not grow with docs',
        }),
        fig({
          figure: `${want.length} missing on n4 named exactly`,
          ours: exact ? 1 : 0,
          unit: 'yes=1',
          goal: '1',
          met: exact,
        }),
      ],
    });
    if (!ok || !exact) process.exitCode = 1;
  } finally {
    await Promise.allSettled(nodes.map((n) => n.close()));
  }
}

await main();

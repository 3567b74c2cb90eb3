// Plan + apply benchmark for a generated 100-node full mesh (a program, not a test):
//   node --import tsx bench/plan.ts [--nodes=100] [--rounds=7] [--no-apply]
//
// 100 nodes, one database, `generate: full-mesh` -> 4,950 links -> 9,900 `_replicator` documents
// (99 per node, each on its target: pull).
//
//  1. plan time (pure `makePlan`, no I/O) against synthetic observations built in memory:
//     (a) empty nodes (everything to create), (b) converged nodes (what apply leaves: our documents
//     plus the server's `owner` field -> no action), (c) converged with 1% of the documents edited by
//     hand (drift -> 99 repairs). Median of --rounds runs after one warm-up run each.
//  2. apply against real embedded nodes: 100 in-memory embedded nodes started in this process (RSS is
//     measured for one node first and the run is skipped if 100 would not fit in half the free memory).
//     The nodes' replicators get `max_jobs = 0`: the 9,900 documents are parsed and scheduled but no
//     replication job runs, so what is measured is couchmesh's plan/apply traffic, not 9,900 running
//     replications. The same code path as `couchmesh apply` (preparePlan + executePlan, concurrency 8).
//     HTTP requests are counted per node by the client (`onResponse`), reads and writes apart:
//     observe, first apply, then a second plan+apply that must write nothing.
// The headline is printed last.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freemem, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startNode } from '../src/node/index.ts';
import { executePlan } from '../src/ops/apply.ts';
import { preparePlan } from '../src/ops/plan.ts';
import { desiredState } from '../src/plan/desired.ts';
import { makePlan, summarize } from '../src/plan/plan.ts';
import type { ObservedNode } from '../src/plan/types.ts';
import type { MeshSpec } from '../src/spec/types.ts';
import { validateMesh } from '../src/spec/validate.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { int, loadNote, median, mib, pass } from './lib/format.ts';

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const N = arg('nodes', 100);
const ROUNDS = arg('rounds', 7);
const APPLY = !process.argv.includes('--no-apply');
const PASSWORD = 'bench-admin-password';
const env = { BENCH_PW: PASSWORD };
const DOCS = N * (N - 1);

function meshText(urls: string[]): string {
  const nodes = urls.map(
    (u, i) => `  n${i + 1}: { url: "${u}", auth: { username: admin, password_env: BENCH_PW } }`,
  );
  return `mesh: bench\nnodes:\n${nodes.join('\n')}\ndatabases: [sensors]\nlinks:\n  - { generate: full-mesh, nodes: all, class: lan }\n`;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function medianOf<T>(fn: () => T): { ms: number; value: T } {
  let value = fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = time(fn);
    xs.push(r.ms);
    value = r.value;
  }
  return { ms: median(xs), value };
}

const rssMiB = () => process.memoryUsage().rss / 1024 / 1024;
const fmtMs = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

// ---------------------------------------------------------------------------------------------
// 1. plan time against synthetic observations

console.log(
  `couchmesh plan/apply benchmark: ${N}-node full mesh, 1 database -> ${int(DOCS)} _replicator documents`,
);
console.log(`  ${loadNote()}`);
console.log('');

const fakeUrls = Array.from({ length: N }, (_, i) => `http://10.0.${i >> 8}.${i & 255}:5984`);
const validation = medianOf(() =>
  validateMesh(meshText(fakeUrls), { file: 'bench.yaml', references: { env, fileExists: () => true } }),
);
const spec = validation.value.spec as MeshSpec;
if (!spec) throw new Error(`bench mesh invalid: ${JSON.stringify(validation.value.diagnostics.slice(0, 3))}`);
const passwordOf = () => PASSWORD;
const desired = medianOf(() => desiredState(spec, passwordOf));
const d = desired.value;
if (d.docs.length !== DOCS) throw new Error(`expected ${DOCS} docs, got ${d.docs.length}`);

const emptyObs: ObservedNode[] = spec.nodes.map((n) => ({
  node: n.name,
  reachable: true,
  databases: ['_replicator', '_users'],
  replicator: [],
  requests: 2,
}));
const convergedObs = (): ObservedNode[] =>
  spec.nodes.map((n) => ({
    node: n.name,
    reachable: true,
    databases: ['_replicator', '_users', 'sensors'],
    replicator: d.docs
      .filter((x) => x.node === n.name)
      .map((x, i) => ({
        id: x.id,
        rev: `1-${i.toString(16).padStart(32, '0')}`,
        // as read back: our fields (a fresh copy, as JSON.parse gives) + what the server adds
        body: { _id: x.id, _rev: '1-x', ...JSON.parse(JSON.stringify(x.body)), owner: 'admin' },
      })),
    requests: 2,
  }));
const converged = convergedObs();
const drifted = convergedObs();
let edits = 0;
for (const n of drifted)
  for (const doc of n.replicator)
    if (edits < DOCS / 100 && doc.id.endsWith(`--${n.node}`) && Math.random() < 0.02) {
      doc.body.checkpoint_interval = 1234;
      edits++;
    }

const planEmpty = medianOf(() => makePlan(d, emptyObs));
const planConverged = medianOf(() => makePlan(d, converged));
const planDrift = medianOf(() => makePlan(d, drifted));

console.log(`1. planning (pure, in memory; median of ${ROUNDS} runs)`);
console.log(`  validate + resolve mesh.yaml (${int(spec.links.length)} links)   ${fmtMs(validation.ms)}`);
console.log(`  desired state (${int(d.docs.length)} docs)                 ${fmtMs(desired.ms)}`);
const s1 = summarize(planEmpty.value);
console.log(
  `  plan vs empty nodes       ${fmtMs(planEmpty.ms).padStart(10)}   -> ${s1.create_db} create db, ${int(s1.add)} add`,
);
const s2 = summarize(planConverged.value);
console.log(
  `  plan vs converged nodes   ${fmtMs(planConverged.ms).padStart(10)}   -> ${planConverged.value.actions.length} actions, ${int(s2.unchanged)} unchanged`,
);
const s3 = summarize(planDrift.value);
console.log(
  `  plan vs 1% hand-edited    ${fmtMs(planDrift.ms).padStart(10)}   -> ${s3.change} changes, ${s3.drift} drift`,
);
console.log('');

// ---------------------------------------------------------------------------------------------
// 2. apply against embedded nodes

interface ApplyFigures {
  nodes: number;
  rssPerNodeMiB: number;
  rssAllMiB: number;
  rssAfterMiB: number;
  observe: { ms: number; readsMin: number; readsMax: number; writes: number };
  plan: { ms: number };
  apply1: { ms: number; perNodeMin: number; perNodeMax: number; writes: number; docs: number };
  observe2: { readsMax: number };
  apply2: { writes: number; ms: number };
}

async function applyBench(): Promise<ApplyFigures | string> {
  const before = rssMiB();
  const probe = await startNode({ port: 0, inMemory: true, admins: { admin: PASSWORD } });
  const perNode = Math.max(0.5, rssMiB() - before);
  await probe.close();
  const need = perNode * N * 1.5 + 200;
  const budget = freemem() / 1024 / 1024 / 2;
  if (need > budget)
    return `skipped: ${N} nodes need ~${need.toFixed(0)} MiB (one node ~${perNode.toFixed(1)} MiB), more than half the free memory (${budget.toFixed(0)} MiB)`;

  const rss0 = rssMiB();
  const nodes = [];
  for (let i = 0; i < N; i++) {
    const node = await startNode({ port: 0, inMemory: true, admins: { admin: PASSWORD } });
    node.state.configSections.replicator = { ...node.state.configSections.replicator, max_jobs: '0' };
    nodes.push(node);
  }
  const rssAll = rssMiB() - rss0;
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-bench-plan-'));
  const file = join(dir, 'mesh.yaml');
  writeFileSync(file, meshText(nodes.map((n) => n.url)));
  const urlToNode = new Map(nodes.map((n, i) => [n.url, `n${i + 1}`]));
  try {
    const deps = { env, client: { retries: 0, timeoutMs: 60_000 } };
    // first run: observe (2 reads per node), plan, apply (PUT /sensors + one _bulk_docs per node)
    let t0 = performance.now();
    const run = await preparePlan({ file }, deps);
    const tPrepared = performance.now() - t0;
    if (!run.ok) throw new Error('bench mesh invalid');
    const planMs = time(() =>
      makePlan(
        desiredState(run.spec, () => PASSWORD),
        run.observed,
      ),
    ).ms;
    const observeReads = [...urlToNode.values()].map((n) => run.observeRequests.get(n)?.reads ?? 0);
    const observeWrites = [...run.observeRequests.values()].reduce((s, c) => s + c.writes, 0);
    t0 = performance.now();
    const first = await executePlan(run, async () => true, {});
    const apply1Ms = performance.now() - t0;
    await run.close();
    if (!first.ok) throw new Error(`apply failed on ${first.failed.slice(0, 5).join(', ')}`);
    const perNodeApply = first.nodes.map((n) => n.requests.reads + n.requests.writes);
    const apply1Writes = first.nodes.reduce((s, n) => s + n.requests.writes, 0);

    // second run: must be a no-op
    t0 = performance.now();
    const run2 = await preparePlan({ file }, deps);
    if (!run2.ok) throw new Error('bench mesh invalid');
    const second = await executePlan(run2, async () => true, {});
    const apply2Ms = performance.now() - t0;
    await run2.close();
    const rssAfter = rssMiB() - rss0;
    return {
      nodes: N,
      rssPerNodeMiB: perNode,
      rssAllMiB: rssAll,
      rssAfterMiB: rssAfter,
      observe: {
        ms: tPrepared,
        readsMin: Math.min(...observeReads),
        readsMax: Math.max(...observeReads),
        writes: observeWrites,
      },
      plan: { ms: planMs },
      apply1: {
        ms: apply1Ms,
        perNodeMin: Math.min(...perNodeApply),
        perNodeMax: Math.max(...perNodeApply),
        writes: apply1Writes,
        docs: first.plan.summary.add,
      },
      observe2: { readsMax: Math.max(...[...run2.observeRequests.values()].map((c) => c.reads)) },
      apply2: {
        writes: second.nodes.reduce((s, n) => s + n.requests.writes, 0) + (second.plan.changes ? 1 : 0),
        ms: apply2Ms,
      },
    };
  } finally {
    await Promise.allSettled(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

let figures: ApplyFigures | string = 'skipped (--no-apply)';
if (APPLY) {
  console.log(`2. apply against ${N} in-memory embedded nodes in this process (replicator max_jobs=0)`);
  figures = await applyBench();
  if (typeof figures === 'string') console.log(`  ${figures}`);
  else {
    const f = figures;
    console.log(
      `  memory: the first node +${mib(f.rssPerNodeMiB * 1024)} MiB RSS (incl. code loading); ${N} nodes +${mib(f.rssAllMiB * 1024)} MiB, +${mib(f.rssAfterMiB * 1024)} MiB holding the ${int(DOCS)} docs`,
    );
    console.log(
      `  observe (load + ${N} nodes x 2 GETs, concurrency 8)   ${fmtMs(f.observe.ms).padStart(10)}   requests/node: ${f.observe.readsMin}..${f.observe.readsMax} reads, ${f.observe.writes} writes   goal 1: ${pass(f.observe.readsMax <= 1)}`,
    );
    console.log(
      `  desired state + plan (pure, one run, the real observation) ${fmtMs(f.plan.ms).padStart(10)}`,
    );
    console.log(
      `  first apply (${int(f.apply1.docs)} docs)                     ${fmtMs(f.apply1.ms).padStart(10)}   requests/node: ${f.apply1.perNodeMin}..${f.apply1.perNodeMax} (PUT db + _bulk_docs)   goal <= 2: ${pass(f.apply1.perNodeMax <= 2)}`,
    );
    console.log(
      `  second plan + apply (no-op)                       ${fmtMs(f.apply2.ms).padStart(10)}   observe reads/node <= ${f.observe2.readsMax}, writes: ${f.apply2.writes}   goal 0 writes: ${pass(f.apply2.writes === 0)}`,
    );
  }
  console.log('');
}

console.log('observe in 1 request per node?');
console.log(
  '  today: 2 (GET /_all_dbs + GET /_replicator/_all_docs?include_docs=true, in parallel). CouchDB has no',
);
console.log(
  '  endpoint returning both database existence and _replicator bodies. 1 is reachable only by not reading',
);
console.log(
  '  database existence: then apply must PUT every declared database each run (412 = exists), so a no-op',
);
console.log(
  '  apply is no longer 0 writes (1 PUT per node per database). Same total requests for one database;',
);
console.log('  we keep 2 reads + 0 writes, which makes re-apply provably side-effect free.');
console.log('');

const headline =
  typeof figures === 'string'
    ? `HEADLINE: ${N}-node full mesh (${int(DOCS)} docs): plan ${fmtMs(planEmpty.ms)} (empty) / ${fmtMs(planConverged.ms)} (converged); apply ${figures}`
    : `HEADLINE: ${N}-node full mesh (${int(DOCS)} docs): plan ${fmtMs(planEmpty.ms)} (empty nodes) / ${fmtMs(planConverged.ms)} (converged); observe ${figures.observe.readsMax} requests/node; apply ${figures.apply1.perNodeMax} requests/node (first), ${figures.apply2.writes} writes (re-apply)`;
console.log(headline);
emitFigures({
  bench: 'plan',
  headline,
  load: loadavg(),
  figures: [
    fig({ figure: `plan ${N}-node full mesh, empty nodes`, ours: planEmpty.ms, unit: 'ms' }),
    fig({ figure: `plan ${N}-node full mesh, converged`, ours: planConverged.ms, unit: 'ms' }),
    ...(typeof figures === 'string'
      ? []
      : [
          fig({
            figure: `first apply ${int(DOCS)} docs: requests per node (max)`,
            ours: figures.apply1.perNodeMax,
            unit: 'requests',
            goal: '<= 2',
            met: figures.apply1.perNodeMax <= 2,
          }),
          fig({ figure: `first apply ${int(DOCS)} docs`, ours: figures.apply1.ms, unit: 'ms' }),
          fig({
            figure: 're-apply: writes',
            ours: figures.apply2.writes,
            unit: 'writes',
            goal: '0',
            met: figures.apply2.writes === 0,
          }),
        ]),
  ],
});

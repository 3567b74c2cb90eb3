// Bounded soak (a program, not a test): `npm run bench:soak [-- --minutes=3 --rate=20]`.
//
// The seed mesh (examples/seed-mesh.yaml: 4 nodes, 5 links = 10 directions, its class and canaries)
// on embedded nodes, each in its own process with its data on disk (bench/lib/soak-node-child.ts), so
// a node's memory is its own and does not hold the documents; the controller in its own process
// (bench/lib/controller-child.ts: it applies the mesh itself, polls every 5 s). Writers put --rate docs/s
// spread round-robin over the 4 nodes (bench/lib/rate-writer.ts) for --minutes. Every --sample-s
// seconds, each process's RSS (from /proc) and live heap (after a full GC, asked over stdin).
// Then: memory growth per process (start, end, least-squares slope per minute after the warm-up,
// the first --warmup-s seconds: caches, JIT and the poller's window filling), whether replication kept
// up (docs each node is behind the acknowledged writes when the writers stop; time until every node
// holds them all) and `verify` (every linked pair identical; docs lost = acknowledged - held, goal 0).
// The headline is printed last; `--json` prints the figures as a last line (bench/lib/emit.ts).
//
//   npm run bench:soak -- --minutes=3 --rate=20 [--sample-s=5] [--warmup-s=45] [--json]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE_MESH } from '../src/ops/example-mesh.ts';
import { verifyOperation } from '../src/ops/verify.ts';
import { startControllerChild, untilAllRunning } from './lib/controller-start.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { int, loadNote } from './lib/format.ts';
import { type Child, rssKiB, sleep, spawnChild, tempFolder } from './lib/process.ts';
import { startRateWriter } from './lib/rate-writer.ts';
import { type Growth, growth, heapMiB, rssMiB, type Sample } from './lib/soak-series.ts';
import { statsChannel } from './lib/stats-channel.ts';

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  const v = a ? Number(a.split('=')[1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}= wants a positive number`);
  return v;
};
const MINUTES = arg('minutes', 3);
const RATE = Math.round(arg('rate', 20));
const SAMPLE_MS = arg('sample-s', 5) * 1000;
const WARMUP_MS = Math.min(arg('warmup-s', 45) * 1000, (MINUTES * 60_000) / 2);
const POLL_MS = 5000;
const DB = 'sensors';
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Proc {
  name: string;
  child: Child;
  stats: () => Promise<{ heapUsed: number }>;
  samples: Sample[];
}

/** The seed mesh with our nodes' URLs, no credentials (the nodes are admin parties on 127.0.0.1). */
function meshFor(urls: string[], file: string): void {
  const mesh = parse(readFileSync(EXAMPLE_MESH, 'utf8')) as {
    nodes: Record<string, { url: string; auth?: unknown }>;
    controller?: unknown;
  };
  Object.values(mesh.nodes).forEach((n, i) => {
    n.url = urls[i] as string;
    delete n.auth;
  });
  mesh.controller = { poll_interval_ms: POLL_MS };
  writeFileSync(file, stringify(mesh));
}

async function docCounts(urls: string[]): Promise<number[]> {
  return Promise.all(
    urls.map(async (u) => {
      const r = await fetch(`${u}/${DB}`);
      return r.ok ? ((await r.json()) as { doc_count: number }).doc_count : 0;
    }),
  );
}

async function sample(procs: Proc[], t: number): Promise<void> {
  await Promise.all(
    procs.map(async (p) => {
      const { heapUsed } = await p.stats();
      p.samples.push({ t, rssKiB: rssKiB(p.child.pid), heap: heapUsed });
    }),
  );
}

async function main(): Promise<void> {
  const dir = tempFolder('couchmesh-bench-soak-');
  log(
    `soak: the seed mesh (4 nodes, 10 directions) on embedded nodes (one process each, data on disk) + the controller (own process, poll every ${POLL_MS / 1000} s); ${RATE} docs/s for ${MINUTES} min; a sample every ${SAMPLE_MS / 1000} s, warm-up ${WARMUP_MS / 1000} s`,
  );
  log(loadNote());
  const procs: Proc[] = [];
  try {
    for (const n of ['n1', 'n2', 'n3', 'n4']) {
      mkdirSync(join(dir, n));
      const child = await spawnChild(
        ['--expose-gc', '--import', 'tsx', 'bench/lib/soak-node-child.ts', join(dir, n)],
        60_000,
      );
      procs.push({ name: n, child, stats: statsChannel(child), samples: [] });
    }
    const urls = procs.map((p) => p.child.url);
    for (const u of urls)
      await fetch(`${u}/_node/_local/_config/replicator/startup_jitter`, { method: 'PUT', body: '"0"' });
    const file = join(dir, 'mesh.yaml');
    meshFor(urls, file);
    const { child: ctl, stats: ctlStats } = await startControllerChild(file, dir);
    procs.push({ name: 'controller', child: ctl, stats: ctlStats, samples: [] });
    const { last: s, ms: waited } = await untilAllRunning(ctlStats);
    log(`controller: ${s.running}/${s.directions} directions running after ${waited} ms`);

    const writer = startRateWriter(urls, RATE, { prefix: 'soak' });
    const began = Date.now();
    const end = began + MINUTES * 60_000;
    log('');
    log(`   s  ${procs.map((p) => `${p.name} RSS/heap MiB`.padStart(24)).join('')}  acked`);
    while (Date.now() < end) {
      const t = Date.now() - began;
      await sample(procs, t);
      if (procs[0]!.samples.length % Math.max(1, Math.round(30_000 / SAMPLE_MS)) === 1)
        log(
          `${String(Math.round(t / 1000)).padStart(4)}  ${procs.map((p) => `${rssMiB(p.samples.at(-1)!).toFixed(1)} / ${heapMiB(p.samples.at(-1)!).toFixed(1)}`.padStart(24)).join('')}  ${int(writer.counts().written)}`,
        );
      await sleep(Math.max(0, Math.min(SAMPLE_MS, end - Date.now())));
    }
    await writer.stop();
    await sample(procs, Date.now() - began);
    const w = writer.counts();
    // replication: how far behind each node is when the writers stop, then how long until all hold all
    const atStop = await docCounts(urls);
    const lag = Math.max(...atStop.map((c) => w.written - c));
    const stopAt = Date.now();
    let counts = atStop;
    while (counts.some((c) => c < w.written) && Date.now() - stopAt < 120_000) {
      await sleep(250);
      counts = await docCounts(urls);
    }
    const catchUpMs = Date.now() - stopAt;
    const lost = Math.max(0, ...counts.map((c) => w.written - c));
    const v = await verifyOperation({ file, db: DB }, { env: {} });
    const identical = v.exit_code === 0;
    report(procs, {
      written: w.written,
      failed: w.failed,
      skipped: w.skipped,
      lag,
      catchUpMs,
      lost,
      identical,
    });
  } finally {
    // the controller first, so it does not see its nodes go away
    for (const p of [...procs].reverse()) await p.child.close().catch(() => {});
  }
}

interface Outcome {
  written: number;
  failed: number;
  skipped: number;
  lag: number;
  catchUpMs: number;
  lost: number;
  identical: boolean;
}

function report(procs: Proc[], o: Outcome): void {
  const g = (x: Growth) =>
    `${x.start.toFixed(1).padStart(7)} ${x.end.toFixed(1).padStart(7)} ${`${x.slope >= 0 ? '+' : ''}${x.slope.toFixed(2)}`.padStart(9)}`;
  log('');
  log(`memory (MiB; slope per minute after the ${WARMUP_MS / 1000} s warm-up, least squares)`);
  log(`  process       RSS start     end   slope   live heap start     end   slope`);
  const rows = procs.map((p) => ({
    name: p.name,
    rss: growth(p.samples, WARMUP_MS, rssMiB),
    heap: growth(p.samples, WARMUP_MS, heapMiB),
  }));
  for (const r of rows) log(`  ${r.name.padEnd(12)} ${g(r.rss)}         ${g(r.heap)}`);
  log('');
  log(
    `writes: ${int(o.written)} acknowledged (${RATE}/s target${o.failed ? `, ${o.failed} failed` : ''}${o.skipped ? `, ${o.skipped} seconds skipped while a batch was in flight` : ''})`,
  );
  log(
    `replication: ${int(o.lag)} docs behind on the furthest node when the writers stopped; all 4 nodes held every acknowledged doc ${(o.catchUpMs / 1000).toFixed(1)} s later`,
  );
  log(`verify: ${o.identical ? 'every linked pair identical' : 'DIVERGENT'}; docs lost ${o.lost}`);
  log(loadNote());
  const nodes = rows.filter((r) => r.name !== 'controller');
  const worst = nodes.reduce((a, r) => (r.heap.slope > a.heap.slope ? r : a), nodes[0]!);
  const ctl = rows.find((r) => r.name === 'controller')!;
  log('');
  log(
    `headline: soak ${MINUTES} min at ${RATE} docs/s on the seed mesh: live heap slope after warm-up, controller ${ctl.heap.slope.toFixed(2)} MiB/min, worst node (${worst.name}) ${worst.heap.slope.toFixed(2)} MiB/min; behind at stop ${o.lag} docs, caught up in ${(o.catchUpMs / 1000).toFixed(1)} s; lost ${o.lost} (goal 0: ${o.lost === 0 && o.identical ? 'PASS' : 'FAIL'})`,
  );
  emitFigures({
    bench: 'soak',
    load: loadavg(),
    figures: [
      fig({ figure: `controller live heap slope (${MINUTES} min)`, ours: ctl.heap.slope, unit: 'MiB/min' }),
      fig({
        figure: `controller RSS end (start ${ctl.rss.start.toFixed(0)})`,
        ours: ctl.rss.end,
        unit: 'MiB',
      }),
      fig({ figure: `worst node live heap slope (${worst.name})`, ours: worst.heap.slope, unit: 'MiB/min' }),
      fig({
        figure: 'node RSS end, max of 4',
        ours: Math.max(...nodes.map((r) => r.rss.end)),
        unit: 'MiB',
      }),
      fig({ figure: 'docs behind when writers stop', ours: o.lag, unit: 'docs' }),
      fig({ figure: 'time to catch up after writers stop', ours: o.catchUpMs / 1000, unit: 's' }),
      fig({
        figure: `docs lost of ${o.written} acked (verify ${o.identical ? 'identical' : 'DIVERGENT'})`,
        ours: o.lost,
        unit: 'docs',
        goal: '0, identical',
        met: o.lost === 0 && o.identical,
      }),
    ],
  });
  if (o.lost !== 0 || !o.identical) process.exitCode = 1;
}

await main();
process.exit(process.exitCode ?? 0);

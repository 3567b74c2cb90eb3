// How the controller's cost grows with the mesh (a program, not a test): `npm run bench:controller-scale`.
//
// For each size, a fleet simulator (bench/fleet-sim.ts: one process, one loopback port per node,
// CouchDB 3.5.0's recorded telemetry shapes, a ring of neighbours with 10 links per node, so
// 1,000 nodes = 10,000 directions) and, in a second child process, the real Poller (the
// controller's observe + health loop; bench/lib/fleet-sim-poller.ts) on a 30 s cadence simulated
// by a ManualClock. WARMUP polls fill the 10-minute snapshot ring the health rules walk, then
// POLLS are measured: CPU per poll (the poller process's own, all its threads), the health rules'
// share, GC pauses, wall time, memory, requests per node per poll, and the simulator's CPU. Memory:
// the live heap after a full GC at the end (the child runs with --expose-gc), and the part of it that
// goes with the Poller. The poller keeps compact per-direction series (health/series-book.ts); it
// used to keep a 10-minute ring of raw snapshots (~0.7 MiB per node live), whose GC bent the curve.
// Then the growth curve (CPU per poll per node between sizes: ~1.0x is linear) and, last, the
// headline: the share of one core at 1,000 nodes polled every 30 s (goal: within one core).
//
//   node --import tsx bench/controller-scale.ts [--sizes=50,200,1000] [--polls=5] [--warmup=20]
//        [--interval=30000] [--crashing=0.01] [--missing=0] [--quick]
// (`--missing=1`: no `_replicator` doc anywhere, a fleet the controller watches before its first apply)
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { emitFigures, fig } from './lib/emit.ts';
import { fdLimit, fdsNeeded } from './lib/fleet-sim.ts';
import { measurePoller, type PollerRun, type PollSample } from './lib/fleet-sim-poller.ts';
import { int, loadNote, median } from './lib/format.ts';
import { ROOT, spawnChild } from './lib/process.ts';

const SELF = fileURLToPath(import.meta.url);
const flag = (name: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1];
const num = (name: string, dflt: number) => Number(flag(name) ?? dflt);
const QUICK = process.argv.includes('--quick');

if (process.argv.includes('--poller')) {
  // child mode: measure, print the run as one JSON line
  const run = await measurePoller({
    simUrl: flag('sim') as string,
    simPid: Number(flag('sim-pid')),
    warmup: num('warmup', 20),
    polls: num('polls', 5),
    intervalMs: num('interval', 30_000),
  });
  process.stdout.write(`${JSON.stringify(run)}\n`);
  process.exit(0);
} else await bench();

async function bench() {
  const sizes = (flag('sizes') ?? (QUICK ? '20,50' : '50,200,1000')).split(',').map(Number);
  const polls = num('polls', QUICK ? 2 : 5);
  const warmup = num('warmup', QUICK ? 1 : 20);
  const interval = num('interval', 30_000);
  const crashing = num('crashing', 0.01);
  const missing = num('missing', 0);
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(
    `controller scale: the real Poller against a fleet simulator; ${warmup} warm-up + ${polls} measured polls per size, one every ${interval / 1000} s (simulated clock)`,
  );
  log(`${loadNote()}`);
  const limit = fdLimit();
  const most = Math.max(...sizes);
  if (limit !== null && limit < fdsNeeded(most))
    log(
      `warning: ulimit -n is ${limit}; ${most} nodes may need ${fdsNeeded(most)} file descriptors per process`,
    );

  const rows: Array<{ run: PollerRun; startMs: number }> = [];
  for (const n of sizes) {
    const t0 = performance.now();
    const sim = await spawnChild(
      [
        '--import',
        'tsx',
        'bench/fleet-sim.ts',
        `--nodes=${n}`,
        `--crashing=${crashing}`,
        `--missing=${missing}`,
      ],
      120_000,
    );
    const startMs = performance.now() - t0;
    try {
      const run = await runPoller([
        `--sim=${sim.url}`,
        `--sim-pid=${sim.pid}`,
        `--polls=${polls}`,
        `--warmup=${warmup}`,
        `--interval=${interval}`,
      ]);
      rows.push({ run, startMs });
      const m = summary(run.measured, run.nodes);
      log(
        `  ${int(n)} nodes: ${int(m.cpuMs)} ms CPU per poll, ${m.reqPerNode.toFixed(2)} requests per node, ${int(m.wallMs)} ms wall`,
      );
    } finally {
      await sim.close();
    }
  }
  print(rows, interval, log);
}

/** Medians of the measured polls (requests: the mean, slow reads come every 6th poll). */
function summary(xs: PollSample[], nodes: number) {
  const pick = (f: (s: PollSample) => number) => median(xs.map(f));
  return {
    cpuMs: pick((s) => s.cpuMs),
    healthMs: pick((s) => s.healthMs),
    gcMs: pick((s) => s.gcMs),
    wallMs: pick((s) => s.wallMs),
    simCpuMs: pick((s) => s.simCpuMs),
    reqPerNode: xs.reduce((a, s) => a + s.requests, 0) / Math.max(1, xs.length) / nodes,
    rssMiB: Math.max(...xs.map((s) => s.rssMiB)),
    heapMiB: Math.max(...xs.map((s) => s.heapMiB)),
    findings: xs.at(-1)?.findings ?? 0,
    unreachable: Math.max(...xs.map((s) => s.unreachable)),
  };
}

function print(rows: Array<{ run: PollerRun; startMs: number }>, interval: number, log: (s: string) => void) {
  const table = rows.map(({ run, startMs }) => {
    const m = summary(run.measured, run.nodes);
    return { run, m, startMs };
  });
  log('');
  const head = [
    'nodes',
    'directions',
    'CPU ms/poll',
    'health ms',
    'GC pause ms',
    'wall ms/poll',
    'req/node/poll',
    'RSS MiB (start)',
    'heap MiB (start)',
    'live KiB/node',
    'poller KiB/node',
    'sim CPU ms/poll',
    'findings',
    'unreachable',
    'setup CPU ms',
    'sim start ms',
  ];
  const cells = table.map(({ run, m, startMs }) => [
    int(run.nodes),
    int(run.directions),
    int(m.cpuMs),
    int(m.healthMs),
    int(m.gcMs),
    int(m.wallMs),
    m.reqPerNode.toFixed(2),
    `${m.rssMiB.toFixed(0)} (${run.rssStartMiB.toFixed(0)})`,
    `${m.heapMiB.toFixed(0)} (${run.heapStartMiB.toFixed(0)})`,
    int(liveKiB(run)),
    int((run.pollerMiB * 1024) / run.nodes),
    int(m.simCpuMs),
    int(m.findings),
    int(m.unreachable),
    int(run.setupCpuMs),
    int(startMs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(widths[i] as number)).join(' | ')} |`;
  log(line(head));
  log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) log(line(c));
  log(
    '(CPU, health, GC, wall, sim CPU: medians of the measured polls; requests: their mean; RSS/heap: their max;\n live: the heap after a full GC at the end, above the start, per node (poller, clients, mesh); poller: the part that goes with the Poller)',
  );

  log('');
  log('growth (CPU per poll per node; 1.00x between sizes = linear):');
  for (const { run, m } of table)
    log(
      `  ${int(run.nodes)} nodes: ${(m.cpuMs / run.nodes).toFixed(3)} ms CPU per node per poll, ${(m.healthMs / run.directions).toFixed(4)} ms health per direction, ${int(liveKiB(run))} KiB live heap per node (${int((run.pollerMiB * 1024) / run.nodes)} KiB of it the poller's)`,
    );
  for (let i = 1; i < table.length; i++) {
    const a = table[i - 1] as (typeof table)[number];
    const b = table[i] as (typeof table)[number];
    const r = b.m.cpuMs / b.run.nodes / (a.m.cpuMs / a.run.nodes);
    const mem = liveKiB(b.run) / liveKiB(a.run);
    log(
      `  ${int(a.run.nodes)} -> ${int(b.run.nodes)} nodes (x${(b.run.nodes / a.run.nodes).toFixed(1)}): CPU per node ${r.toFixed(2)}x, live heap per node ${mem.toFixed(2)}x`,
    );
  }
  const big = table.find((t) => t.run.nodes === 1000) ?? table.at(-1);
  if (!big) return;
  const share = (big.m.cpuMs / interval) * 100;
  log('');
  log(
    `(a poll of ${int(big.run.nodes)} nodes takes ${(big.m.wallMs / 1000).toFixed(1)} s of wall time here, of the ${interval / 1000} s interval)`,
  );
  log(
    `${int(big.run.nodes)} nodes polled every ${interval / 1000} s uses ${share.toFixed(1)}% of one core (goal: within one core)${share <= 100 ? '' : ' — OVER'}`,
  );
  const small = table[0] as (typeof table)[number];
  const perNode = (t: typeof small) => t.m.cpuMs / t.run.nodes;
  emitFigures({
    bench: 'controller-scale',
    load: loadavg(),
    figures: [
      fig({
        figure: `poller at ${int(big.run.nodes)} nodes every ${interval / 1000} s: share of one core`,
        ours: share,
        unit: '%',
        goal: '<= 100% (one core)',
        met: share <= 100,
      }),
      fig({
        figure: `CPU per node per poll, ${int(big.run.nodes)} vs ${int(small.run.nodes)} nodes`,
        ours: perNode(big),
        unit: 'ms',
        baseline: perNode(small),
        baselineLabel: `${int(small.run.nodes)} nodes`,
        goal: '~1x (linear)',
      }),
      fig({
        figure: `live heap per node at ${int(big.run.nodes)} nodes`,
        ours: liveKiB(big.run),
        unit: 'KiB',
      }),
    ],
  });
}

/** What the poller keeps, per node: the live heap at the end above the one at the start, KiB. */
function liveKiB(run: PollerRun): number {
  return ((run.liveHeapMiB - run.liveStartMiB) * 1024) / run.nodes;
}

/** Runs the poller child and returns its JSON result (its last stdout line). */
function runPoller(args: string[]): Promise<PollerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--poller', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      out += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as PollerRun);
      else reject(new Error(`poller child exited with code ${code}: ${out.slice(-500)}`));
    });
  });
}

// Controller run benchmark (a program, not a test): `npm run bench:controller-run -- --minutes=10`.
//
// The real controller (src/controller `startController`, what `couchmesh run` starts) keeps a
// 20-node mesh of embedded nodes as declared while steady, bounded writes go to the nodes (loopback
// only). Three processes, so each figure is one process's own: the nodes (all in one child,
// bench/lib/nodes-child.ts), the controller (bench/lib/controller-child.ts: its CPU time and RSS read
// from /proc by this process, its heap and counters asked for over stdin), and this one (the writer).
// The controller creates the replications itself (its drift loop applies mesh.yaml), then every
// minute a row: CPU % of one core, RSS, live heap (after a GC), polls, actions, requests per node per poll. The
// headline is printed last. (The cost curve at 50…1,000 nodes is bench/controller-scale.ts, the
// poller against the fleet simulator.)
//
//   node --import tsx bench/controller-run.ts [--minutes=10] [--nodes=20] [--fanout=2]
//        [--writes=20 (docs/s over all nodes)] [--interval=5000 (poll ms)]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControllerChild, untilAllRunning } from './lib/controller-start.ts';
import { loadNote, mib } from './lib/format.ts';
import { type Child, processCpuUs, rssKiB, sleep, spawnChild, tempFolder } from './lib/process.ts';
import { startRateWriter } from './lib/rate-writer.ts';

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const MINUTES = arg('minutes', 10);
const NODES = arg('nodes', 20);
const FANOUT = arg('fanout', 2);
const WRITES = arg('writes', 20);
const INTERVAL = arg('interval', 5000);
const MINUTE_MS = arg('minute-ms', 60_000);
/** minutes of snapshots the poller keeps (src/watch/poller.ts retainMs default, at MINUTE_MS = 60 s) */
const RING_MIN = arg('ring-minutes', 10); // a shorter "minute" for trying the program out
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Stats {
  heapUsed: number;
  polls: number;
  actions: number;
  requests: number;
  requestsTotal: number;
  maxNodeRequests: number;
  running: number;
  directions: number;
  findings: number;
  rules: Record<string, number>;
}

async function main() {
  const dir = tempFolder('couchmesh-bench-ctl-run-');
  log(
    `controller run: ${NODES} embedded nodes, fanout ${FANOUT}, ${WRITES} docs/s, poll every ${INTERVAL} ms, ${MINUTES} min`,
  );
  log(loadNote());
  const nodes = await spawnChild(['--import', 'tsx', 'bench/lib/nodes-child.ts', String(NODES)], 120_000);
  let ctl: Child | undefined;
  try {
    const urls = (nodes as unknown as { urls?: string[] }).urls ?? [];
    log(`nodes: ${urls.length} in one child process (pid ${nodes.pid})`);
    for (const u of urls)
      await fetch(`${u}/_node/_local/_config/replicator/startup_jitter`, { method: 'PUT', body: '"0"' });
    const names = urls.map((_, i) => `n${i + 1}`);
    const links: string[] = [];
    for (let i = 0; i < NODES; i++)
      for (let k = 1; k <= FANOUT; k++) links.push(`  - [${names[i]}, ${names[(i + k) % NODES]}]`);
    const file = join(dir, 'mesh.yaml');
    writeFileSync(
      file,
      [
        'mesh: bench',
        'nodes:',
        ...names.map((n, i) => `  ${n}: { url: "${urls[i]}" }`),
        'databases: [sensors]',
        'defaults: { class: lan }',
        `controller: { poll_interval_ms: ${INTERVAL} }`,
        'links:',
        ...links,
        '',
      ].join('\n'),
    );
    const started = await startControllerChild<Stats>(file, dir);
    ctl = started.child;
    const stats = started.stats;
    log(`controller: pid ${ctl.pid}, ${links.length} links (${links.length * 2} directions)`);
    const { last: s, ms: waited } = await untilAllRunning(stats);
    log(
      `all ${s.running}/${s.directions} directions running after ${waited} ms (the controller applied them)`,
    );

    const writer = startRateWriter(urls, WRITES);
    const rows: Row[] = [];
    log('');
    log(
      'minute  CPU %  RSS MiB  RSS peak  live heap  polls  actions  req/node/poll  max req/node  findings  written',
    );
    let cpu0 = processCpuUs(ctl.pid);
    let w0 = performance.now();
    let last = await stats();
    for (let minute = 1; minute <= MINUTES; minute++) {
      let peak = 0;
      const end = w0 + MINUTE_MS;
      while (performance.now() < end) {
        peak = Math.max(peak, rssKiB(ctl.pid));
        await sleep(Math.min(5000, Math.max(0, end - performance.now())));
      }
      const cpu1 = processCpuUs(ctl.pid);
      const w1 = performance.now();
      const now = await stats();
      const rss = rssKiB(ctl.pid);
      const polls = now.polls - last.polls;
      const row = {
        cpu: ((cpu1 - cpu0) / 1000 / (w1 - w0)) * 100,
        rss,
        rssPeak: Math.max(peak, rss),
        heap: now.heapUsed / 1024,
        polls,
        actions: now.actions - last.actions,
        perNode: polls ? (now.requestsTotal - last.requestsTotal) / polls / NODES : 0,
        maxNode: now.maxNodeRequests,
      };
      rows.push(row);
      const w = writer.counts();
      log(
        `${String(minute).padStart(6)}  ${row.cpu.toFixed(1).padStart(5)}  ${mib(row.rss).padStart(7)}  ${mib(row.rssPeak).padStart(8)}  ${mib(row.heap).padStart(9)}  ${String(polls).padStart(5)}  ${String(row.actions).padStart(7)}  ${row.perNode.toFixed(2).padStart(13)}  ${String(row.maxNode).padStart(12)}  ${String(now.findings).padStart(8)}  ${w.written}${w.failed ? ` (${w.failed} failed)` : ''}`,
      );
      cpu0 = cpu1;
      w0 = w1;
      last = now;
    }
    await writer.stop();
    summarize(rows, last);
  } finally {
    await ctl?.close();
    await nodes.close();
  }
}

/** One minute of the run, as the table prints it. */
interface Row {
  cpu: number;
  rss: number;
  rssPeak: number;
  heap: number;
  polls: number;
  actions: number;
  perNode: number;
  maxNode: number;
}

function summarize(rows: Row[], last: Stats) {
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
  const cpu = mean(rows.map((r) => r.cpu));
  const peak = Math.max(...rows.map((r) => r.rssPeak));
  // Growth is judged on the live heap (after a GC; RSS moves by tens of MiB with the allocator).
  // The poller keeps RING_MIN minutes of snapshots (src/watch/poller.ts `retainMs`, default
  // max(10 min, thresholds.windowMs)), so the heap grows by design until that ring is full.
  const heapAt = (minute: number) =>
    (rows[Math.min(minute, rows.length) - 1] as { heap: number }).heap / 1024;
  const fillEnd = Math.min(RING_MIN, rows.length);
  const fillSlope = fillEnd > 2 ? (heapAt(fillEnd) - heapAt(2)) / (fillEnd - 2) : 0;
  const full = rows.length > RING_MIN + 1;
  const steady = full ? heapAt(rows.length) - heapAt(RING_MIN + 1) : null;
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  log('');
  log(
    `summary: ${rows.length} minutes, ${last.directions} directions, ${last.polls} polls in all, ${last.actions} actions`,
  );
  log(
    `  CPU mean ${cpu.toFixed(1)}% of one core (max minute ${Math.max(...rows.map((r) => r.cpu)).toFixed(1)}%)`,
  );
  log(`  RSS peak ${mib(peak)} MiB (RSS at the end ${mib(rows[rows.length - 1]?.rss ?? 0)} MiB)`);
  log(
    `  live heap ${heapAt(1).toFixed(1)} MiB at minute 1, ${sign(fillSlope)} MiB/min from minute 2 to ${fillEnd} while the poller's ${RING_MIN}-minute snapshot ring fills` +
      (steady === null ? '' : `, then ${sign(steady)} MiB from minute ${RING_MIN + 1} to ${rows.length}`),
  );
  const rules = Object.entries(last.rules).map(([r, n]) => `${r} ${n}`);
  log(`  findings at the end: ${rules.length ? rules.join(', ') : 'none'}`);
  log(`  requests per node per poll ${mean(rows.map((r) => r.perNode)).toFixed(2)}`);
  log(loadNote());
  log('');
  const memory =
    steady === null
      ? `live heap ${sign(fillSlope)} MiB/min while the ${RING_MIN}-min snapshot ring fills (--minutes=${RING_MIN + 4} shows it level)`
      : `live heap ${sign(steady)} MiB after the ${RING_MIN}-min snapshot ring filled (minute ${RING_MIN + 1} to ${rows.length})`;
  log(
    `${NODES}-node mesh, ${rows.length} min: controller at ${cpu.toFixed(1)}% of one core, RSS peak ${mib(peak)} MiB, ${memory}`,
  );
}

await main();
process.exit(0);

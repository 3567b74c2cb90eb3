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
import { createInterface } from 'node:readline';
import { loadNote, mib } from './lib/format.ts';
import { type Child, processCpuUs, rssKiB, sleep, spawnChild, tempFolder } from './lib/process.ts';

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

/** Asks the controller child for its counters (one `stats` line in, one JSON line out). */
function statsOf(child: Child): () => Promise<Stats> {
  const waiting: Array<(s: Stats) => void> = [];
  createInterface({ input: child.proc.stdout! }).on('line', (l) => {
    if (!l.startsWith('{"stats"')) return;
    waiting.shift()?.(JSON.parse(l) as Stats);
  });
  return () =>
    new Promise<Stats>((resolve) => {
      waiting.push(resolve);
      child.proc.stdin!.write('stats\n');
    });
}

/** WRITES docs a second spread over the nodes; a second's batch is skipped while the last is in flight. */
function startWriter(urls: string[]) {
  let seq = 0;
  let busy = false;
  let written = 0;
  let failed = 0;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const byNode = new Map<string, Array<{ _id: string; v: number; at: number }>>();
    for (let i = 0; i < WRITES; i++, seq++) {
      const url = urls[seq % urls.length] as string;
      const docs = byNode.get(url) ?? [];
      docs.push({ _id: `w${seq}`, v: seq, at: Date.now() });
      byNode.set(url, docs);
    }
    void Promise.all(
      [...byNode].map(async ([url, docs]) => {
        try {
          const r = await fetch(`${url}/sensors/_bulk_docs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ docs }),
          });
          await r.arrayBuffer();
          if (r.ok) written += docs.length;
          else failed += docs.length;
        } catch {
          failed += docs.length;
        }
      }),
    ).finally(() => {
      busy = false;
    });
  }, 1000);
  return {
    stop: () => clearInterval(timer),
    counts: () => ({ written, failed }),
  };
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
    ctl = await spawnChild([
      '--expose-gc',
      '--import',
      'tsx',
      'bench/lib/controller-child.ts',
      file,
      join(dir, 'state'),
      join(dir, 'controller.log'),
    ]);
    const stats = statsOf(ctl);
    log(`controller: pid ${ctl.pid}, ${links.length} links (${links.length * 2} directions)`);
    const t0 = Date.now();
    let s = await stats();
    while (!(s.directions > 0 && s.running === s.directions) && Date.now() - t0 < 180_000) {
      await sleep(1000);
      s = await stats();
    }
    log(
      `all ${s.running}/${s.directions} directions running after ${Date.now() - t0} ms (the controller applied them)`,
    );

    const writer = startWriter(urls);
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
    writer.stop();
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

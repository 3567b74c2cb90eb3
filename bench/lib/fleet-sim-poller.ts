// The measured side of bench/controller-scale.ts, run in its own process so its CPU and memory are
// the controller's own: the real Poller (watch/poller.ts: observe + health + finding diff) over a
// fleet simulator's mesh, on a ManualClock moved one interval per poll (the simulator is told the
// same time), so the slow reads (`_scheduler/jobs`, `_stats`: every 6 polls), the snapshot ring
// (10 min) and the health windows behave as on a 30 s cadence without waiting 30 s.
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import { ManualClock } from '../../src/core/clock.ts';
import { healthThresholdsFromSpec } from '../../src/health/types.ts';
import { TELEMETRY_CLIENT } from '../../src/ops/mesh.ts';
import { clientsFor } from '../../src/plan/observe.ts';
import { Poller, pollTargets } from '../../src/watch/poller.ts';
import { fleetMesh } from './fleet-sim-mesh.ts';
import { processCpuUs } from './process.ts';

export interface PollSample {
  /** CPU of this process during `pollOnce` (user + system), ms */
  cpuMs: number;
  /** CPU of one more health evaluation over the same ring, ms (the rules' share of the poll) */
  healthMs: number;
  /** garbage-collector pauses during the poll (PerformanceObserver 'gc' entries), ms */
  gcMs: number;
  wallMs: number;
  requests: number;
  /** CPU of the simulator process during the poll, ms (NaN when its pid is unknown) */
  simCpuMs: number;
  findings: number;
  unreachable: number;
  rssMiB: number;
  heapMiB: number;
}

export interface PollerRun {
  nodes: number;
  directions: number;
  /** validating the generated mesh.yaml + building clients and the Poller, ms of CPU */
  setupCpuMs: number;
  /** RSS before the mesh was read (the process with its modules loaded), MiB */
  rssStartMiB: number;
  heapStartMiB: number;
  /** live heap after a full GC at the end (the child runs with --expose-gc; NaN without), and at the start */
  liveHeapMiB: number;
  liveStartMiB: number;
  /** of the live heap at the end, what goes with the Poller (its series, last poll, views, per-node reads; not the clients) */
  pollerMiB: number;
  warmup: PollSample[];
  measured: PollSample[];
}

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const MiB = 1024 * 1024;

/** heapUsed after a full GC (MiB), NaN when `gc` is not exposed. */
function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Number.NaN;
  gc();
  return process.memoryUsage().heapUsed / MiB;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  // one retry: a kept-alive connection closed by the other side just before reuse
  const r = await fetch(url, init).catch(() => fetch(url, init));
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${r.status}`);
  return (await r.json()) as T;
}

/** Polls the simulator at `simUrl` `warmup + polls` times, one `intervalMs` apart on a ManualClock. */
export async function measurePoller(o: {
  simUrl: string;
  simPid?: number;
  warmup: number;
  polls: number;
  intervalMs: number;
}): Promise<PollerRun> {
  const text = await (await fetch(`${o.simUrl}/_sim/mesh.yaml`)).text();
  const { now } = await json<{ now: number }>(`${o.simUrl}/_sim`);
  const rssStartMiB = process.memoryUsage().rss / MiB;
  const heapStartMiB = process.memoryUsage().heapUsed / MiB;
  const liveStartMiB = liveHeap();
  const c0 = process.cpuUsage();
  const { spec, links } = fleetMesh(text);
  const clients = clientsFor(spec, () => undefined, TELEMETRY_CLIENT);
  const clock = new ManualClock(now);
  const thresholds = healthThresholdsFromSpec(spec.thresholds, { pollIntervalMs: o.intervalMs });
  let poller: Poller | undefined = new Poller({
    targets: pollTargets(links, clients),
    links,
    thresholds,
    clock,
  });
  const setupCpuMs = cpuMs(process.cpuUsage(c0));
  const samples: PollSample[] = [];
  let gcTotal = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcTotal += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  try {
    for (let i = 0; i < o.warmup + o.polls; i++) {
      await clock.advance(o.intervalMs);
      await json(`${o.simUrl}/_sim/clock`, { method: 'PUT', body: JSON.stringify({ now: clock.now() }) });
      const sim0 = processCpuUs(o.simPid);
      await tick();
      const gc0 = gcTotal;
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      const r = await (poller as Poller).pollOnce();
      const wallMs = performance.now() - w0;
      const cpu = cpuMs(process.cpuUsage(cpu0));
      await tick(); // gc entries are delivered on the event loop
      const gcMs = gcTotal - gc0;
      const simCpuMs = (processCpuUs(o.simPid) - sim0) / 1000;
      const e0 = process.cpuUsage();
      (poller as Poller).evaluate();
      const healthMs = cpuMs(process.cpuUsage(e0));
      const mem = process.memoryUsage();
      samples.push({
        cpuMs: cpu,
        healthMs,
        gcMs,
        wallMs,
        requests: r.requests.total,
        simCpuMs,
        findings: r.findings.length,
        unreachable: r.snapshots.filter((s) => !s.reachable).length,
        rssMiB: mem.rss / MiB,
        heapMiB: mem.heapUsed / MiB,
      });
    }
  } finally {
    gc.disconnect();
  }
  // what the poller keeps between polls (its window of series, the last views): measured while it is alive
  const liveHeapMiB = liveHeap();
  poller = undefined;
  const pollerMiB = liveHeapMiB - liveHeap();
  await Promise.allSettled([...clients.values()].map((c) => c.close()));
  return {
    nodes: spec.nodes.length,
    directions: links.length * 2,
    setupCpuMs,
    rssStartMiB,
    heapStartMiB,
    liveHeapMiB,
    liveStartMiB,
    pollerMiB,
    warmup: samples.slice(0, o.warmup),
    measured: samples.slice(o.warmup),
  };
}

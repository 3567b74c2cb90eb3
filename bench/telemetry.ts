// Telemetry benchmark (a program, not a test): `node --import tsx bench/telemetry.ts`.
//
// A real mesh, no recordings: 50 embedded couchmesh nodes (in memory, all in ONE child process, so the
// poller's process measures only itself) with 500 links over `sensors` (node i linked to i+1 … i+10,
// `lan` class) = 1000 continuous replication jobs, created with `couchmesh apply`'s library functions.
// Then, in this process:
//   1. requests and CPU per poll of the poller (src/watch/poller.ts) over the 50 nodes, once the
//      snapshot ring holds FILL polls (what the health rules walk every poll), plus the share of the
//      health evaluation alone;
//   2. time from inducing a stall to its `stalled` finding: one direction's source is reached through
//      a TCP proxy that is then frozen (requests hang: the job stays `running` and makes no progress)
//      while the source keeps getting writes; counted in polls (goal: within 2 polls) and ms, for
//      TRIALS stalls induced at different points of the poll cycle.
// The headline is printed last.
//
//   node --import tsx bench/telemetry.ts [--nodes=50] [--fanout=10] [--interval=2000]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { applyPlan } from '../src/apply/apply.ts';
import type { CouchClient } from '../src/couch/client.ts';
import { openMesh } from '../src/ops/mesh.ts';
import { newPoller } from '../src/ops/poll.ts';
import { desiredState } from '../src/plan/desired.ts';
import { observeMesh } from '../src/plan/observe.ts';
import { makePlan } from '../src/plan/plan.ts';
import type { Poller, PollResult } from '../src/watch/poller.ts';
import { emitFigures, fig } from './lib/emit.ts';

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};

// ------------------------------------------------------------------------------------------------
// child mode: N embedded nodes in one process

if (process.argv.includes('--serve')) {
  const { startNode } = await import('../src/node/index.ts');
  const n = arg('nodes', 50);
  const nodes: Array<Awaited<ReturnType<typeof startNode>>> = [];
  for (let i = 0; i < n; i++) nodes.push(await startNode({ port: 0, inMemory: true }));
  process.stdout.write(`${JSON.stringify({ urls: nodes.map((x) => x.url), pid: process.pid })}\n`);
  const stop = async () => {
    await Promise.allSettled(nodes.map((x) => x.close()));
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
} else await bench();

// ------------------------------------------------------------------------------------------------

async function bench() {
  const NODES = arg('nodes', 50);
  const FANOUT = arg('fanout', 10);
  const INTERVAL = arg('interval', 2000);
  const FILL = arg('fill', 30);
  const MEASURE = arg('measure', 10);
  const TRIALS = arg('trials', 3);
  const DOCS_PER_NODE = 4;
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-bench-telemetry-'));
  const t0 = Date.now();
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', `--nodes=${NODES}`],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const proxies: Proxy[] = [];
  try {
    const { urls } = JSON.parse(await firstLine(child)) as { urls: string[] };
    log(
      `started ${urls.length} embedded nodes in one child process (pid ${child.pid}) in ${Date.now() - t0} ms`,
    );
    const names = urls.map((_, i) => `n${i + 1}`);
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < NODES; i++)
      for (let k = 1; k <= FANOUT; k++) pairs.push([names[i] as string, names[(i + k) % NODES] as string]);
    const text = [
      'mesh: bench',
      'nodes:',
      ...names.map((n, i) => `  ${n}: { url: "${urls[i]}" }`),
      'databases: [sensors]',
      'defaults: { class: lan }',
      `thresholds: { observe_interval_ms: ${INTERVAL}, stall_after_ms: 300000 }`,
      'links:',
      ...pairs.map(([a, b]) => `  - [${a}, ${b}]`),
      '',
    ].join('\n');
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, text);
    const opened = openMesh({ file }, { env: {}, client: { retries: 1, timeoutMs: 10_000 } });
    if (!opened.ok) throw new Error(JSON.stringify(opened.validation.diagnostics.slice(0, 3)));
    const m = opened.mesh;
    log(`mesh: ${m.spec.nodes.length} nodes, ${m.spec.links.length} links, ${m.links.length * 2} directions`);
    for (const c of m.clients.values()) await c.put('/_node/_local/_config/replicator/startup_jitter', '"0"');

    const t1 = Date.now();
    const desired = desiredState(m.spec, m.passwordOf);
    const plan = makePlan(desired, await observeMesh(m.spec, m.clients, 16));
    const applied = await applyPlan(plan, m.clients, 16);
    if (!applied.ok) throw new Error(`apply failed: ${JSON.stringify(applied.nodes.filter((n) => !n.ok))}`);
    log(
      `applied ${applied.applied} changes (${desired.docs.length} _replicator docs) in ${Date.now() - t1} ms`,
    );
    for (const [i, c] of [...m.clients.values()].entries())
      await c.post('/sensors/_bulk_docs', {
        docs: Array.from({ length: DOCS_PER_NODE }, (_, j) => ({ _id: `n${i + 1}-${j}`, t: 20 + j })),
      });

    const poller = newPoller(m, { env: {} }, { intervalMs: INTERVAL });
    const t2 = Date.now();
    const settled = await pollUntil(
      poller,
      (r) =>
        r.views.every((v) => v.directions.every((d) => d.state === 'running' && d.lagEstimate === 0)) &&
        r.snapshots.every((s) => s.reachable),
      300,
      250,
    );
    log(
      `all ${settled.views.length * 2} directions running and caught up after ${Date.now() - t2} ms (${DOCS_PER_NODE * NODES} docs on every node)`,
    );

    // ---- 1. requests and CPU per poll, with FILL polls in the ring
    for (let i = 0; i < FILL; i++) await poller.pollOnce();
    const rows: Array<{
      wallMs: number;
      cpuMs: number;
      requests: number;
      maxNode: number;
      evalCpuMs: number;
    }> = [];
    for (let i = 0; i < MEASURE; i++) {
      await new Promise((r) => setTimeout(r, INTERVAL)); // the poll cadence (not measured)
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      const r = await poller.pollOnce();
      const wallMs = performance.now() - w0;
      const cpu = process.cpuUsage(cpu0);
      const e0 = process.cpuUsage();
      poller.evaluate();
      const ev = process.cpuUsage(e0);
      rows.push({
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        requests: r.requests.total,
        maxNode: Math.max(...Object.values(r.requests.byNode)),
        evalCpuMs: (ev.user + ev.system) / 1000,
      });
    }
    const ringPolls = Math.round(poller.snapshots.length / NODES);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    const steady = rows.filter((r) => r.maxNode <= 3);
    const perPoll = {
      requests: med(rows.map((r) => r.requests)),
      requestsMean: rows.reduce((a, r) => a + r.requests, 0) / rows.length,
      requestsMin: Math.min(...rows.map((r) => r.requests)),
      requestsMax: Math.max(...rows.map((r) => r.requests)),
      maxPerNode: Math.max(...steady.map((r) => r.maxNode)),
      cpuMs: med(rows.map((r) => r.cpuMs)),
      wallMs: med(rows.map((r) => r.wallMs)),
      evalCpuMs: med(rows.map((r) => r.evalCpuMs)),
    };
    log('');
    log(
      `1. poll cost — ${NODES} nodes, ${m.links.length} links (${m.links.length * 2} directions), ring of ${ringPolls} polls (${poller.snapshots.length} snapshots), ${MEASURE} polls ${INTERVAL} ms apart (medians):`,
    );
    log(
      `   requests per poll        median ${perPoll.requests}, mean ${perPoll.requestsMean.toFixed(1)} (min ${perPoll.requestsMin}, max ${perPoll.requestsMax}: _scheduler/jobs + _stats once per 6 intervals per node)`,
    );
    log(`   requests per node (steady) ≤ ${perPoll.maxPerNode}  (_scheduler/docs, _active_tasks, db info)`);
    log(
      `   CPU per poll (this process) ${perPoll.cpuMs.toFixed(1)} ms, of which the health rules ${perPoll.evalCpuMs.toFixed(1)} ms`,
    );
    log(`   wall time per poll       ${perPoll.wallMs.toFixed(0)} ms (concurrency 8)`);

    // ---- 2. stall -> finding
    log('');
    log(
      `2. stall -> finding: poll interval ${INTERVAL} ms; a direction's source behind a TCP proxy that freezes`,
    );
    const trials: Array<{ phase: number; polls: number; ms: number; severity: string; kind: string }> = [];
    for (let t = 0; t < TRIALS; t++) {
      const [from, to] = pairs[(t * 7) % pairs.length] as [string, string];
      const ref = m.links
        .find((l) => l.link === [from, to].sort().join('--'))
        ?.directions.find((d) => d.from === from) as {
        docId: string;
        docNode: string;
      };
      const srcUrl = urls[names.indexOf(from)] as string;
      const proxy = await startProxy(Number(new URL(srcUrl).port));
      proxies.push(proxy);
      const direction = `${from}->${to}`;
      const dirOf = (r: PollResult) =>
        r.views.flatMap((v) => v.directions).find((d) => d.direction === direction && d.db === 'sensors');
      const oldRepId = dirOf(await poller.pollOnce())?.repId;
      const docClient = m.clients.get(ref.docNode) as CouchClient;
      const doc = await docClient.get<Record<string, unknown> & { source: { url: string }; _rev: string }>(
        `/_replicator/${encodeURIComponent(ref.docId)}`,
      );
      // the same replication, with its source reached through the proxy (a new job: new checkpoints)
      await docClient.put(`/_replicator/${encodeURIComponent(ref.docId)}`, {
        ...doc,
        source: { ...doc.source, url: `http://127.0.0.1:${proxy.port}/sensors` },
        connection_timeout: 120_000,
      });
      await pollUntil(
        poller,
        (r) => {
          const d = dirOf(r);
          return d?.state === 'running' && d.lagEstimate === 0 && d.repId !== null && d.repId !== oldRepId;
        },
        200,
        100,
      );
      const source = m.clients.get(from) as CouchClient;
      let writing = true;
      let n = 0;
      const writer = (async () => {
        while (writing) {
          await source.put(`/sensors/stall-${t}-${n++}`, { t: n });
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      // a few healthy polls at the bench interval, then freeze at a given point of the cycle
      for (let i = 0; i < 3; i++) {
        const r = await poller.pollOnce();
        if (r.findings.some((f) => f.rule === 'stalled' && f.direction === direction))
          throw new Error('stalled before the stall');
        await new Promise((res) => setTimeout(res, INTERVAL));
      }
      const phase = (t + 0.5) / TRIALS;
      await new Promise((res) => setTimeout(res, Math.max(0, phase * INTERVAL - 50)));
      proxy.freeze();
      const frozenAt = Date.now();
      let polls = 0;
      let found: PollResult['findings'][number] | undefined;
      const startGap = Math.max(0, INTERVAL - phase * INTERVAL);
      await new Promise((res) => setTimeout(res, startGap));
      while (!found && polls < 20) {
        const r = await poller.pollOnce();
        polls++;
        found = r.diff.raised.find((f) => f.rule === 'stalled' && f.direction === direction);
        if (!found) await new Promise((res) => setTimeout(res, INTERVAL));
      }
      const ms = Date.now() - frozenAt;
      writing = false;
      await writer;
      trials.push({
        phase,
        polls,
        ms,
        severity: found?.severity ?? 'none',
        kind: String(found?.evidence.kind ?? 'not found'),
      });
      log(
        `   trial ${t + 1}: ${direction} frozen ${(phase * INTERVAL).toFixed(0)} ms after a poll -> ${found ? `stalled (${found.severity}, ${found.evidence.kind})` : 'NOT found'} at poll ${polls} after the freeze, ${ms} ms`,
      );
      proxy.close();
      // put the direction back as planned (no proxy)
      const cur = await docClient.get<{ _rev: string }>(`/_replicator/${encodeURIComponent(ref.docId)}`);
      await docClient.put(`/_replicator/${encodeURIComponent(ref.docId)}`, { ...doc, _rev: cur._rev });
    }
    await m.close();
    const worst = Math.max(...trials.map((t) => t.polls));
    log('');
    log(
      `headline: ${NODES} nodes / ${m.links.length} links: ${perPoll.requests} requests per poll (≤ ${perPoll.maxPerNode} per node in steady state), ${perPoll.cpuMs.toFixed(1)} ms CPU per poll; stall -> finding in ${trials.map((t) => t.polls).join(', ')} polls (goal ≤ 2: ${worst <= 2 ? 'met' : 'NOT met'}), real embedded nodes`,
    );
    emitFigures({
      bench: 'telemetry',
      load: loadavg(),
      figures: [
        fig({
          figure: `poll of ${NODES} nodes / ${m.links.length} links: requests per node (steady)`,
          ours: perPoll.maxPerNode,
          unit: 'requests',
          goal: '<= 3',
          met: perPoll.maxPerNode <= 3,
        }),
        fig({ figure: `poll of ${NODES} nodes: CPU per poll`, ours: perPoll.cpuMs, unit: 'ms' }),
        fig({
          figure: 'stall -> finding (worst trial)',
          ours: worst,
          unit: 'polls',
          goal: '<= 2 polls',
          met: worst <= 2,
        }),
      ],
    });
  } finally {
    for (const p of proxies) p.close();
    child.stdin?.end();
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pollUntil(poller: Poller, pred: (r: PollResult) => boolean, max: number, every: number) {
  let last: PollResult | undefined;
  for (let i = 0; i < max; i++) {
    last = await poller.pollOnce();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, every));
  }
  const bad = last?.views
    .flatMap((v) => v.directions)
    .filter((d) => d.state !== 'running' || d.lagEstimate !== 0)
    .slice(0, 5)
    .map((d) => `${d.direction}:${d.state}:lag ${d.lagEstimate}`);
  throw new Error(`condition not reached after ${max} polls: ${bad?.join(' ')}`);
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', (l) => resolve(l));
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

interface Proxy {
  port: number;
  freeze(): void;
  close(): void;
}

/** A TCP proxy to 127.0.0.1:`target`; `freeze()` stops forwarding both ways (requests hang). */
async function startProxy(target: number): Promise<Proxy> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(target, '127.0.0.1');
    sockets.add(upstream);
    client.on('data', (d) => {
      if (!frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!frozen) client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    freeze: () => {
      frozen = true;
    },
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

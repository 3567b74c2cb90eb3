// SECURITY benchmark (a program, not a test): `npm run bench:tls`. Everything runs in this process on
// 127.0.0.1, in-memory embedded nodes, the mesh CA and certificates made in a temp folder with src/security
// (what `couchmesh certs init/issue` does). Each figure is measured over mutual TLS (nodes started with
// `tls: { cert, key, ca, requireClientCert: true }`; their replicators present the node's certificate and
// verify peers against the CA, the default) and over plain http, side by side, rounds interleaved.
//
// (1) one-shot pull replication of --docs small sensor docs (POST /_replicate on the target, timed from the
//     request to its answer, verified by doc_count): docs/s, TLS vs plain (goal >= 70% of plain).
// (2) TLS connection reuse during (1): connections opened (= TLS handshakes; resumed ones counted apart) vs
//     HTTP requests, counted through undici's diagnostics channels (every client in the process publishes
//     them: the replicators', couchmesh's): "N handshakes for M requests".
// (3) write-to-visible latency on the seed mesh shape (examples/seed-mesh.yaml: N1<->N2, N2<->N3, N3<->N1,
//     N3<->N4, N4<->N2; one continuous pull `_replicator` doc per direction on its target): a PUT on N1 or N4
//     until a longpoll `_changes?filter=_doc_ids` waiter on every node has seen it; median and p95.
// (4) `couchmesh apply` (preparePlan + executePlan) of a --nodes full mesh (replicator max_jobs=0), over mTLS
//     (mesh.yaml `tls: { ca_file, cert_file, key_file }`) vs plain: requests per node must be equal.
// The headline is printed last.
//
//   npm run bench:tls                                   # defaults: --docs=10000 --writes=100 --nodes=100
//   npm run bench:tls -- --docs=2000 --writes=20 --nodes=10 --rounds=1   # a quick check
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { executePlan } from '../src/ops/apply.ts';
import { EXAMPLE_MESH } from '../src/ops/example-mesh.ts';
import { preparePlan } from '../src/ops/plan.ts';
import { makeDocs, toBatches } from './lib/docs.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { int, loadNote, median, pass, ratio } from './lib/format.ts';
import {
  BenchClient,
  type BenchNode,
  countWire,
  makePki,
  type Pem,
  percentile,
  startBenchNode,
  type Transport,
  type WireCount,
} from './lib/tls-world.ts';

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  const v = a ? Number(a.split('=')[1]) : dflt;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}= wants a positive whole number`);
  return v;
};
const N_DOCS = arg('docs', 10_000);
const ROUNDS = arg('rounds', 3);
const WRITES = arg('writes', 100);
const N_NODES = arg('nodes', 100);
const PASSWORD = 'bench-admin-password';
const GOAL_RATIO = 0.7;
const SEED_BATCH = 500;
// the seed mesh's links (N1<->N2, N2<->N3, N3<->N1, N3<->N4, N4<->N2), read from the example itself
const MESH_LINKS = (
  parse(readFileSync(EXAMPLE_MESH, 'utf8')) as { links: Array<[string, string]> }
).links.map((l) => l.map((n) => Number(n.slice(1))) as [number, number]);
const TRANSPORTS: Transport[] = ['plain', 'mtls'];

const tmp = mkdtempSync(join(tmpdir(), 'couchmesh-bench-tls-'));
const meshNames = Array.from({ length: Math.max(4, N_NODES) }, (_, i) => `n${i + 1}`);
const pki = await makePki(tmp, ['rep-a', 'rep-b', 'couchmesh', ...meshNames]);
const pem = (name: string, t: Transport): Pem | undefined => (t === 'mtls' ? pki.get(name) : undefined);
const clients = new Map<Transport, BenchClient>(
  TRANSPORTS.map((t) => [t, new BenchClient(PASSWORD, pem('couchmesh', t))]),
);
const client = (t: Transport) => clients.get(t) as BenchClient;
const basic = { basic: { username: 'admin', password: PASSWORD } };
const open: BenchNode[] = [];
async function start(name: string, t: Transport): Promise<BenchNode> {
  const n = await startBenchNode(PASSWORD, pem(name, t));
  open.push(n);
  return n;
}
async function closeAll(): Promise<void> {
  await Promise.allSettled(open.splice(0).map((n) => n.close()));
}

// ---------------------------------------------------------------------------------------------------------
// (1) + (2) one-shot replication

interface RepSample {
  rate: number;
  wire: WireCount;
}

let dbCounter = 0;
async function oneShot(t: Transport, a: BenchNode, b: BenchNode, n: number): Promise<RepSample> {
  const c = client(t);
  const k = ++dbCounter;
  await c.call(`${a.url}/src-${k}`, 'PUT');
  for (const batch of toBatches(makeDocs(n), SEED_BATCH))
    await c.call(`${a.url}/src-${k}/_bulk_docs`, 'POST', batch.body);
  await c.call(`${b.url}/tgt-${k}`, 'PUT');
  // only the replicator's traffic: to the source node (the target's own writes are local to the node)
  const wire = countWire((origin) => origin === a.url);
  const t0 = performance.now();
  await c.call(`${b.url}/_replicate`, 'POST', {
    source: { url: `${a.url}/src-${k}`, auth: basic },
    target: { url: `${b.url}/tgt-${k}`, auth: basic },
  });
  const ms = performance.now() - t0;
  wire.stop();
  const info = await c.call<{ doc_count: number }>(`${b.url}/tgt-${k}`);
  if (info.doc_count !== n) throw new Error(`${t}: target holds ${info.doc_count} docs, expected ${n}`);
  await c.call(`${a.url}/src-${k}`, 'DELETE');
  await c.call(`${b.url}/tgt-${k}`, 'DELETE');
  return { rate: (n / ms) * 1000, wire: wire.count };
}

async function replicationBench(): Promise<Map<Transport, RepSample[]>> {
  const pairs = new Map<Transport, [BenchNode, BenchNode]>();
  for (const t of TRANSPORTS) pairs.set(t, [await start('rep-a', t), await start('rep-b', t)]);
  const samples = new Map<Transport, RepSample[]>(TRANSPORTS.map((t) => [t, []]));
  for (let r = 0; r <= ROUNDS; r++)
    for (const t of TRANSPORTS) {
      const [a, b] = pairs.get(t) as [BenchNode, BenchNode];
      const s = await oneShot(t, a, b, N_DOCS);
      if (r > 0) samples.get(t)?.push(s); // round 0: warm-up (JIT, the lazy HTTP client), not reported
    }
  await closeAll();
  return samples;
}

// ---------------------------------------------------------------------------------------------------------
// (3) write-to-visible on the seed mesh shape

async function meshOf(t: Transport): Promise<BenchNode[]> {
  const nodes: BenchNode[] = [];
  for (const i of [1, 2, 3, 4]) nodes.push(await start(`n${i}`, t));
  const c = client(t);
  for (const n of nodes) await c.call(`${n.url}/sensors`, 'PUT');
  for (const [x, y] of MESH_LINKS)
    for (const [from, to] of [
      [x, y],
      [y, x],
    ] as Array<[number, number]>) {
      const src = nodes[from - 1] as BenchNode;
      const tgt = nodes[to - 1] as BenchNode;
      await c.call(`${tgt.url}/_replicator/n${from}-to-n${to}`, 'PUT', {
        source: { url: `${src.url}/sensors`, auth: basic },
        target: { url: `${tgt.url}/sensors`, auth: basic },
        continuous: true,
      });
    }
  return nodes;
}

async function writeToVisible(t: Transport, nodes: BenchNode[], id: string, on: BenchNode): Promise<number> {
  const c = client(t);
  const seqs = await Promise.all(nodes.map((n) => c.call<{ update_seq: string }>(`${n.url}/sensors`)));
  const ids = encodeURIComponent(JSON.stringify([id]));
  const t0 = performance.now();
  const seen = nodes.map(async (n, i) => {
    // a mesh whose replications fail (e.g. a TLS error in _scheduler/docs) must stop the bench, not hang it
    for (let tries = 0; tries < 3; tries++) {
      const since = encodeURIComponent(String(seqs[i]?.update_seq));
      const r = await c.call<{ results: unknown[] }>(
        `${n.url}/sensors/_changes?feed=longpoll&filter=_doc_ids&doc_ids=${ids}&since=${since}&timeout=10000`,
      );
      if (r.results.length) return;
    }
    throw new Error(`${t}: ${id} not visible on ${n.url} after 30 s`);
  });
  await c.call(`${on.url}/sensors/${id}`, 'PUT', { type: 'reading', station: 'mesh', temperature_c: 20 });
  await Promise.all(seen);
  return performance.now() - t0;
}

async function meshBench(): Promise<Map<Transport, number[]>> {
  const meshes = new Map<Transport, BenchNode[]>();
  for (const t of TRANSPORTS) meshes.set(t, await meshOf(t));
  const ms = new Map<Transport, number[]>(TRANSPORTS.map((t) => [t, []]));
  const warm = 5;
  for (let w = 0; w < WRITES + warm; w++)
    for (const t of TRANSPORTS) {
      const nodes = meshes.get(t) as BenchNode[];
      const x = await writeToVisible(t, nodes, `w-${w}`, nodes[w % 2 ? 3 : 0] as BenchNode);
      if (w >= warm) ms.get(t)?.push(x);
    }
  await closeAll();
  return ms;
}

// ---------------------------------------------------------------------------------------------------------
// (4) apply of an N-node full mesh

interface ApplyFigures {
  observeMax: number;
  applyMin: number;
  applyMax: number;
  rerunWrites: number;
  wire: WireCount;
}

function meshYaml(nodes: BenchNode[], t: Transport): string {
  // couchmesh's own client certificate, presented to every node (mutual TLS)
  const p = pki.get('couchmesh') as Pem;
  const tls =
    t === 'mtls'
      ? `, tls: { ca_file: "${p.caFile}", cert_file: "${p.certFile}", key_file: "${p.keyFile}" }`
      : '';
  const lines = nodes.map(
    (n, i) => `  n${i + 1}: { url: "${n.url}", auth: { username: admin, password_env: BENCH_PW }${tls} }`,
  );
  return `mesh: bench\nnodes:\n${lines.join('\n')}\ndatabases: [sensors]\nlinks:\n  - { generate: full-mesh, nodes: all, class: lan }\n`;
}

async function applyBench(t: Transport): Promise<ApplyFigures> {
  const nodes: BenchNode[] = [];
  for (let i = 0; i < N_NODES; i++) {
    const n = await start(`n${i + 1}`, t);
    n.state.configSections.replicator = { ...n.state.configSections.replicator, max_jobs: '0' };
    nodes.push(n);
  }
  const file = join(tmp, `mesh-${t}.yaml`);
  writeFileSync(file, meshYaml(nodes, t));
  const deps = { env: { BENCH_PW: PASSWORD }, client: { retries: 0, timeoutMs: 60_000 } };
  const wire = countWire();
  try {
    const run = await preparePlan({ file }, deps);
    if (!run.ok)
      throw new Error(`bench mesh invalid: ${JSON.stringify(run.validation.diagnostics.slice(0, 3))}`);
    const observeMax = Math.max(...[...run.observeRequests.values()].map((c) => c.reads + c.writes));
    const first = await executePlan(run, async () => true, {});
    await run.close();
    if (!first.ok) throw new Error(`${t}: apply failed on ${first.failed.slice(0, 5).join(', ')}`);
    const perNode = first.nodes.map((n) => n.requests.reads + n.requests.writes);
    const run2 = await preparePlan({ file }, deps);
    if (!run2.ok) throw new Error('bench mesh invalid');
    const second = await executePlan(run2, async () => true, {});
    await run2.close();
    return {
      observeMax,
      applyMin: Math.min(...perNode),
      applyMax: Math.max(...perNode),
      rerunWrites: second.nodes.reduce((s, n) => s + n.requests.writes, 0),
      wire: wire.count,
    };
  } finally {
    wire.stop();
    await closeAll();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The benchmark

const ms1 = (x: number) => `${x.toFixed(1)} ms`;
try {
  console.log(
    `couchmesh TLS benchmark — node ${process.version}, 127.0.0.1, in-memory nodes in this process`,
  );
  console.log(
    `  mutual TLS: ECDSA P-256 certificates from a mesh CA (src/security), client certificates required`,
  );
  console.log(`  ${loadNote()}`);

  const rep = await replicationBench();
  const rate = (t: Transport) => median((rep.get(t) ?? []).map((s) => s.rate));
  const repRatio = rate('mtls') / rate('plain');
  console.log('');
  console.log(
    `(1) one-shot pull replication of ${int(N_DOCS)} docs, median of ${ROUNDS} rounds (after 1 warm-up), interleaved`,
  );
  for (const t of TRANSPORTS) {
    const xs = (rep.get(t) ?? []).map((s) => s.rate);
    console.log(
      `  ${t.padEnd(6)} ${int(rate(t)).padStart(8)} docs/s   [${int(Math.min(...xs))} .. ${int(Math.max(...xs))}]`,
    );
  }
  console.log(
    `  mTLS / plain = ${ratio(rate('mtls'), rate('plain'))}   goal >= ${GOAL_RATIO}: ${pass(repRatio >= GOAL_RATIO)}`,
  );

  const wireT = (rep.get('mtls') ?? []).map((s) => s.wire);
  const hs = Math.max(...wireT.map((w) => w.connections));
  const reqs = median(wireT.map((w) => w.requests));
  const resumed = Math.max(...wireT.map((w) => w.resumed));
  console.log('');
  console.log(
    '(2) TLS connection reuse during one mTLS replication (replicator -> source node, undici diagnostics channels)',
  );
  console.log(
    `  ${hs} handshakes (${resumed} resumed) for ${int(reqs)} requests (max per round; plain: ${Math.max(...(rep.get('plain') ?? []).map((s) => s.wire.connections))} connections)`,
  );

  const mesh = await meshBench();
  const p = (t: Transport, q: number) => percentile(mesh.get(t) ?? [], q);
  console.log('');
  console.log(
    `(3) write-to-visible on all 4 nodes of the seed mesh shape, ${WRITES} writes each (after 5 warm-up), interleaved`,
  );
  for (const t of TRANSPORTS)
    console.log(`  ${t.padEnd(6)} median ${ms1(p(t, 50)).padStart(9)}   p95 ${ms1(p(t, 95)).padStart(9)}`);
  console.log(
    `  mTLS / plain: median ${ratio(p('mtls', 50), p('plain', 50))}, p95 ${ratio(p('mtls', 95), p('plain', 95))} (latency: lower is better)`,
  );

  console.log('');
  console.log(
    `(4) apply of a ${N_NODES}-node full mesh (${int(N_NODES * (N_NODES - 1))} docs; replicator max_jobs=0)`,
  );
  const ap = new Map<Transport, ApplyFigures>();
  for (const t of TRANSPORTS) {
    const f = await applyBench(t);
    ap.set(t, f);
    console.log(
      `  ${t.padEnd(6)} observe <= ${f.observeMax} requests/node, apply ${f.applyMin}..${f.applyMax} requests/node, re-apply ${f.rerunWrites} writes; ${int(f.wire.requests)} requests on ${int(f.wire.connections)} connections`,
    );
  }
  const a = ap.get('plain') as ApplyFigures;
  const b = ap.get('mtls') as ApplyFigures;
  const same =
    a.observeMax === b.observeMax &&
    a.applyMax === b.applyMax &&
    a.applyMin === b.applyMin &&
    a.rerunWrites === b.rerunWrites;
  console.log(`  requests per node equal: ${pass(same)}`);

  console.log('');
  console.log(`  ${loadNote()}`);
  console.log(
    `HEADLINE mutual TLS vs plain http: one-shot ${int(N_DOCS)} docs ${int(rate('mtls'))} vs ${int(rate('plain'))} docs/s = ${(repRatio * 100).toFixed(0)}% of plain (goal >= ${GOAL_RATIO * 100}%: ${pass(repRatio >= GOAL_RATIO)}); ${hs} TLS handshakes for ${int(reqs)} requests; seed mesh write-to-visible median ${ms1(p('mtls', 50))} vs ${ms1(p('plain', 50))} (${ratio(p('mtls', 50), p('plain', 50))}), p95 ${ms1(p('mtls', 95))} vs ${ms1(p('plain', 95))} (${ratio(p('mtls', 95), p('plain', 95))}); apply ${N_NODES} nodes ${b.applyMax} vs ${a.applyMax} requests/node (${same ? 'equal' : 'DIFFERENT'})`,
  );
  emitFigures({
    bench: 'tls',
    load: loadavg(),
    figures: [
      fig({
        figure: `one-shot ${int(N_DOCS)} docs, mTLS vs plain`,
        ours: rate('mtls'),
        unit: 'docs/s',
        baseline: rate('plain'),
        baselineLabel: 'plain http',
        goal: `>= ${GOAL_RATIO}x`,
        met: repRatio >= GOAL_RATIO,
      }),
      fig({ figure: 'TLS handshakes per one-shot replication', ours: hs, unit: 'handshakes' }),
      fig({
        figure: 'seed mesh write-to-visible p95, mTLS vs plain',
        ours: p('mtls', 95),
        unit: 'ms',
        baseline: p('plain', 95),
        baselineLabel: 'plain http',
      }),
      fig({
        figure: `apply ${N_NODES} nodes: requests per node, mTLS vs plain`,
        ours: b.applyMax,
        unit: 'requests',
        baseline: a.applyMax,
        baselineLabel: 'plain http',
        goal: 'equal',
        met: same,
      }),
    ],
  });
} finally {
  await closeAll();
  for (const c of clients.values()) await c.close();
  rmSync(tmp, { recursive: true, force: true });
}

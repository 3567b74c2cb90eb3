// FAILOVER (#15) canary cost (a program, not a test): `node --import tsx bench/canary-cost.ts [--rounds=5]`.
// Embedded in-memory nodes on 127.0.0.1 in a ring of --nodes (default 4) and a 2-node mesh, `canary:
// { enabled: true }`, applied with the apply operation; then --rounds canary rounds through one probe
// (as the controller keeps it). Requests are counted twice: by the probe, and on the wire by the
// clients' onResponse hook (they must agree). Printed: requests per round, per link per minute at the
// default 30 s interval, and beside it the poller's steady-state budget (<= 3 requests per node per
// poll, at the default 10 s poll) for scale; then the rounds' latency (median, max) on loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode } from '../src/node/index.ts';
import { applyOperation } from '../src/ops/apply.ts';
import { canaryDirections, newCanaryProbe } from '../src/ops/canary.ts';
import type { MeshDeps } from '../src/ops/deps.ts';
import { openMesh } from '../src/ops/mesh.ts';

const arg = (name: string, d: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : d;
};
const ROUNDS = arg('rounds', 5);
const PW = 'bench-pw';

async function measure(size: number): Promise<void> {
  const nodes = await Promise.all(
    Array.from({ length: size }, () => startNode({ port: 0, inMemory: true, admins: { admin: PW } })),
  );
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-canary-bench-'));
  try {
    const file = join(dir, 'mesh.yaml');
    const lines = nodes.map(
      (n, i) => `  n${i + 1}: { url: "${n.url}", auth: { username: admin, password_env: PW } }`,
    );
    const linkYaml = size === 2 ? '  - [n1, n2]' : '  - { generate: ring }';
    writeFileSync(
      file,
      `mesh: bench\nnodes:\n${lines.join('\n')}\ndatabases: [sensors]\ndefaults: { class: lan }\nlinks:\n${linkYaml}\ncanary: { enabled: true }\n`,
    );
    let wire = 0;
    const deps: MeshDeps = {
      env: { PW },
      client: { retries: 0, timeoutMs: 10_000, onResponse: () => void wire++ },
    };
    const applied = await applyOperation({ file }, deps, async () => true);
    if (!applied.outcome?.ok) throw new Error('apply failed');
    const r = openMesh({ file }, deps);
    if (!r.ok) throw new Error('mesh invalid');
    const m = r.mesh;
    const probe = newCanaryProbe(m, deps);
    if (!probe) throw new Error('canary off');
    const dirs = canaryDirections(m.spec);
    // the first round of a fresh probe finds no doc yet; wait for every job to run once
    for (let i = 0; i < 20; i++)
      if ((await probe.round(dirs)).samples.every((s) => s.latencyMs !== null)) break;
    wire = 0;
    const before = probe.requests;
    const latencies: number[] = [];
    let lost = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const round = await probe.round(dirs);
      for (const s of round.samples)
        if (s.latencyMs === null) lost++;
        else latencies.push(s.latencyMs);
    }
    await m.close();
    const perRound = (probe.requests - before) / ROUNDS;
    const links = m.spec.links.length;
    const perLinkMinute = (perRound * 2) / links; // two rounds a minute at interval_ms 30000
    const pollerPerLinkMinute = (3 * size * 6) / links; // <= 3 requests per node per poll, 6 polls a minute
    latencies.sort((a, b) => a - b);
    console.log(
      `${size} nodes, ${links} links, ${dirs.length} directions: ${perRound} requests per round ` +
        `(counted on the wire: ${wire / ROUNDS}); ${perLinkMinute.toFixed(1)} requests per link per minute at 30 s ` +
        `= ${(perLinkMinute / pollerPerLinkMinute).toFixed(2)}x the poller's budget (${pollerPerLinkMinute.toFixed(1)}); ` +
        `latency median ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms, lost ${lost}`,
    );
  } finally {
    await Promise.allSettled(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

await measure(2);
await measure(4);

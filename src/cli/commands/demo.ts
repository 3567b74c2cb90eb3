import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { CouchClient } from '../../couch/client.ts';
import { startNode } from '../../node/index.ts';
import { type ApplyOutcome, applyOperation } from '../../ops/apply.ts';
import { displayPath } from '../../ops/display-path.ts';
import { EXAMPLE_MESH, PASSWORD_ENV, ringMesh, withUrls } from '../../ops/example-mesh.ts';
import { validateMesh } from '../../spec/validate.ts';
import type { Output } from '../boundary.ts';
import { renderOutcome } from '../views/apply.ts';
import { renderPlan } from '../views/plan.ts';
import { waitForSignal } from './node.ts';

type Env = Readonly<Record<string, string | undefined>>;

const DB = 'sensors';
const SAMPLES = 5;

export interface DemoFlags {
  /** stop once convergence is shown */
  exit?: boolean;
  /** number of nodes: 4 = the example mesh (examples/seed-mesh.yaml); otherwise a generated ring of n1..nN */
  nodes?: number;
  /** port of the first node (default: the mesh's, 25984); 0 = any free ports */
  port?: number;
}

export interface DemoDeps {
  env: Env;
  /** progress lines, as they happen */
  out: (line: string) => void;
  /** resolves when the demo should stop (default: Ctrl-C / SIGTERM) */
  wait?: () => Promise<void>;
  /** how long to wait for the sample documents to arrive everywhere (default 30 s) */
  timeoutMs?: number;
  /** publishes the admin password as COUCHMESH_PASSWORD (the CLI sets it in process.env) */
  setEnv?: (name: string, value: string) => void;
}

export interface DemoNode {
  name: string;
  url: string;
  /** the port the mesh file asked for (differs from `url`'s when it was busy) */
  wanted: number;
}

export interface DemoResult {
  nodes: DemoNode[];
  /** the mesh file applied: the example itself, or a temporary copy with the ports actually used */
  meshFile: string;
  apply: ApplyOutcome;
  /** ids of the sample documents written on the first node */
  samples: string[];
  /** ms from the write on the first node until every sample was readable on each node */
  arrivals: Array<{ node: string; ms: number }>;
}

const portOf = (url: string) => Number(new URL(url).port);

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end)
      throw userError(
        'E_DEMO_TIMEOUT',
        `${what} did not happen within ${ms} ms`,
        'run the demo again; if it persists, please report it',
      );
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * `couchmesh demo`: starts the example mesh's embedded nodes on 127.0.0.1 (in memory), applies the
 * example mesh with the same code as `couchmesh apply`, writes sample sensor documents on the first node and
 * shows them arriving on every node, then says what to try and keeps running until `wait()` ends.
 */
export async function demoCommand(flags: DemoFlags, deps: DemoDeps): Promise<DemoResult> {
  const out = deps.out;
  const count = flags.nodes ?? 4;
  if (!Number.isInteger(count) || count < 2 || count > 32)
    throw userError(
      'E_DEMO_NODES',
      `--nodes expects 2..32, got ${flags.nodes}`,
      '4 is the example mesh (examples/seed-mesh.yaml)',
    );
  const tmp = mkdtempSync(join(tmpdir(), 'couchmesh-demo-'));
  const started: Array<Awaited<ReturnType<typeof startNode>>> = [];
  const clients: CouchClient[] = [];
  try {
    // the mesh: the example file, or a generated ring
    const meshText = count === 4 ? readFileSync(EXAMPLE_MESH, 'utf8') : ringMesh(count, 25984);
    const shape = validateMesh(meshText, { file: EXAMPLE_MESH });
    if (!shape.spec) throw userError('E_DEMO', `the demo mesh is not valid: ${shape.errors} errors`);
    const spec = shape.spec;

    // the admin password: the user's, or one made up here and never printed (kept in a 0600 file)
    const given = deps.env[PASSWORD_ENV];
    const password = given || randomBytes(18).toString('base64url');
    const passwordFile = join(tmp, 'password');
    if (!given) writeFileSync(passwordFile, password, { mode: 0o600 });
    const env = { ...deps.env, [PASSWORD_ENV]: password };
    deps.setEnv?.(PASSWORD_ENV, password);

    out(`Starting ${count} embedded CouchDB-compatible nodes on 127.0.0.1 (in memory, admin 'admin')…`);
    const nodes: DemoNode[] = [];
    for (const [i, n] of spec.nodes.entries()) {
      const wanted = flags.port === undefined ? portOf(n.url) : flags.port === 0 ? 0 : flags.port + i;
      let node: (typeof started)[number];
      try {
        node = await startNode({ port: wanted, inMemory: true, admins: { admin: password } });
      } catch (e) {
        if ((e as { code?: string }).code !== 'E_PORT_IN_USE') throw e;
        node = await startNode({ port: 0, inMemory: true, admins: { admin: password } });
        out(`  port ${wanted} is busy: ${n.name} uses ${node.port} instead`);
      }
      started.push(node);
      nodes.push({ name: n.name, url: node.url, wanted: portOf(n.url) });
      out(`  ${n.name} up at ${node.url}`);
    }
    for (const [i, node] of started.entries()) {
      const c = new CouchClient({ url: node.url, auth: { username: 'admin', password }, retries: 2 });
      clients[i] = c;
      await c.put('/_node/_local/_config/replicator/startup_jitter', '"0"');
    }

    // the mesh file to apply: the example itself, or a copy naming the ports actually used
    const moved = nodes
      .map((n, i) => ({ from: spec.nodes[i]?.url as string, to: n.url }))
      .filter((m) => m.from !== m.to);
    let meshFile = EXAMPLE_MESH;
    if (count !== 4 || moved.length) {
      meshFile = join(tmp, count === 4 ? 'seed-mesh.yaml' : 'demo-mesh.yaml');
      writeFileSync(meshFile, withUrls(meshText, moved));
      out(
        count === 4
          ? `  (the example mesh with the ports used instead: ${meshFile})`
          : `  (the ${count}-node ring mesh: ${meshFile})`,
      );
    }

    out(`\nApplying ${displayPath(meshFile)} (what 'couchmesh apply' does):\n`);
    const r = await applyOperation({ file: meshFile }, { env }, async (view) => {
      out(renderPlan(view));
      return true;
    });
    out(renderOutcome(r.outcome));
    if (!r.outcome.ok)
      throw userError('E_DEMO_APPLY', `applying the demo mesh failed on ${r.outcome.failed.join(', ')}`);

    // sample sensor readings on the first node, then watch them arrive everywhere
    const first = nodes[0] as DemoNode;
    const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const docs = Array.from({ length: SAMPLES }, (_, i) => ({
      _id: `station-${i + 1}:${stamp}`,
      type: 'reading',
      station: `station-${i + 1}`,
      temperature_c: Math.round((18 + i * 0.7) * 10) / 10,
      humidity_pct: 40 + i * 3,
      at: stamp,
    }));
    const samples = docs.map((d) => d._id);
    out(`\nWriting ${SAMPLES} sensor readings on ${first.name} and watching them replicate…`);
    const t0 = performance.now();
    await clients[0]?.post(`/${DB}/_bulk_docs`, { docs });
    const arrivals = await Promise.all(
      nodes.map(async (n, i) => {
        const c = clients[i] as CouchClient;
        const ms = await until(`the readings reaching ${n.name}`, deps.timeoutMs ?? 30_000, async () => {
          const res = await c.post<{ rows: Array<{ error?: string; value?: { rev: string } }> }>(
            `/${DB}/_all_docs`,
            { keys: samples },
          );
          return res.rows.every((row) => row.value && !row.error) ? performance.now() - t0 : undefined;
        });
        return { node: n.name, ms: Math.round(ms) };
      }),
    );
    for (const a of arrivals)
      out(
        a.node === first.name
          ? `  ${a.node}: ${SAMPLES}/${SAMPLES} written`
          : `  ${a.node}: ${SAMPLES}/${SAMPLES} arrived after ${a.ms} ms`,
      );
    out(
      `Converged: every reading is on all ${count} nodes (slowest ${Math.max(...arrivals.map((a) => a.ms))} ms after the write).`,
    );

    // what to try next (the password itself is never printed)
    const last = nodes[nodes.length - 1] as DemoNode;
    const second = nodes[1] as DemoNode;
    const mesh = displayPath(meshFile);
    out('\nTry next, in another terminal:');
    out(
      given
        ? `  # ${PASSWORD_ENV} is already set in your shell: the nodes use its value`
        : `  export ${PASSWORD_ENV}="$(cat ${passwordFile})"   # the demo's admin password (never printed)`,
    );
    out(`  curl -u "admin:$${PASSWORD_ENV}" '${last.url}/${DB}/_all_docs?include_docs=true'`);
    out(
      `  curl -u "admin:$${PASSWORD_ENV}" -X PUT ${last.url}/${DB}/hello -H 'content-type: application/json' -d '{"temperature_c": 21.5}'`,
    );
    out(`  curl -u "admin:$${PASSWORD_ENV}" ${first.url}/${DB}/hello      # ...it arrived on ${first.name}`);
    out(
      `  curl -u "admin:$${PASSWORD_ENV}" ${second.url}/_scheduler/docs   # the replications ${second.name} runs`,
    );
    out(`  npx couchmesh plan -f ${mesh}    # No changes: the nodes match the file`);
    out(`  npx couchmesh graph -f ${mesh}   # the topology as a Mermaid flowchart`);
    const result: DemoResult = { nodes, meshFile, apply: r.outcome, samples, arrivals };
    if (flags.exit) out('\n--exit: stopping the nodes.');
    else {
      out('\nThe mesh keeps running; Ctrl-C stops it (everything is in memory).');
      await (deps.wait ?? waitForSignal)();
      out('stopping…');
    }
    return result;
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(started.map((n) => n.close()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function parseNodeCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2 || n > 32)
    throw userError(
      'E_DEMO_NODES',
      `--nodes expects 2..32, got '${v}'`,
      '4 is the example mesh (examples/seed-mesh.yaml)',
    );
  return n;
}

export function registerDemo(program: Command, output: Output): void {
  program
    .command('demo')
    .description(
      'start four embedded nodes, apply the example mesh (examples/seed-mesh.yaml), show data arriving everywhere (Ctrl-C stops)',
    )
    .option('--exit', 'stop after showing convergence (for scripts)')
    .option('--nodes <n>', 'number of nodes: 4 = the example mesh, otherwise a ring n1..nN', parseNodeCount)
    .option('-p, --port <port>', 'port of the first node (default 25984; 0 = any free ports)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw userError('E_PORT', `--port expects 0..65535, got '${v}'`, 'use 0 for any free ports');
      return n;
    })
    .action(async (opts: { exit?: boolean; nodes?: number; port?: number }) => {
      await demoCommand(opts, {
        env: { ...process.env },
        out: (l) => output.out(l),
        // the spec's password variable, for anything in this process that reads the mesh afterwards
        setEnv: (name, value) => {
          process.env[name] = value;
        },
      });
    });
}

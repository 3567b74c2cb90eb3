// Shared helpers of the TELEMETRY must-show tests: a small mesh of embedded nodes (port 0; in memory,
// or a data folder for nodes that are stopped and restarted), a mesh file naming them with a fast link
// class (checkpoint_interval 100 ms) and fast observe interval, `couchmesh apply`'s library functions
// to create the `_replicator` documents, the poller driven in bounded loops, and the CLI with captured
// output. No test sleeps for a condition: every wait polls observable state, bounded by a poll count.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan } from '../../src/apply/apply.ts';
import { type Captured, runCli } from '../../src/cli/testing.ts';
import type { Finding, HealthThresholds, RuleId } from '../../src/health/types.ts';
import { type NodeOptions, startNode } from '../../src/node/index.ts';
import type { DirectionState } from '../../src/observe/snapshot.ts';
import type { MeshDeps } from '../../src/ops/deps.ts';
import { type OpenMesh, openMesh } from '../../src/ops/mesh.ts';
import { newPoller } from '../../src/ops/poll.ts';
import { desiredState } from '../../src/plan/desired.ts';
import { observeMesh } from '../../src/plan/observe.ts';
import { makePlan } from '../../src/plan/plan.ts';
import type { Poller, PollResult } from '../../src/watch/poller.ts';

export type TestNode = Awaited<ReturnType<typeof startNode>>;
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON off the wire, checked by the assertions
export type Json = any;

export const DB = 'sensors';
/** checkpoint_interval of the test link class (ms) */
export const CKPT = 100;
/** the poller's interval in these tests: what the rules take as "one poll" */
export const POLL = 150;

export interface NodeDef {
  name: string;
  options?: Partial<NodeOptions>;
  /** on disk (so it can be stopped and started again with its data) */
  persistent?: boolean;
  /** `[replicator]` settings besides the defaults below */
  replicator?: Record<string, string>;
}

/** Replicator settings of every test node: no start jitter, quick crash backoff. */
const REPLICATOR = { startup_jitter: '0', backoff_base_msec: '100', interval: '200' };

export class TelemetryMesh {
  readonly dir = mkdtempSync(join(tmpdir(), 'couchmesh-telemetry-'));
  readonly password = `pw-${randomBytes(9).toString('hex')}`;
  readonly nodes = new Map<string, TestNode>();
  readonly defs = new Map<string, NodeDef>();
  readonly urls = new Map<string, string>();
  file = '';
  #open: OpenMesh[] = [];

  /** Starts the nodes and writes mesh.yaml with `links` (pairs of names) over `sensors`. */
  async start(
    defs: NodeDef[],
    links: Array<[string, string]>,
    opts: { workerBatchSize?: number; reachable?: Record<string, boolean> } = {},
  ): Promise<this> {
    for (const d of defs) {
      this.defs.set(d.name, d);
      const node = await this.startNode(d, 0);
      this.urls.set(d.name, node.url);
    }
    const nodes = defs
      .map(
        (d) =>
          `  ${d.name}: { url: "${this.url(d.name)}", auth: { username: admin, password_env: COUCHMESH_PASSWORD }${opts.reachable?.[d.name] === false ? ', reachable: false' : ''} }`,
      )
      .join('\n');
    const text = `mesh: t
nodes:
${nodes}
databases: [${DB}]
link_classes:
  fast: { extends: lan, checkpoint_interval: ${CKPT}, retries_per_request: 1, connection_timeout: 2000, worker_batch_size: ${opts.workerBatchSize ?? 500}, checkpoint_range: { min: 1, max: 100000 } }
defaults:
  class: fast
thresholds:
  observe_interval_ms: ${POLL}
  stall_after_ms: 1
  crashing_after_ms: 1000
links:
${links.map(([a, b]) => `  - [${a}, ${b}]`).join('\n')}
`;
    this.file = join(this.dir, 'mesh.yaml');
    writeFileSync(this.file, text);
    return this;
  }

  async startNode(d: NodeDef, port: number): Promise<TestNode> {
    const node = await startNode({
      port,
      ...(d.persistent ? { dataDir: join(this.dir, d.name) } : { inMemory: true }),
      admins: { admin: this.password },
      ...d.options,
    });
    this.nodes.set(d.name, node);
    for (const [k, v] of Object.entries({ ...REPLICATOR, ...d.replicator }))
      await this.ok(d.name, 'PUT', `/_node/_local/_config/replicator/${k}`, v, node.url);
    return node;
  }

  /** Stops a node (its URL in the mesh file stays: it is now unreachable). */
  async stop(name: string): Promise<void> {
    await this.nodes.get(name)?.close();
    this.nodes.delete(name);
  }

  /** Starts a stopped node again on its port (with its data when persistent). */
  async restart(name: string): Promise<TestNode> {
    return this.startNode(this.defs.get(name) as NodeDef, Number(new URL(this.url(name)).port));
  }

  url(name: string): string {
    return this.urls.get(name) as string;
  }

  get env(): Record<string, string | undefined> {
    return { COUCHMESH_PASSWORD: this.password };
  }

  /**
   * Command / poller deps: no client retries (a stopped node fails fast), short timeouts. The
   * no-progress stall signal waits 3 s here: with polls 150 ms apart on a loaded test machine, a job
   * that is merely restarting would otherwise count as stalled.
   */
  deps(thresholds: Partial<HealthThresholds> = {}): MeshDeps {
    return {
      env: this.env,
      client: { retries: 0, timeoutMs: 3000 },
      thresholds: { noProgressMs: 3000, ...thresholds },
    };
  }

  /** `couchmesh apply`'s library path: desired state, observation, plan, apply. */
  async apply(opts: { skipDbOn?: string[] } = {}): Promise<void> {
    const m = this.openMesh();
    const desired = desiredState(m.spec, m.passwordOf);
    const observed = await observeMesh(m.spec, m.clients);
    const plan = makePlan(desired, observed);
    plan.actions = plan.actions.filter((a) => !(a.kind === 'create-db' && opts.skipDbOn?.includes(a.node)));
    const r = await applyPlan(plan, m.clients);
    if (!r.ok) throw new Error(`apply failed: ${JSON.stringify(r.nodes)}`);
  }

  openMesh(deps?: MeshDeps): OpenMesh {
    const r = openMesh({ file: this.file }, deps ?? this.deps());
    if (!r.ok) throw new Error(`invalid mesh: ${JSON.stringify(r.validation.diagnostics)}`);
    this.#open.push(r.mesh);
    return r.mesh;
  }

  /** A poller over the mesh (interval POLL; jobs/_stats on the usual slower cadence). */
  poller(thresholds: Partial<HealthThresholds> = {}, extra: { slowIntervalMs?: number } = {}): Poller {
    const m = this.openMesh(this.deps(thresholds));
    return newPoller(m, this.deps(thresholds), extra);
  }

  async request(
    name: string,
    method: string,
    path: string,
    body?: unknown,
    base = this.url(name),
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(base + path, {
      method,
      headers: this.adminHeaders(),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: parseBody(await res.text()) };
  }

  /** The admin's basic auth and a JSON content type: every request of these tests. */
  adminHeaders(): Record<string, string> {
    return {
      authorization: `Basic ${Buffer.from(`admin:${this.password}`).toString('base64')}`,
      'content-type': 'application/json',
    };
  }

  async ok(name: string, method: string, path: string, body?: unknown, base?: string): Promise<Json> {
    const r = await this.request(name, method, path, body, base);
    if (r.status >= 300) throw new Error(`${method} ${name}${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Writes `n` docs `<prefix>-<i>` in one `_bulk_docs` on a node. */
  async write(name: string, prefix: string, n: number, extra: Record<string, unknown> = {}): Promise<void> {
    const docs = Array.from({ length: n }, (_, i) => ({
      _id: `${prefix}-${String(i).padStart(5, '0')}`,
      i,
      ...extra,
    }));
    const r = await this.ok(name, 'POST', `/${DB}/_bulk_docs`, { docs });
    if ((r as Json[]).some((x) => !x.ok)) throw new Error(`bulk write failed: ${JSON.stringify(r)}`);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#open.map((m) => m.close()));
    await Promise.allSettled([...this.nodes.values()].map((n) => n.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The direction `from->to` of a poll's views. */
export function direction(r: PollResult, from: string, to: string): DirectionState {
  for (const v of r.views) for (const d of v.directions) if (d.from === from && d.to === to) return d;
  throw new Error(`no direction ${from}->${to}`);
}

export const findingsOf = (r: PollResult, rule: RuleId, dir?: string): Finding[] =>
  r.findings.filter((f) => f.rule === rule && (dir === undefined || f.direction === dir));

/**
 * Polls until `pred` holds for a poll result, at most `maxPolls` polls, POLL ms apart (the pause is
 * the poll cadence, not a wait for the condition: the loop is bounded by the poll count).
 */
export async function pollUntil(
  poller: Poller,
  what: string,
  pred: (r: PollResult) => boolean,
  maxPolls = 100,
  every: number = POLL,
): Promise<PollResult> {
  let last: PollResult | undefined;
  for (let i = 0; i < maxPolls; i++) {
    last = await poller.pollOnce();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, every));
  }
  const summary = last?.views.flatMap((v) => v.directions.map((d) => `${d.direction}:${d.state}`)).join(' ');
  const f = last?.findings.map((x) => `${x.rule}/${x.severity}@${x.direction ?? x.node}`).join(' ');
  throw new Error(`after ${maxPolls} polls, still not: ${what} (states ${summary}; findings ${f})`);
}

/** Polls a probe until it returns a value (bounded). */
/** A response body: JSON when it parses, else the text itself; an empty body is undefined. */
export function parseBody(text: string): Json {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON
  }
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export { type Captured, captureOutput as capture } from '../../src/cli/testing.ts';

/** Runs the CLI with the mesh's password in the environment. */
export async function cli(mesh: TelemetryMesh, args: string[]): Promise<{ code: number; o: Captured }> {
  return runCli(args, mesh.password);
}

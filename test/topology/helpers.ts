// Shared helpers of the TOPOLOGY end-to-end tests: the seed mesh on embedded nodes (port 0, in
// memory), a mesh file naming them, the CLI with captured output, a per-node request counter, and a
// tiny HTTP client to hand-edit `_replicator` documents the way an operator would.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Captured, runCli } from '../../src/cli/testing.ts';
import type { ResponseEvent } from '../../src/couch/events.ts';
import { closedPort } from '../../src/couch/test-support.ts';
import { startNode } from '../../src/node/index.ts';
import type { MeshDeps } from '../../src/ops/deps.ts';
import { EXAMPLE_MESH, withoutCanary, withUrls } from '../../src/ops/example-mesh.ts';
import { isWrite } from '../../src/plan/observe.ts';

export type TestNode = Awaited<ReturnType<typeof startNode>>;
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON off the wire, checked by the assertions
export type Json = any;

export const DB = 'sensors';
/** The seed's documents: `<from>--<to>` lives on `<to>` (pull). */
export const SEED_DIRECTIONS: Array<[string, string]> = [
  ['n1', 'n2'],
  ['n2', 'n1'],
  ['n2', 'n3'],
  ['n3', 'n2'],
  ['n3', 'n1'],
  ['n1', 'n3'],
  ['n3', 'n4'],
  ['n4', 'n3'],
  ['n4', 'n2'],
  ['n2', 'n4'],
];
export const seedId = (from: string, to: string) => `couchmesh.seed.${DB}.${from}--${to}`;

export { closedPort };

export class SeedMesh {
  readonly dir = mkdtempSync(join(tmpdir(), 'couchmesh-topology-'));
  /** a password nobody could guess: the tests assert it never shows up in any output */
  readonly password = `pw-${randomBytes(9).toString('hex')}`;
  readonly nodes = new Map<string, TestNode>();
  /** node name -> URL in the mesh file (also for nodes that are down) */
  readonly urls = new Map<string, string>();
  file = '';
  text = '';

  /** Starts n1..n4 (those in `down` get a closed port instead) and writes the mesh file. */
  async start(down: string[] = []): Promise<this> {
    for (const name of ['n1', 'n2', 'n3', 'n4']) {
      if (down.includes(name)) {
        this.urls.set(name, `http://127.0.0.1:${await closedPort()}`);
        continue;
      }
      const node = await this.startNode(0);
      this.nodes.set(name, node);
      this.urls.set(name, node.url);
    }
    // the topology tests count the seed's own documents: without the example's canary block (FAILOVER)
    const seed = withoutCanary(readFileSync(EXAMPLE_MESH, 'utf8'));
    this.text = withUrls(
      seed,
      ['n1', 'n2', 'n3', 'n4'].map((n, i) => ({ from: `http://127.0.0.1:${25984 + i}`, to: this.url(n) })),
    );
    this.file = join(this.dir, 'mesh.yaml');
    writeFileSync(this.file, this.text);
    return this;
  }

  async startNode(port: number): Promise<TestNode> {
    const node = await startNode({ port, inMemory: true, admins: { admin: this.password } });
    await this.request(node.url, 'PUT', '/_node/_local/_config/replicator/startup_jitter', '0');
    return node;
  }

  /** Brings a node that was down up on the port the mesh file names. */
  async bringUp(name: string): Promise<TestNode> {
    const node = await this.startNode(Number(new URL(this.url(name)).port));
    this.nodes.set(name, node);
    return node;
  }

  url(name: string): string {
    return this.urls.get(name) as string;
  }

  get env(): Record<string, string | undefined> {
    return { COUCHMESH_PASSWORD: this.password };
  }

  /** Command deps: no retries against refused connections (faster), requests counted per node. */
  deps(counter?: RequestLog): MeshDeps {
    return {
      env: this.env,
      client: { retries: 0, timeoutMs: 5_000, ...(counter ? { onResponse: counter.hook } : {}) },
    };
  }

  async request(
    base: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${this.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text || undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. a config answer): keep the text
    }
    return { status: res.status, body: parsed };
  }

  /** Request on a named node; throws unless 2xx. */
  async ok(name: string, method: string, path: string, body?: unknown): Promise<Json> {
    const r = await this.request(this.url(name), method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${name}${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Every `_replicator` document of a node (design docs left out), by id. */
  async replicator(name: string): Promise<Map<string, Json>> {
    const r = await this.ok(name, 'GET', '/_replicator/_all_docs?include_docs=true');
    return new Map(
      (r.rows as Json[]).filter((x) => !x.id.startsWith('_design/')).map((x) => [x.id as string, x.doc]),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.nodes.values()].map((n) => n.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Counts HTTP exchanges per node URL, split into reads and writes. */
export class RequestLog {
  readonly events: ResponseEvent[] = [];
  readonly hook = (e: ResponseEvent) => {
    this.events.push(e);
  };
  clear() {
    this.events.length = 0;
  }
  reads(url: string) {
    return this.events.filter((e) => e.node === url && !isWrite(e.method, e.path)).length;
  }
  writes(url?: string) {
    return this.events.filter((e) => (url === undefined || e.node === url) && isWrite(e.method, e.path))
      .length;
  }
}

export { type Captured, captureOutput as capture } from '../../src/cli/testing.ts';

/** Runs the CLI with the mesh's password in the environment; returns the exit code and the output. */
export async function cli(mesh: SeedMesh, args: string[]): Promise<{ code: number; o: Captured }> {
  return runCli(args, mesh.password);
}

/** Polls until `probe` returns a value (bounded; never a bare sleep standing in for a condition). */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The dashboard's real world: examples/seed-mesh.yaml (4 nodes, 5 links, 10 directions) with its
 * URLs rewritten to embedded nodes on free 127.0.0.1 ports, applied as `couchmesh apply` does, the
 * real controller (`startController`, polls 200 ms apart) and the real API serving the dashboard.
 * n4 is reached by its two links through a fault-injecting TCP proxy (mesh.yaml's per-link
 * `endpoints` override), so cutting the proxy partitions n4 from the mesh while the controller still
 * polls it directly. The victim n1 keeps its data on disk so it restarts on the same port and data.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningApi, startApi } from '../../src/api/server.ts';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { controllerLogger } from '../../src/controller/log.ts';
import { type FaultProxy, startFaultProxy } from '../../src/relay/fault-proxy.ts';
import { DB, type Json, TelemetryMesh, until } from '../telemetry/helpers.ts';

const SEED = new URL('../../examples/seed-mesh.yaml', import.meta.url);
const SEED_PORTS = { n1: 25984, n2: 25985, n3: 25986, n4: 25987 } as const;
export const NODES = Object.keys(SEED_PORTS) as Array<keyof typeof SEED_PORTS>;
/** the node stopped and restarted */
export const VICTIM = 'n1';
/** the node the conflicts are resolved on (one side of the partition) */
export const RESOLVER = 'n3';
/** the node whose database is deleted and recreated */
export const RECREATED_ON = 'n2';

const CONTROLLER = `controller:
  poll_interval_ms: 200
  drift_interval_ms: 400
  deep_check_interval_ms: 400
  conflicts_interval_ms: 600
  remediation:
    db-recreated: restart-job
`;

/** The seed mesh, its URLs on our nodes, n4's links through `proxy`, conflicts resolved (lww). */
export function seedMeshText(urls: Map<string, string>, proxy: string): string {
  let text = readFileSync(SEED, 'utf8');
  for (const [name, port] of Object.entries(SEED_PORTS))
    text = text.replace(`http://127.0.0.1:${port}`, urls.get(name) as string);
  const via = `endpoints: { n4: "${proxy}" }`;
  const replaced = text
    .replace('  - [n3, n4]', `  - { between: [n3, n4], ${via} }`)
    .replace('  - [n4, n2]', `  - { between: [n4, n2], ${via} }`)
    .replace(
      `databases:\n  - ${DB}\n`,
      `databases:\n  - { name: ${DB}, conflicts: { strategy: lww, timestamp: updated_at, node: ${RESOLVER} } }\n`,
    );
  if (replaced === text || replaced.includes('25984'))
    throw new Error('examples/seed-mesh.yaml changed shape');
  return `${replaced}\n${CONTROLLER}`;
}

export class RealWorld {
  readonly mesh = new TelemetryMesh();
  proxy!: FaultProxy;
  controller!: Controller;
  api!: RunningApi;
  readonly logs: string[] = [];

  async start(webRoot: string): Promise<this> {
    await this.mesh.start(
      NODES.map((name) => ({ name, persistent: name === VICTIM })),
      [],
    );
    const n4 = new URL(this.mesh.url('n4'));
    this.proxy = await startFaultProxy({ target: { host: n4.hostname, port: Number(n4.port) } });
    writeFileSync(this.mesh.file, seedMeshText(this.mesh.urls, this.proxy.url));
    await this.mesh.apply();
    const dest = new Writable({
      write: (chunk, _e, cb) => {
        this.logs.push(String(chunk));
        cb();
      },
    });
    this.controller = startController(
      {
        file: this.mesh.file,
        stateDir: join(this.mesh.dir, 'state'),
        log: (r) => controllerLogger(r, dest),
        graceMs: 2_000,
      },
      this.mesh.deps(),
    );
    this.api = await startApi(this.controller, { webRoot });
    return this;
  }

  get password(): string {
    return this.mesh.password;
  }

  /** What the API answers at `path` (the dashboard's own source of truth). */
  async apiGet(path: string): Promise<Json> {
    const r = await fetch(`${this.api.url}/api/v1${path}`);
    if (!r.ok) throw new Error(`GET ${path} -> ${r.status}`);
    return r.json();
  }

  nodeDown(): Promise<void> {
    return this.mesh.stop(VICTIM);
  }

  async nodeUp(): Promise<void> {
    await this.mesh.restart(VICTIM);
  }

  /**
   * Cuts n4 off (its two links run through the proxy), writes `id` on n3 and on n4 with different
   * bodies and `updated_at`s, then heals: both revisions meet, one document with a conflict.
   * Returns both revisions; the later `updated_at` (n4's) is the body lww keeps.
   */
  async conflictDuringPartition(id: string): Promise<{ revs: string[] }> {
    this.proxy.set({ partition: true });
    this.proxy.resetAll(); // the open replication connections die as in a real cut
    const put = (node: string, body: Json) => this.mesh.ok(node, 'PUT', `/${DB}/${id}`, body);
    const early = await put('n3', { side: 'n3', updated_at: '2026-12-07T00:00:00Z' });
    const late = await put('n4', { side: 'n4', updated_at: '2026-12-07T00:00:05Z' });
    this.proxy.heal();
    return { revs: [early.rev, late.rev] };
  }

  /** Hand-edits a managed `_replicator` doc; returns its id and the edited value. */
  async editManagedDoc(): Promise<{ node: string; id: string; value: number }> {
    const node = 'n2';
    const all = await this.mesh.ok(node, 'GET', '/_replicator/_all_docs');
    const id = (all.rows as Json[]).map((r) => r.id as string).find((x) => x.startsWith('couchmesh.'));
    if (!id) throw new Error(`no managed doc on ${node}`);
    const doc = await this.mesh.ok(node, 'GET', `/_replicator/${encodeURIComponent(id)}`);
    const value = 999_999;
    await this.mesh.ok(node, 'PUT', `/_replicator/${encodeURIComponent(id)}`, {
      ...doc,
      checkpoint_interval: value,
    });
    return { node, id, value };
  }

  docCount = async (node: string): Promise<number> =>
    (await this.mesh.ok(node, 'GET', `/${DB}`)).doc_count as number;

  /** Deletes and recreates the database on RECREATED_ON (replications idle: nothing is written). */
  async recreateDb(): Promise<void> {
    await this.mesh.ok(RECREATED_ON, 'DELETE', `/${DB}`);
    await this.mesh.ok(RECREATED_ON, 'PUT', `/${DB}`);
  }

  /** Waits until the controller's deep check has taken its first baseline of every database. */
  deepPassDone(): Promise<true> {
    return until(
      'the first deep-check pass',
      async () => (this.logs.some((l) => l.includes('loop deep: first pass done')) ? true : undefined),
      1_000,
    );
  }

  async close(): Promise<void> {
    await this.api?.close();
    await this.controller?.stop();
    await this.proxy?.close();
    await this.mesh.close();
  }
}

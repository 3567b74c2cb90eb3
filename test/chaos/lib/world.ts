// The chaos harness's world: the seed mesh's nodes, a fault proxy in front of each end of each link
// (mesh.yaml's per-link `endpoints:` override, so a link's replications, and only they, go through
// its two proxies; clients and verify reach the nodes directly), the mesh applied with the apply
// operation. Cutting a link = partitioning its two proxies (bytes held, sockets open, as lost
// packets); healing lets the held bytes through.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOperation } from '../../../src/ops/apply.ts';
import type { MeshDeps } from '../../../src/ops/deps.ts';
import { type FaultProxy, startFaultProxy } from '../../../src/relay/fault-proxy.ts';
import { type Json, TelemetryMesh } from '../../telemetry/helpers.ts';
import { type ChaosNode, childNode, inProcessNode } from './nodes.ts';
import { linkKey, seedTopology, type Topology } from './topology.ts';

export const DB = 'sensors';

/** Replicator settings of every node: no start jitter, quick crash backoff and rescheduling. */
const REPLICATOR = { startup_jitter: '0', backoff_base_msec: '100', interval: '200' };

export interface WorldOptions {
  /** nodes as child processes on disk (kill -9 runs) instead of in memory in this process */
  processes?: boolean;
  topology?: Topology;
  /** `conflicts: { strategy: lww, timestamp: updated_at, node: RESOLVER }` on the database */
  strategy?: boolean;
}

/** The node whose resolver runs when a strategy is configured (its audit trail lives there). */
export const RESOLVER = 'n1';

export class ChaosWorld {
  // the telemetry tests' mesh lends its temp folder, password and admin requests (it starts no node here)
  readonly #http = new TelemetryMesh();
  readonly dir = this.#http.dir;
  readonly password = this.#http.password;
  readonly nodes = new Map<string, ChaosNode>();
  /** link key -> node -> the proxy that link reaches the node through */
  readonly proxies = new Map<string, Map<string, FaultProxy>>();
  topology: Topology = seedTopology();
  strategy = false;
  file = '';

  async start(o: WorldOptions = {}): Promise<this> {
    if (o.topology) this.topology = o.topology;
    this.strategy = o.strategy === true;
    const made = await Promise.all(
      this.topology.nodes.map((n) =>
        o.processes ? childNode(n, this.dir, this.password) : inProcessNode(n, this.password),
      ),
    );
    for (const n of made) {
      this.nodes.set(n.name, n);
      await this.configure(n.name);
    }
    for (const l of this.topology.links) {
      const ends = new Map<string, FaultProxy>();
      for (const n of l)
        ends.set(n, await startFaultProxy({ target: { host: '127.0.0.1', port: this.node(n).port } }));
      this.proxies.set(linkKey(l), ends);
    }
    this.file = join(this.dir, 'mesh.yaml');
    writeFileSync(this.file, this.meshText());
    const r = await applyOperation({ file: this.file }, this.deps(), async () => true);
    if (!r.outcome.ok) throw new Error(`apply failed: ${JSON.stringify(r.outcome.nodes)}`);
    return this;
  }

  /** The replicator's fast settings (persisted in the node's `_config`, so they survive a restart). */
  async configure(name: string): Promise<void> {
    for (const [k, v] of Object.entries(REPLICATOR))
      await this.ok(name, 'PUT', `/_node/_local/_config/replicator/${k}`, v);
  }

  meshText(): string {
    const nodes = this.topology.nodes
      .map(
        (n) =>
          `  ${n}: { url: "${this.node(n).url}", auth: { username: admin, password_env: COUCHMESH_PASSWORD } }`,
      )
      .join('\n');
    const links = this.topology.links
      .map((l) => {
        const ends = this.proxies.get(linkKey(l)) as Map<string, FaultProxy>;
        return `  - { between: [${l[0]}, ${l[1]}], endpoints: { ${l.map((n) => `${n}: "${ends.get(n)?.url}"`).join(', ')} } }`;
      })
      .join('\n');
    // connection_timeout: a held request fails within 2 s and the job retries after heal
    return `mesh: chaos
nodes:
${nodes}
databases: [${this.strategy ? `{ name: ${DB}, conflicts: { strategy: lww, timestamp: updated_at, node: ${RESOLVER} } }` : DB}]
link_classes:
  fast: { extends: lan, checkpoint_interval: 100, retries_per_request: 1, connection_timeout: 2000, checkpoint_range: { min: 1, max: 100000 } }
defaults:
  class: fast
links:
${links}
`;
  }

  node(name: string): ChaosNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** The links a node is an end of. */
  linksOf(name: string): Array<[string, string]> {
    return this.topology.links.filter((l) => l.includes(name));
  }

  /** Partitions (or heals) a link: both of its proxies. */
  cut(link: readonly [string, string], on = true): void {
    for (const p of this.proxies.get(linkKey(link))?.values() ?? [])
      on ? p.set({ partition: true }) : p.heal();
  }

  healAll(): void {
    for (const l of this.topology.links) this.cut(l, false);
  }

  deps(): MeshDeps {
    return { env: { COUCHMESH_PASSWORD: this.password }, client: { retries: 0, timeoutMs: 10_000 } };
  }

  /** An admin request straight to a node (not through a proxy). */
  request(
    name: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    return this.#http.request(name, method, path, body, this.node(name).url);
  }

  ok(name: string, method: string, path: string, body?: unknown): Promise<Json> {
    return this.#http.ok(name, method, path, body, this.node(name).url);
  }

  async close(): Promise<void> {
    for (const ends of this.proxies.values())
      await Promise.allSettled([...ends.values()].map((p) => p.close()));
    await Promise.allSettled([...this.nodes.values()].map((n) => n.close()));
    await this.#http.close();
  }
}

export type { Json };

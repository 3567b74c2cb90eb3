/**
 * The rehearsal's world: the declared topology on embedded nodes on 127.0.0.1 (one child process
 * each, on disk, with a password of its own), a fault proxy in front of each end of each link
 * (mesh.yaml's per-link `endpoints:`, so a link's replications, and only they, cross its proxies;
 * writers, verify and the planner reach the nodes directly), latency and jitter from the link's
 * class (src/rehearse/link-profile.ts), the rehearsal's mesh file (src/rehearse/mesh-text.ts)
 * applied with the apply operation. Cutting a link partitions its two proxies (bytes held, sockets
 * open, as lost packets); healing lets the held bytes through.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { userError } from '../core/errors.ts';
import { seededRandom } from '../core/random.ts';
import { CouchClient } from '../couch/client.ts';
import { linkProfile } from '../rehearse/link-profile.ts';
import { rehearsalMeshText } from '../rehearse/mesh-text.ts';
import type { RehearsalLink } from '../rehearse/report.ts';
import { linkKey, type Topology } from '../rehearse/types.ts';
import { type FaultProxy, startFaultProxy } from '../relay/fault-proxy.ts';
import type { MeshSpec } from '../spec/types.ts';
import { applyOperation } from './apply.ts';
import type { MeshDeps } from './deps.ts';
import {
  type ChildNode,
  type StartDiskNode,
  startChildNode,
  startInProcessNode,
} from './rehearse-children.ts';
import { REHEARSAL_CONTROLLER } from './rehearse-controller.ts';
import { type Hop, RehearsalRelay } from './rehearse-relay.ts';

export const REHEARSE_PASSWORD_ENV = 'COUCHMESH_REHEARSE_PASSWORD';

/**
 * The scheduler's retry settings of every node, shortened so a rehearsal takes seconds: no start
 * jitter (CouchDB's `startup_jitter` delays each job up to 5 s), a crashed job retried after 100 ms
 * instead of CouchDB's backoff from 30 s, rescheduling every 200 ms. The links' replication
 * parameters (checkpoint interval, batch size, connections, timeouts, retries) are the file's.
 */
const REPLICATOR = { startup_jitter: '0', backoff_base_msec: '100', interval: '200' };

export function topologyOf(spec: MeshSpec): Topology {
  return {
    nodes: spec.nodes.map((n) => ({ name: n.name, role: n.role, ...(n.region ? { region: n.region } : {}) })),
    links: spec.links.map((l) => ({ key: l.key, nodes: l.nodes, class: l.class })),
    databases: spec.databases.map((d) => d.name),
    failover: spec.failover !== undefined,
  };
}

export class RehearsalWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'couchmesh-rehearse-'));
  readonly password = randomBytes(18).toString('base64url');
  readonly file = join(this.dir, 'mesh.yaml');
  readonly nodes = new Map<string, ChildNode>();
  readonly clients = new Map<string, CouchClient>();
  /** link key -> node -> the proxy the link reaches the node through */
  readonly proxies = new Map<string, Map<string, FaultProxy>>();
  links: RehearsalLink[] = [];
  /** FAILOVER (when the mesh declares `failover:`): each relay node's forward proxy */
  readonly relays = new Map<string, RehearsalRelay>();
  readonly topology: Topology;

  constructor(
    readonly spec: MeshSpec,
    readonly clock: Clock,
    readonly seed: number,
  ) {
    this.topology = topologyOf(spec);
  }

  /**
   * Starts nodes and proxies, writes the rehearsal's mesh file and applies it. With `inProcess`
   * the nodes run in this process (tests), else one child process each (a crash is a SIGKILL).
   */
  async start(
    originalText: string,
    onNode: (name: string) => void = () => {},
    inProcess?: StartDiskNode,
  ): Promise<void> {
    const started = await Promise.all(
      this.spec.nodes.map(async (n) => {
        const c = inProcess
          ? await startInProcessNode(n.name, this.dir, this.password, inProcess)
          : await startChildNode(n.name, this.dir, this.password);
        onNode(n.name);
        return c;
      }),
    );
    for (const n of started) {
      this.nodes.set(n.name, n);
      const client = new CouchClient({
        url: n.url,
        auth: { username: 'admin', password: this.password },
        retries: 0,
        timeoutMs: 10_000,
      });
      this.clients.set(n.name, client);
      for (const [k, v] of Object.entries(REPLICATOR))
        await client.put(`/_node/_local/_config/replicator/${k}`, JSON.stringify(v));
    }
    const random = seededRandom(this.seed ^ 0x9e3779b9);
    for (const l of this.spec.links) {
      const profile = linkProfile(l.class, l.params);
      this.links.push({ key: l.key, class: l.class, profile });
      const ends = new Map<string, FaultProxy>();
      for (const name of l.nodes) {
        const p = await startFaultProxy({
          target: { host: '127.0.0.1', port: this.node(name).port },
          clock: this.clock,
          random,
        });
        p.set({ latencyMs: profile.latencyMs, jitterMs: profile.jitterMs });
        ends.set(name, p);
      }
      this.proxies.set(l.key, ends);
    }
    if (this.spec.failover) await this.startRelays();
    const urls = new Map([...this.nodes].map(([name, n]) => [name, n.url]));
    const endpoints = new Map(
      [...this.proxies].map(([key, ends]) => [
        key,
        Object.fromEntries([...ends].map(([n, p]) => [n, p.url])),
      ]),
    );
    writeFileSync(
      this.file,
      rehearsalMeshText(originalText, this.spec, {
        urls,
        endpoints,
        passwordEnv: REHEARSE_PASSWORD_ENV,
        controller: REHEARSAL_CONTROLLER,
        relays: new Map([...this.relays].map(([n, r]) => [n, r.url])),
      }),
      {
        mode: 0o600,
      },
    );
    const r = await applyOperation({ file: this.file }, this.deps(), async () => true);
    if (!r.outcome.ok)
      throw userError('E_REHEARSE', `applying the rehearsal's mesh failed on ${r.outcome.failed.join(', ')}`);
  }

  /**
   * One forward proxy per relay node (failover proxy mode): a request for any address of node X
   * (its own port, or a link's fault proxy in front of it) goes through the proxy of the link
   * `relay--X` in front of X, the relay's own path; no such link, no path (refused).
   */
  private async startRelays(): Promise<void> {
    const nodeOf = new Map<number, string>();
    for (const [name, n] of this.nodes) nodeOf.set(n.port, name);
    for (const ends of this.proxies.values()) for (const [name, p] of ends) nodeOf.set(p.port, name);
    for (const r of this.spec.nodes.filter((n) => n.role === 'relay')) {
      const own = (x: string): Hop | undefined => {
        const p = this.proxies.get(linkKey(r.name, x))?.get(x);
        return p ? { host: '127.0.0.1', port: p.port } : undefined;
      };
      const allow = this.spec.nodes.flatMap((n) => own(n.name) ?? []);
      const relay = new RehearsalRelay({
        name: r.name,
        allow,
        clock: this.clock,
        route: (port) => {
          const x = nodeOf.get(port);
          return x ? own(x) : undefined;
        },
      });
      await relay.start();
      this.relays.set(r.name, relay);
    }
  }

  /** A relay lost whole: its links cut, its node killed, its forward proxy stopped. */
  async loseRelay(node: string, links: readonly string[]): Promise<void> {
    this.cut(links);
    await this.node(node).kill();
    await this.relays.get(node)?.stop();
  }

  /** Bytes through the relays' forward proxies (rerouted directions), or null without failover. */
  proxiedBytes(): number | null {
    if (!this.relays.size) return null;
    return [...this.relays.values()].reduce((n, r) => n + r.bytes(), 0);
  }

  /** What every operation on the rehearsal's mesh gets: its own password, the injected clock. */
  deps(signal?: AbortSignal): MeshDeps {
    return {
      env: { [REHEARSE_PASSWORD_ENV]: this.password },
      client: { retries: 1, timeoutMs: 10_000 },
      clock: this.clock,
      ...(signal ? { signal } : {}),
    };
  }

  node(name: string): ChildNode {
    const n = this.nodes.get(name);
    if (!n) throw userError('E_REHEARSE', `no node ${name} in the rehearsal`);
    return n;
  }

  client(name: string): CouchClient {
    return this.clients.get(name) as CouchClient;
  }

  /** Partitions (or heals) links: both of their proxies; a healed link keeps its class's latency. */
  cut(keys: readonly string[], on = true): void {
    for (const k of keys) for (const p of this.proxies.get(k)?.values() ?? []) p.set({ partition: on });
  }

  /** Every link healed, every crashed node started again (the end of every scenario). */
  async healAll(): Promise<void> {
    this.cut([...this.proxies.keys()], false);
    for (const n of this.nodes.values()) if (n.down) await n.restart();
    for (const r of this.relays.values()) await r.start();
  }

  /** Bytes through the proxies of the links of relay nodes (both ways), or null without a relay. */
  relayedBytes(): number | null {
    const relays = new Set(this.topology.nodes.filter((n) => n.role === 'relay').map((n) => n.name));
    if (!relays.size) return null;
    let sum = 0;
    for (const l of this.topology.links)
      if (l.nodes.some((n) => relays.has(n)))
        for (const p of this.proxies.get(l.key)?.values() ?? [])
          sum += p.counters.bytes.up + p.counters.bytes.down;
    return sum;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((c) => c.close()));
    await Promise.allSettled([...this.relays.values()].map((r) => r.stop()));
    for (const ends of this.proxies.values())
      await Promise.allSettled([...ends.values()].map((p) => p.close()));
    await Promise.allSettled([...this.nodes.values()].map((n) => n.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

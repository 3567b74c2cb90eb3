// The world of the bad-peer scenarios: two embedded nodes in this process linked both ways, n1
// reached by the link (and only by it: mesh.yaml's per-link `endpoints:`) through a bad-peer front
// (bad-peer.ts). n1 is the source of n1->n2 (its `_changes`, `_bulk_get`, open_revs answers are
// faulted) and the target of n2->n1 (its `_revs_diff`, `_bulk_docs`, checkpoints), so one fault hits
// every request kind the replicator makes. Clients, verify and status reach the nodes directly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../../src/core/random.ts';
import { applyOperation } from '../../../src/ops/apply.ts';
import type { MeshDeps } from '../../../src/ops/deps.ts';
import { openMesh } from '../../../src/ops/mesh.ts';
import { verifyOpenMesh } from '../../../src/ops/verify.ts';
import { DB, type Json, TelemetryMesh } from '../../telemetry/helpers.ts';
import { type BadPeer, startBadPeer } from './bad-peer.ts';

export { DB };

export const FRONTED = 'n1';
export const OTHER = 'n2';

export interface PeerWorldOptions {
  /** the link class's `retries_per_request` (0: a failed request crashes the job at once) */
  retries?: number;
  /** the link class's `connection_timeout` (ms) */
  timeoutMs?: number;
  seed?: number;
  /** `[replicator] max_backoff_interval_msec` of both nodes (CouchDB: 25000) */
  maxBackoffMs?: number;
}

export class PeerWorld {
  readonly mesh = new TelemetryMesh();
  peer!: BadPeer;

  async start(o: PeerWorldOptions = {}): Promise<this> {
    const replicator = o.maxBackoffMs ? { max_backoff_interval_msec: String(o.maxBackoffMs) } : undefined;
    await this.mesh.start(
      [FRONTED, OTHER].map((name) => ({ name, ...(replicator ? { replicator } : {}) })),
      [[FRONTED, OTHER]],
    );
    const port = Number(new URL(this.mesh.url(FRONTED)).port);
    this.peer = await startBadPeer({
      target: { host: '127.0.0.1', port },
      random: seededRandom(o.seed ?? 1),
    });
    writeFileSync(this.mesh.file, this.meshText(o));
    const r = await applyOperation({ file: this.mesh.file }, this.deps(), async () => true);
    if (!r.outcome.ok) throw new Error(`apply failed: ${JSON.stringify(r.outcome.nodes)}`);
    return this;
  }

  meshText(o: PeerWorldOptions): string {
    const node = (n: string) =>
      `  ${n}: { url: "${this.mesh.url(n)}", auth: { username: admin, password_env: COUCHMESH_PASSWORD } }`;
    return `mesh: badpeer
nodes:
${node(FRONTED)}
${node(OTHER)}
databases: [${DB}]
link_classes:
  fast: { extends: lan, checkpoint_interval: 100, retries_per_request: ${o.retries ?? 0}, connection_timeout: ${o.timeoutMs ?? 2000}, checkpoint_range: { min: 1, max: 100000 } }
defaults:
  class: fast
links:
  - { between: [${FRONTED}, ${OTHER}], endpoints: { ${FRONTED}: "${this.peer.url}" } }
`;
  }

  get file(): string {
    return join(this.mesh.dir, 'mesh.yaml');
  }

  deps(timeoutMs = 3000): MeshDeps {
    return { env: this.mesh.env, client: { retries: 0, timeoutMs } };
  }

  /** Crash reasons in the history of both nodes' jobs (`_scheduler/jobs`: kept while the job exists). */
  async crashes(): Promise<string[]> {
    const out: string[] = [];
    for (const node of [FRONTED, OTHER]) {
      const r = await this.mesh.ok(node, 'GET', '/_scheduler/jobs');
      for (const j of r.jobs as Json[])
        for (const h of j.history as Json[]) if (h.type === 'crashed') out.push(String(h.reason));
    }
    return out;
  }

  /** `_scheduler/docs` of both nodes: every replication doc's state and error. */
  async jobs(): Promise<Array<{ node: string; doc: string; state: string; error?: string; errors: number }>> {
    const out: Array<{ node: string; doc: string; state: string; error?: string; errors: number }> = [];
    for (const node of [FRONTED, OTHER]) {
      const r = await this.mesh.ok(node, 'GET', '/_scheduler/docs/_replicator');
      for (const d of r.docs as Json[])
        out.push({
          node,
          doc: d.doc_id,
          state: d.state,
          errors: d.error_count ?? 0,
          ...(typeof d.info?.error === 'string' ? { error: d.info.error } : {}),
        });
    }
    return out;
  }

  /** Verify until both nodes are identical, at most `passes` passes 200 ms apart. */
  async converge(passes = 100): Promise<{ ok: boolean; passes: number; state: string }> {
    const r = openMesh({ file: this.file }, this.deps());
    if (!r.ok) throw new Error('invalid mesh');
    try {
      let state = '';
      for (let i = 1; i <= passes; i++) {
        const rep = await verifyOpenMesh(r.mesh, {});
        state = rep.databases.flatMap((d) => d.pairs.map((p) => p.state)).join(',');
        if (rep.summary.divergent === 0 && rep.summary.not_compared === 0)
          return { ok: true, passes: i, state };
        await new Promise((res) => setTimeout(res, 200));
      }
      return { ok: false, passes, state };
    } finally {
      await r.mesh.close();
    }
  }

  async close(): Promise<void> {
    await this.peer?.close();
    await this.mesh.close();
  }
}

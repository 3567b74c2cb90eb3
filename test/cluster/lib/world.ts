// The telemetry test mesh (test/telemetry/helpers.ts) with node `c` a simulated 3-member CouchDB
// cluster (front.ts) over its embedded node: the mesh file names the front's URL for c, so every
// read of c (and every replication to or from it) goes through the front.
import { readFileSync, writeFileSync } from 'node:fs';
import type { NodeDef, TestNode } from '../../telemetry/helpers.ts';
import { TelemetryMesh } from '../../telemetry/helpers.ts';
import { ClusterFront } from './front.ts';

export const CLUSTER = 'c';

export class ClusterWorld extends TelemetryMesh {
  front?: ClusterFront;

  override async startNode(d: NodeDef, port: number): Promise<TestNode> {
    const node = await super.startNode(d, port);
    if (d.name === CLUSTER) this.front = await new ClusterFront(node.url).start();
    return node;
  }

  override url(name: string): string {
    return name === CLUSTER && this.front ? this.front.url : super.url(name);
  }

  get cluster(): ClusterFront {
    if (!this.front) throw new Error('the cluster node is not started');
    return this.front;
  }

  override async close(): Promise<void> {
    await this.front?.close();
    await super.close();
  }
}

/** c linked to s1 and s2 over `sensors`: c pulls s1->c and s2->c (their docs are on c). */
export async function clusterWorld(): Promise<ClusterWorld> {
  const w = new ClusterWorld();
  await w.start(
    [{ name: CLUSTER }, { name: 's1' }, { name: 's2' }],
    [
      [CLUSTER, 's1'],
      [CLUSTER, 's2'],
    ],
  );
  return w;
}

/** The `_replicator` doc id of `from->to` over sensors in mesh `t`. */
export const docOf = (from: string, to: string) => `couchmesh.t.sensors.${from}--${to}`;

/**
 * `clusterWorld` with c declared as a cluster with members: its stable `url` is the front (the load
 * balancer the `_replicator` docs name), its `members:` each member's own URL (the control plane
 * fails over between them, sticky to the first that answers: c1 while it is up).
 */
export async function membersWorld(): Promise<ClusterWorld> {
  const w = await clusterWorld();
  const members = w.cluster.members.map((m) => w.cluster.memberUrl(m));
  const text = readFileSync(w.file, 'utf8');
  const line = `  ${CLUSTER}: { url: "${w.cluster.url}",`;
  if (!text.includes(line)) throw new Error(`no line for ${CLUSTER} in the mesh file`);
  writeFileSync(w.file, text.replace(line, `${line} members: [${members.map((u) => `"${u}"`).join(', ')}],`));
  return w;
}

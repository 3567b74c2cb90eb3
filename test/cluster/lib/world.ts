// The telemetry test mesh (test/telemetry/helpers.ts) with node `c` a simulated 3-member CouchDB
// cluster (front.ts) over its embedded node: the mesh file names the front's URL for c, so every
// read of c (and every replication to or from it) goes through the front.
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

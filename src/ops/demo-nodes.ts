/**
 * The demo's nodes: one embedded node per mesh node on 127.0.0.1, in memory, with the mesh's port
 * when it is free (another one otherwise), and a client per node.
 */
import { CouchClient } from '../couch/client.ts';
import type { MeshSpec } from '../spec/types.ts';
import type { DemoNode, DemoNodeHandle, DemoProgress, StartNode } from './demo-types.ts';

const portOf = (url: string) => Number(new URL(url).port);

/**
 * Starts the mesh's nodes in order. Every handle is pushed to `started` as soon as it exists, so
 * the caller can close what did start when a later node fails.
 */
export async function startDemoNodes(
  spec: MeshSpec,
  o: { port?: number; password: string; start: StartNode; started: DemoNodeHandle[] },
  progress: DemoProgress,
): Promise<DemoNode[]> {
  const nodes: DemoNode[] = [];
  const options = (port: number) => ({ port, inMemory: true as const, admins: { admin: o.password } });
  for (const [i, n] of spec.nodes.entries()) {
    const wanted = o.port === undefined ? portOf(n.url) : o.port === 0 ? 0 : o.port + i;
    let node: DemoNodeHandle;
    let busy = false;
    try {
      node = await o.start(options(wanted));
    } catch (e) {
      if ((e as { code?: string }).code !== 'E_PORT_IN_USE') throw e;
      node = await o.start(options(0));
      busy = true;
    }
    o.started.push(node);
    if (busy) progress({ type: 'port-busy', node: n.name, wanted, port: node.port });
    nodes.push({ name: n.name, url: node.url, wanted: portOf(n.url) });
    progress({ type: 'node-up', node: n.name, url: node.url });
  }
  return nodes;
}

/**
 * A client per node; the replicator's startup jitter set to 0 so the demo's replications start at
 * once (CouchDB's `[replicator] startup_jitter` delays each job by up to 5 s after a restart).
 */
export async function demoClients(
  nodes: readonly DemoNode[],
  password: string,
  clients: CouchClient[],
): Promise<void> {
  for (const node of nodes) {
    const c = new CouchClient({ url: node.url, auth: { username: 'admin', password }, retries: 2 });
    clients.push(c);
    await c.put('/_node/_local/_config/replicator/startup_jitter', '"0"');
  }
}

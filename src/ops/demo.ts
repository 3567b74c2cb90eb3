/**
 * The demo operation: starts the example mesh's embedded nodes on 127.0.0.1 (in memory), applies
 * the mesh with the same operation as `couchmesh apply`, writes sample sensor readings on the first
 * node and waits until every node has them. Progress goes to a callback as typed events; the result
 * is a running demo whose nodes keep replicating until `close()`. On any failure every node that
 * started is closed before the error is thrown: a failed demo leaves nothing running.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import { validateMesh } from '../spec/validate.ts';
import { applyOperation } from './apply.ts';
import { sampleReadings, waitForArrivals } from './demo-data.ts';
import { demoClients, startDemoNodes } from './demo-nodes.ts';
import {
  DEMO_DB,
  DEMO_SAMPLES,
  type DemoDeps,
  type DemoNode,
  type DemoNodeHandle,
  type DemoOptions,
  type DemoProgress,
  type DemoRun,
} from './demo-types.ts';
import { clockOf } from './deps.ts';
import { EXAMPLE_MESH, PASSWORD_ENV, ringMesh, withUrls } from './example-mesh.ts';

/** The node counts the demo runs: 4 is the example mesh, any other a generated ring. */
export function checkDemoNodeCount(n: number, given: unknown = n): number {
  if (!Number.isInteger(n) || n < 2 || n > 32)
    throw userError(
      'E_DEMO_NODES',
      `--nodes expects 2..32, got ${given}`,
      '4 is the example mesh (examples/seed-mesh.yaml)',
    );
  return n;
}

/** What a demo holds until it is closed. */
class DemoResources {
  readonly tmp = mkdtempSync(join(tmpdir(), 'couchmesh-demo-'));
  readonly started: DemoNodeHandle[] = [];
  readonly clients: CouchClient[] = [];
  #closed: Promise<void> | undefined;

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.allSettled(this.clients.map((c) => c.close()));
      await Promise.allSettled(this.started.map((n) => n.close()));
      rmSync(this.tmp, { recursive: true, force: true });
    })();
    return this.#closed;
  }
}

export async function runDemo(
  options: DemoOptions,
  deps: DemoDeps,
  progress: DemoProgress = () => {},
): Promise<DemoRun> {
  const count = checkDemoNodeCount(options.nodes ?? 4, options.nodes);
  const res = new DemoResources();
  try {
    return await demo(count, options, deps, progress, res);
  } catch (e) {
    await res.close();
    throw e;
  }
}

async function demo(
  count: number,
  options: DemoOptions,
  deps: DemoDeps,
  progress: DemoProgress,
  res: DemoResources,
): Promise<DemoRun> {
  const clock = clockOf(deps);
  // the mesh: the example file, or a generated ring
  const meshText = count === 4 ? readFileSync(EXAMPLE_MESH, 'utf8') : ringMesh(count, 25984);
  const shape = validateMesh(meshText, { file: EXAMPLE_MESH });
  if (!shape.spec) throw userError('E_DEMO', `the demo mesh is not valid: ${shape.errors} errors`);
  const spec = shape.spec;

  // the admin password: the user's, or one made up here and never printed (kept in a 0600 file)
  const given = deps.env[PASSWORD_ENV];
  const password = given || randomBytes(18).toString('base64url');
  const passwordFile = given ? undefined : join(res.tmp, 'password');
  if (passwordFile) writeFileSync(passwordFile, password, { mode: 0o600 });
  const env = { ...deps.env, [PASSWORD_ENV]: password };
  deps.setEnv?.(PASSWORD_ENV, password);

  progress({ type: 'starting', count });
  const nodes = await startDemoNodes(
    spec,
    { port: options.port, password, start: deps.startNode, started: res.started },
    progress,
  );
  await demoClients(nodes, password, res.clients);

  // the mesh file to apply: the example itself, or a copy naming the ports actually used
  const moved = nodes
    .map((n, i) => ({ from: spec.nodes[i]?.url as string, to: n.url }))
    .filter((m) => m.from !== m.to);
  let meshFile = EXAMPLE_MESH;
  if (count !== 4 || moved.length || options.editMesh) {
    meshFile = join(res.tmp, count === 4 ? 'mesh.yaml' : 'demo-mesh.yaml');
    const text = withUrls(meshText, moved);
    const edited = options.editMesh ? await options.editMesh(text, { spec, nodes }) : text;
    writeFileSync(meshFile, edited);
    const edit = options.editMesh ? { edited: true } : {};
    progress({ type: 'mesh-written', file: meshFile, ring: count !== 4, count, ...edit });
  }

  progress({ type: 'applying', meshFile });
  const { outcome } = await applyOperation({ file: meshFile }, { ...deps, env }, async (view) => {
    progress({ type: 'plan', view });
    return true;
  });
  progress({ type: 'applied', outcome });
  if (!outcome.ok)
    throw userError('E_DEMO_APPLY', `applying the demo mesh failed on ${outcome.failed.join(', ')}`);

  // sample sensor readings on the first node, then watch them arrive everywhere
  const first = nodes[0] as DemoNode;
  const docs = sampleReadings(DEMO_SAMPLES, new Date(clock.now()));
  const samples = docs.map((d) => d._id);
  progress({ type: 'writing', node: first.name, samples: DEMO_SAMPLES });
  const t0 = clock.now();
  await res.clients[0]?.post(`/${DEMO_DB}/_bulk_docs`, { docs });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const arrivals = await waitForArrivals({ db: DEMO_DB, samples, t0, clock, timeoutMs }, nodes, res.clients);
  progress({ type: 'converged', first: first.name, count, samples: DEMO_SAMPLES, arrivals });
  return {
    nodes,
    meshFile,
    ...(passwordFile ? { passwordFile } : {}),
    db: DEMO_DB,
    apply: outcome,
    samples,
    arrivals,
    close: () => res.close(),
  };
}

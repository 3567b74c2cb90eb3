// The controller's resolver for the conflict benchmark: `resolveMeshDatabase`, the entry the controller's
// conflicts loop calls (src/controller/resolve-loop.ts), over a one-node mesh.yaml naming the target
// server, with the mesh's client settings (as `couchmesh run` opens its mesh) and the database's
// `conflicts:` settings (lww on updated_at, the audit in a database on the same server).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveMeshDatabase } from '../../src/ops/conflicts-mesh.ts';
import { MeshInvalidError, type OpenMesh, openMesh } from '../../src/ops/mesh.ts';
import { parseConflictsConfig } from '../../src/resolve/index.ts';
import type { Run } from './conflict-runners.ts';
import type { Target } from './conflict-world.ts';

const PASSWORD_ENV = 'COUCHMESH_BENCH_PASSWORD';

/** A mesh of one node, `bench`, at the target's URL (its password through the environment, never the file). */
export function benchMesh(t: Target): { mesh: OpenMesh; close(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-bench-conflicts-mesh-'));
  const file = join(dir, 'mesh.yaml');
  const auth = t.auth ? `, auth: { username: "${t.auth.username}", password_env: ${PASSWORD_ENV} }` : '';
  writeFileSync(
    file,
    `mesh: bench-conflicts\nnodes:\n  bench: { url: "${t.url}"${auth} }\ndatabases:\n  - name: bench\n`,
  );
  const opened = openMesh({ file }, { env: t.auth ? { [PASSWORD_ENV]: t.auth.password } : {} });
  if (!opened.ok) throw new MeshInvalidError(opened.validation);
  const { mesh } = opened;
  return {
    mesh,
    async close() {
      await mesh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One resolution pass of `db` as the controller runs it: every conflict resolved, audited first. */
export async function controllerResolver(
  mesh: OpenMesh,
  db: string,
  n: number,
  o: { batch: number; concurrency: number },
): Promise<Run> {
  const config = parseConflictsConfig({
    strategy: 'lww',
    timestamp: 'updated_at',
    batch_size: o.batch,
    concurrency: o.concurrency,
    audit: { db: `${db}-audit` },
  });
  const r = await resolveMeshDatabase(mesh, { db, node: 'bench', config }, {});
  const node = r.nodes[0];
  if (node?.error || r.counts.resolved !== n || r.counts.failed)
    throw new Error(
      `controller resolved ${r.counts.resolved}/${n}, failed ${r.counts.failed} ${node?.error ?? ''}`,
    );
  return { docs: n, revisions: node?.stats?.revisions ?? 0 };
}

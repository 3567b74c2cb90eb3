/**
 * The one adapter between the controller and the mesh conflict operations (src/ops/conflicts-mesh.ts):
 * the controller resolves every database whose mesh.yaml `databases[].conflicts` block asks for it, on
 * the node the block names (`node: n1`) or on every node carrying the database (`node: all`, the
 * default). Resolving on several nodes converges: a resolution's rev id is a hash of its parent and
 * body (CouchDB's deterministic rev ids), so the same resolution made on two nodes is one revision.
 */
import {
  type MeshResolveResult,
  meshConflictCounts,
  resolveMeshDatabase,
  undoMeshResolution,
} from '../ops/conflicts-mesh.ts';
import type { MeshDeps } from '../ops/deps.ts';
import type { OpenMesh } from '../ops/mesh.ts';

export interface ConflictsPolicy {
  db: string;
  nodes: string[];
}

/** Every database whose mesh.yaml block asks for conflict resolution, with its nodes. */
export function conflictPolicies(m: Pick<OpenMesh, 'spec' | 'links'>): ConflictsPolicy[] {
  const out: ConflictsPolicy[] = [];
  for (const d of m.spec.databases) {
    if (!d.conflicts) continue;
    const carrying = m.spec.nodes
      .map((n) => n.name)
      .filter((n) => m.links.some((l) => l.db === d.name && l.directions.some((x) => x.from === n)));
    const node = d.conflicts.node;
    out.push({ db: d.name, nodes: node === undefined || node === 'all' ? carrying : [node] });
  }
  return out;
}

/** One resolution pass of `db` on `node` with the database's mesh.yaml settings. */
export function resolveOn(
  m: OpenMesh,
  db: string,
  node: string,
  deps: MeshDeps,
  dryRun: boolean,
): Promise<MeshResolveResult> {
  return resolveMeshDatabase(m, { db, node, dryRun }, deps);
}

/** Documents of `db` on `node` with conflicts now (-1 when the node could not be read). */
export async function conflictCount(m: OpenMesh, db: string, node: string, deps: MeshDeps): Promise<number> {
  const counts = await meshConflictCounts(m, { db, node }, deps.signal ? { signal: deps.signal } : {});
  return counts[node] ?? -1;
}

export function undoOn(m: OpenMesh, db: string, node: string, auditId: string, deps: MeshDeps) {
  return undoMeshResolution(m, { db, auditId, node }, deps);
}

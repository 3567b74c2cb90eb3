/**
 * Reads every node's replication checkpoints (`_local_docs?include_docs=true` of each mesh
 * database: the `_local/<replication id>` docs with a `history`) and names each replication id by
 * its `_replicator` document (`_scheduler/docs`), for src/rehearse/rescans.ts. A node that cannot be
 * read (crashed) contributes nothing.
 */
import { repIdBase } from '../observe/checkpoints.ts';
import { type CheckpointSessions, checkpointSessions } from '../rehearse/rescans.ts';
import type { OpenMesh } from './mesh.ts';

export async function readCheckpoints(m: OpenMesh): Promise<CheckpointSessions[]> {
  const out: CheckpointSessions[] = [];
  for (const [node, c] of m.clients)
    for (const d of m.spec.databases) {
      const r = await c
        .get<{ rows: Array<{ id: string; doc?: { history?: unknown } }> }>(
          `/${encodeURIComponent(d.name)}/_local_docs`,
          { include_docs: true },
        )
        .catch(() => ({ rows: [] }));
      out.push(...checkpointSessions(node, d.name, r.rows));
    }
  return out;
}

/** replication id (base) -> `_replicator` doc id, from every node's scheduler. */
export async function directionLabels(m: OpenMesh): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const c of m.clients.values()) {
    const r = await c
      .get<{ docs: Array<{ id?: string | null; doc_id: string }> }>('/_scheduler/docs')
      .catch(() => ({ docs: [] }));
    for (const d of r.docs) if (d.id) out.set(repIdBase(d.id), d.doc_id);
  }
  return out;
}

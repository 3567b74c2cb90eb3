/**
 * Reads every node's replication checkpoints (`_local_docs?include_docs=true` of each mesh
 * database: the `_local/<replication id>` docs with a `history`) and names each replication id by
 * its `_replicator` document (`_scheduler/docs`), for src/rehearse/rescans.ts. A node that cannot be
 * read (crashed) contributes nothing.
 */
import type { Clock } from '../core/clock.ts';
import { seqEquals } from '../couchdb/seq.ts';
import { repIdBase } from '../observe/checkpoints.ts';
import { type CheckpointSessions, checkpointSessions, type RunningJob } from '../rehearse/rescans.ts';
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

interface SchedulerDoc {
  id?: string | null;
  doc_id: string;
  state?: string;
  info?: { checkpointed_source_seq?: string | number | null } | null;
}

/** Every node's jobs (`_scheduler/docs`): replication id (base) -> `_replicator` doc id, and their states. */
export async function readJobs(m: OpenMesh): Promise<{ labels: Map<string, string>; jobs: RunningJob[] }> {
  const labels = new Map<string, string>();
  const jobs: RunningJob[] = [];
  for (const c of m.clients.values()) {
    const r = await c.get<{ docs: SchedulerDoc[] }>('/_scheduler/docs').catch(() => ({ docs: [] }));
    for (const d of r.docs) {
      if (!d.id) continue;
      const id = repIdBase(d.id);
      labels.set(id, d.doc_id);
      jobs.push({
        id,
        state: d.state ?? '',
        checkpointed_source_seq: d.info?.checkpointed_source_seq ?? null,
      });
    }
  }
  return { labels, jobs };
}

/**
 * Waits (at most `timeoutMs`) until every running job has written a checkpoint (its
 * `checkpointed_source_seq` is no longer the bare `0` a job shows before its first one: each records
 * its progress at its `checkpoint_interval`). A scenario starts from there, so a re-scan it causes
 * is told from the checkpoints' histories. Returns whether they all had.
 */
export async function checkpointsSettled(m: OpenMesh, clock: Clock, timeoutMs: number): Promise<boolean> {
  const end = clock.now() + timeoutMs;
  for (;;) {
    const { jobs } = await readJobs(m);
    const behind = jobs.filter((j) => j.state === 'running' && seqEquals(j.checkpointed_source_seq, 0));
    if (!behind.length) return true;
    if (clock.now() > end) return false;
    await clock.sleep(500);
  }
}

/**
 * `checkpoint reset`: a clean re-scan of a direction from 0, as an operator would do it by hand on
 * CouchDB (stop the job, delete both `_local` checkpoints, recreate the job).
 */
import { userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import { SERVER_WRITTEN_REPLICATION_FIELDS } from '../couchdb/replicator-fields.ts';
import { deleteCheckpointDoc, repIdBase } from '../observe/checkpoints.ts';
import type { CheckpointOptions } from './checkpoint.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import { type DirectionJob, directionJob, needRepId } from './direction-job.ts';
import { DEFAULT_STOP_TIMEOUT_MS, waitJobGone } from './job-stop.ts';
import { type OpenMesh, selectLink, withMesh } from './mesh.ts';

/** Asked before anything is deleted; false cancels (nothing changed). */
export type Confirm = (question: string) => Promise<boolean>;

export interface ResetResult {
  link: string;
  db: string;
  direction: string;
  rep_id: string;
  base: string;
  doc_node: string;
  doc_id: string;
  deleted: { source: boolean; target: boolean };
  /** rev of the recreated `_replicator` document */
  recreated_rev: string;
}

const SERVER_FIELDS = ['_rev', ...SERVER_WRITTEN_REPLICATION_FIELDS];

/** Waits (bounded, on the clock) until the scheduler no longer lists the doc's job. */
async function jobGone(m: OpenMesh, deps: MeshDeps, node: string, docId: string): Promise<void> {
  const client = m.clients.get(node) as CouchClient;
  if (await waitJobGone(client, docId, { clock: clockOf(deps), signal: deps.signal })) return;
  throw userError(
    'E_RESET_STOP',
    `the job of ${docId} on ${node} did not stop within ${DEFAULT_STOP_TIMEOUT_MS / 1000} s`,
    'check the node, then retry',
  );
}

/**
 * One direction's reset: stop the job (delete its `_replicator` doc and wait until the scheduler
 * drops it, so it writes no further checkpoint), delete `_local/<rep id base>` in the source AND
 * the target database, then recreate the document as it was: the new job finds no checkpoint and
 * re-scans from 0.
 */
export async function resetDirection(m: OpenMesh, j: DirectionJob, deps: MeshDeps): Promise<ResetResult> {
  const repId = needRepId(j);
  const base = repIdBase(repId);
  const docClient = m.clients.get(j.docNode) as CouchClient;
  const path = `/_replicator/${encodeURIComponent(j.docId)}`;
  const doc = await docClient.get<Record<string, unknown>>(path);
  const body: Record<string, unknown> = { ...doc };
  for (const k of SERVER_FIELDS) delete body[k];
  await docClient.delete(path, { rev: String(doc._rev) });
  try {
    await jobGone(m, deps, j.docNode, j.docId);
    const [source, target] = await Promise.all([
      deleteCheckpointDoc(m.clients.get(j.from) as CouchClient, j.db, base),
      deleteCheckpointDoc(m.clients.get(j.to) as CouchClient, j.db, base),
    ]);
    const created = await docClient.put<{ rev: string }>(path, body);
    return {
      link: j.link,
      db: j.db,
      direction: j.direction,
      rep_id: repId,
      base,
      doc_node: j.docNode,
      doc_id: j.docId,
      deleted: { source: source.deleted, target: target.deleted },
      recreated_rev: created.rev,
    };
  } catch (e) {
    // never leave the direction without its document
    await docClient.put(path, body).catch(() => undefined);
    throw e;
  }
}

/**
 * `checkpoint reset` (data): `confirm` sees what will be deleted (a front end asks, or passes `--yes`),
 * then `resetDirection` for each selected direction, one after the other.
 */
export async function checkpointReset(
  opts: CheckpointOptions,
  deps: MeshDeps,
  confirm: Confirm,
): Promise<{ approved: boolean; results: ResetResult[] }> {
  return withMesh(opts, deps, async (m) => {
    const sel = selectLink(m.links, opts);
    const jobs = await Promise.all(
      sel.directions.map((ref) => directionJob(m, sel.link.link, sel.link.db, ref)),
    );
    for (const j of jobs) needRepId(j);
    const what = jobs
      .map((j) => `${j.direction}: _local/${repIdBase(j.repId as string)} on ${j.from} and ${j.to}`)
      .join('; ');
    const ok = await confirm(
      `Reset the checkpoints of ${sel.link.link} (${sel.link.db}) — ${what} — and restart the job(s) from 0?`,
    );
    if (!ok) return { approved: false, results: [] };
    const results: ResetResult[] = [];
    for (const j of jobs) results.push(await resetDirection(m, j, deps));
    return { approved: true, results };
  });
}

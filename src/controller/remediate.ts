/**
 * The remediations, on one direction of an open mesh:
 * - `restart-job`: delete the direction's `_replicator` doc, wait until the scheduler drops the job,
 *   recreate it as it was. The new job compares both `_local` checkpoints (CouchDB's
 *   compare_replication_logs): a recreated target has none, so it re-scans from 0 and backfills —
 *   what CouchDB 3.5 never does on its own when the target is recreated while the job is idle.
 * - `reset-checkpoints`: `checkpoint reset` (ops/checkpoint-reset.ts): also deletes both checkpoints.
 * - `reconcile`: a one-shot pass (ops/reconcile.ts), checkpoints untouched.
 */
import type { CouchClient } from '../couch/client.ts';
import { SERVER_WRITTEN_REPLICATION_FIELDS } from '../couchdb/replicator-fields.ts';
import { type DirectionRef, directionKey, type MeshLink } from '../observe/links.ts';
import { resetDirection } from '../ops/checkpoint-reset.ts';
import { clockOf, type MeshDeps } from '../ops/deps.ts';
import { directionJob } from '../ops/direction-job.ts';
import { waitJobGone } from '../ops/job-stop.ts';
import type { OpenMesh } from '../ops/mesh.ts';
import { reconcileDirection } from '../ops/reconcile.ts';
import type { Remediation } from '../spec/controller.ts';

export interface DirectionAt {
  link: MeshLink;
  ref: DirectionRef;
}

/** The mesh's direction `from->to` of database `db`, if declared. */
export function findDirection(m: Pick<OpenMesh, 'links'>, direction: string, db: string): DirectionAt | null {
  for (const link of m.links) {
    if (link.db !== db) continue;
    const ref = link.directions.find((d) => directionKey(d.from, d.to) === direction);
    if (ref) return { link, ref };
  }
  return null;
}

const SERVER_FIELDS = ['_rev', ...SERVER_WRITTEN_REPLICATION_FIELDS];

/** Stops and recreates the direction's job (checkpoints kept); returns the new doc's rev. */
export async function restartJob(m: OpenMesh, d: DirectionAt, deps: MeshDeps): Promise<string> {
  const client = m.clients.get(d.ref.docNode) as CouchClient;
  const path = `/_replicator/${encodeURIComponent(d.ref.docId)}`;
  const doc = await client.get<Record<string, unknown>>(path);
  const body: Record<string, unknown> = { ...doc };
  for (const k of SERVER_FIELDS) delete body[k];
  await client.delete(path, { rev: String(doc._rev) });
  try {
    // a job still listed at the deadline is replaced anyway: the doc processor sees delete then create
    await waitJobGone(client, d.ref.docId, { clock: clockOf(deps), signal: deps.signal });
  } catch (e) {
    // never leave the direction without its document
    await client.put(path, body).catch(() => undefined);
    throw e;
  }
  const created = await client.put<{ rev: string }>(path, body);
  return created.rev;
}

/** Runs `r` on the direction; returns a one-line detail of what was done. */
export async function remediate(
  m: OpenMesh,
  d: DirectionAt,
  r: Exclude<Remediation, 'none'>,
  deps: MeshDeps,
): Promise<string> {
  const direction = directionKey(d.ref.from, d.ref.to);
  if (r === 'restart-job') {
    const rev = await restartJob(m, d, deps);
    return `restarted the job of ${d.ref.docId} on ${d.ref.docNode} (rev ${rev})`;
  }
  if (r === 'reset-checkpoints') {
    const j = await directionJob(m, d.link.link, d.link.db, d.ref);
    const res = await resetDirection(m, j, deps);
    return `reset the checkpoints _local/${res.base} on ${res.deleted.source ? d.ref.from : '-'}/${res.deleted.target ? d.ref.to : '-'} and restarted ${direction}`;
  }
  const res = await reconcileDirection(
    m,
    { link: d.link.link, db: d.link.db, ref: d.ref },
    {},
    deps,
    () => {},
  );
  return `one-shot reconcile of ${direction}: ${res.stats.docs_written} docs written, ${res.stats.missing_revisions_found} missing revisions found`;
}

/** Which replication job drives a direction: its `_replicator` doc's entry in `_scheduler/docs`. */
import { userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { type DirectionRef, directionKey } from '../observe/links.ts';
import type { OpenMesh } from './mesh.ts';

/** A direction's replication as the scheduler reports it on the doc's node. */
export interface DirectionJob {
  link: string;
  db: string;
  from: string;
  to: string;
  direction: string;
  docNode: string;
  docId: string;
  /** null when the node has no job for the doc (missing doc, failed / completed) */
  repId: string | null;
  state: string | null;
}

export async function schedulerEntry(client: CouchClient, docId: string) {
  try {
    return await client.get<{ id: string | null; state: string }>(
      `/_scheduler/docs/_replicator/${encodeURIComponent(docId)}`,
    );
  } catch (e) {
    if (isCouchError(e) && e.status === 404) return null;
    throw e;
  }
}

export async function directionJob(
  m: OpenMesh,
  link: string,
  db: string,
  ref: DirectionRef,
): Promise<DirectionJob> {
  const client = m.clients.get(ref.docNode) as CouchClient;
  const entry = await schedulerEntry(client, ref.docId);
  return {
    link,
    db,
    from: ref.from,
    to: ref.to,
    direction: directionKey(ref.from, ref.to),
    docNode: ref.docNode,
    docId: ref.docId,
    repId: entry?.id ?? null,
    state: entry?.state ?? null,
  };
}

export function needRepId(j: DirectionJob): string {
  if (j.repId) return j.repId;
  throw userError(
    'E_NO_REPLICATION_ID',
    `${j.direction} (${j.db}) has no replication job on ${j.docNode} (${j.state ?? 'no _replicator document'}): its checkpoint id is unknown`,
    j.state === null
      ? 'create the replication documents first: couchmesh apply'
      : 'a failed or completed document has no job; recreate the document (couchmesh apply) and try again',
    { direction: j.direction, state: j.state },
  );
}

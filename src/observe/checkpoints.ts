/**
 * Checkpoint documents, read on demand (doctor, `checkpoint show|verify|reset`): the live checkpoint
 * of a replication is `_local/<replication id base>` in the source AND the target database (seed;
 * REFERENCE A4). The base is the scheduler's replication id without its `+continuous` /
 * `+create_target` extensions.
 */
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { parseCheckpointDoc } from './parse.ts';
import type { CheckpointDoc, CheckpointPair } from './types.ts';

/** `"abc123+continuous+create_target"` -> `"abc123"`. */
export const repIdBase = (repId: string): string => repId.split('+')[0] as string;

/** `/{db}/_local/{base}` */
export const checkpointPath = (db: string, base: string) =>
  `/${encodeURIComponent(db)}/_local/${encodeURIComponent(base)}`;

export interface CheckpointSide {
  node: string;
  /** null: 404, no checkpoint */
  doc: CheckpointDoc | null;
  /** the node could not be read (the pair then says nothing about this side) */
  error?: { code: string; message: string };
}

export interface CheckpointRead {
  link: string;
  db: string;
  from: string;
  to: string;
  repId: string;
  base: string;
  source: CheckpointSide;
  target: CheckpointSide;
  /** for the integrity rule; null when a side could not be read */
  pair: CheckpointPair | null;
}

export interface DirectionId {
  link: string;
  db: string;
  from: string;
  to: string;
  repId: string;
}

/** One side's checkpoint doc: null on 404; a read error is reported in `error`. */
export async function readCheckpointDoc(
  node: string,
  client: CouchClient | undefined,
  db: string,
  base: string,
  signal?: AbortSignal,
): Promise<CheckpointSide> {
  if (!client) return { node, doc: null, error: { code: 'E_NO_CLIENT', message: `no client for ${node}` } };
  try {
    const body = await client.get<unknown>(checkpointPath(db, base), undefined, signal ? { signal } : {});
    return { node, doc: parseCheckpointDoc(body) };
  } catch (e) {
    if (isCouchError(e) && e.status === 404) return { node, doc: null };
    const code = isCouchError(e) ? e.code : 'E_CHECKPOINT_READ';
    return { node, doc: null, error: { code, message: e instanceof Error ? e.message : String(e) } };
  }
}

/** Both checkpoint docs of a direction (2 requests, in parallel). */
export async function readCheckpoints(
  d: DirectionId,
  clients: ReadonlyMap<string, CouchClient>,
  signal?: AbortSignal,
): Promise<CheckpointRead> {
  const base = repIdBase(d.repId);
  const [source, target] = await Promise.all([
    readCheckpointDoc(d.from, clients.get(d.from), d.db, base, signal),
    readCheckpointDoc(d.to, clients.get(d.to), d.db, base, signal),
  ]);
  const pair =
    source.error || target.error
      ? null
      : { link: d.link, db: d.db, from: d.from, to: d.to, source: source.doc, target: target.doc };
  return { ...d, base, source, target, pair };
}

/** Deletes one side's checkpoint doc; false when there was none. */
export async function deleteCheckpointDoc(
  client: CouchClient,
  db: string,
  base: string,
): Promise<{ deleted: boolean; rev?: string }> {
  const path = checkpointPath(db, base);
  try {
    const doc = await client.get<{ _rev?: string }>(path);
    await client.delete(path, doc._rev ? { rev: doc._rev } : undefined);
    return { deleted: true, ...(doc._rev ? { rev: doc._rev } : {}) };
  } catch (e) {
    if (isCouchError(e) && e.status === 404) return { deleted: false };
    throw e;
  }
}

/** Time of the newest checkpoint write: `history[0].end_time` (RFC 1123), or null. */
export function checkpointTime(doc: CheckpointDoc | null | undefined): number | null {
  const t = doc?.history[0]?.end_time;
  if (!t) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

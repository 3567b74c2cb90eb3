/**
 * The deep checks (a slower cadence than the poll): the identity of every replicated database on
 * every node, and both checkpoints of every direction.
 *
 * A database deleted and recreated while its replications are idle is invisible to CouchDB 3.5:
 * its jobs stay `running` and the recreated database stays empty (REFERENCE G2). It shows in the
 * node's db info: `instance_start_time` changes (off clusters, where it is not "0"), `update_seq`
 * goes back, and doc_count + doc_del_count goes down (deletes move docs from one to the other;
 * only a purge or a recreation lowers the sum). The baseline is kept in the store, so a recreation
 * that happened while the controller was down is noticed too.
 */
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { seqNumber } from '../couchdb/seq.ts';
import { type CheckpointRead, readCheckpoints } from '../observe/checkpoints.ts';
import { parseDbInfo } from '../observe/parse.ts';
import type { LinkView } from '../observe/snapshot.ts';
import type { OpenMesh } from '../ops/mesh.ts';
import { mapLimit } from '../plan/observe.ts';
import type { DbIdentity } from './store.ts';

/** Every (node, db) pair a link carries. */
export function replicatedDbs(m: Pick<OpenMesh, 'links'>): Array<{ node: string; db: string }> {
  const seen = new Set<string>();
  const out: Array<{ node: string; db: string }> = [];
  for (const l of m.links)
    for (const d of l.directions)
      for (const node of [d.from, d.to]) {
        const k = `${node}\n${l.db}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ node, db: l.db });
      }
  return out;
}

/** One database's identity now; null when the node does not answer or the db is missing. */
export async function readDbIdentity(
  client: CouchClient,
  node: string,
  db: string,
  at: number,
  signal?: AbortSignal,
): Promise<DbIdentity | null> {
  try {
    const info = parseDbInfo(
      await client.get<unknown>(`/${encodeURIComponent(db)}`, undefined, signal ? { signal } : {}),
    );
    const raw = info as { doc_count?: number; doc_del_count?: number };
    return {
      node,
      db,
      update_seq: String(info.update_seq),
      seq_number: seqNumber(info.update_seq),
      docs_total: raw.doc_count === undefined ? null : raw.doc_count + (raw.doc_del_count ?? 0),
      instance_start_time: info.instance_start_time,
      at,
    };
  } catch (e) {
    if (isCouchError(e)) return null;
    throw e;
  }
}

/** Why `now` is not the database `before` was (recreated, or rolled back), or null. */
export function identityChange(before: DbIdentity, now: DbIdentity): string | null {
  const b = before.instance_start_time;
  const n = now.instance_start_time;
  if (b !== '0' && n !== '0' && b !== n) return `instance_start_time changed (${b} -> ${n})`;
  if (before.seq_number !== null && now.seq_number !== null && now.seq_number < before.seq_number)
    return `update_seq went back (${before.seq_number} -> ${now.seq_number})`;
  if (before.docs_total !== null && now.docs_total !== null && now.docs_total < before.docs_total)
    return `doc_count + doc_del_count went down (${before.docs_total} -> ${now.docs_total})`;
  return null;
}

/** Both checkpoint docs of every direction that has a job (bounded concurrency). */
export async function readAllCheckpoints(
  m: Pick<OpenMesh, 'clients'>,
  views: readonly LinkView[],
  signal?: AbortSignal,
): Promise<CheckpointRead[]> {
  const todo = views.flatMap((v) =>
    v.directions
      .filter((d) => d.repId !== null)
      .map((d) => ({ link: v.link, db: v.db, from: d.from, to: d.to, repId: d.repId as string })),
  );
  return mapLimit(todo, 8, (d) => readCheckpoints(d, m.clients, signal));
}

import type { ChangesResponse, CouchClient, Seq } from '../couch/index.ts';
import { sortByWinner } from '../couchdb/winner.ts';
import type { ConflictResolver, Decision } from './decide.ts';
import { LeafReader } from './io/fetch.ts';
import type { FetchedLeaf } from './leaf.ts';

/** A document in conflict: CouchDB's winner and the other live leaves (`_conflicts`). */
export interface ConflictSummary {
  id: string;
  winner: string;
  conflicts: string[];
}

/**
 * Every document with conflicts: `_changes?style=all_docs` names the candidates (more than one leaf),
 * one `_bulk_get` per page keeps those with two or more live leaves.
 */
export async function listConflicts(
  client: CouchClient,
  db: string,
  o: { limit?: number; pageSize?: number; signal?: AbortSignal } = {},
): Promise<ConflictSummary[]> {
  const reader = new LeafReader(client, db);
  const out: ConflictSummary[] = [];
  const pageSize = o.pageSize ?? 1000;
  let since: Seq = 0;
  for (;;) {
    const page: ChangesResponse = await client.changes({
      db,
      since,
      limit: pageSize,
      style: 'all_docs',
      signal: o.signal,
    });
    const ids = page.results.filter((r) => r.changes.length > 1 && !r.deleted).map((r) => r.id);
    const leaves = await reader.read(ids, o.signal);
    for (const id of ids) {
      const live = sortByWinner((leaves.get(id) ?? []).filter((l) => !l.deleted));
      if (live.length < 2) continue;
      out.push({ id, winner: (live[0] as FetchedLeaf).rev, conflicts: live.slice(1).map((l) => l.rev) });
      if (o.limit !== undefined && out.length >= o.limit) return out;
    }
    since = page.last_seq;
    if (page.results.length < pageSize) return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

export interface ConflictDetail {
  id: string;
  /** Every leaf, winner first (deleted ones last). */
  leaves: Array<FetchedLeaf & { winner: boolean }>;
  /** What the configured strategy would do (when a resolver is given and the doc is in conflict). */
  decision?: Decision;
}

export async function showConflict(
  client: CouchClient,
  db: string,
  docId: string,
  resolver?: ConflictResolver,
): Promise<ConflictDetail> {
  const leaves = sortByWinner(await new LeafReader(client, db).openRevsAll(docId));
  const detail: ConflictDetail = { id: docId, leaves: leaves.map((l, i) => ({ ...l, winner: i === 0 })) };
  const decision = resolver ? await resolver.decide(docId, leaves) : null;
  if (decision) detail.decision = decision;
  return detail;
}

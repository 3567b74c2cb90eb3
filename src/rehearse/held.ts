/**
 * What a node holds of a database, read as any client would, for the "no acknowledged write lost"
 * invariant (#16): per document its winner, its leaves (with `_revisions` history) and every rev in
 * those histories. An acked rev must be, on every node, the winner, a losing leaf (CouchDB keeps
 * both: `_conflicts`), or an ancestor of a leaf (a later edit superseded it; CouchDB keeps the
 * history). Moved here from test/chaos/lib/invariants.ts, which calls it.
 */

/** One JSON request to one node (`GET`, or `POST` with a body); throws on a non-2xx answer. */
// biome-ignore lint/suspicious/noExplicitAny: CouchDB's JSON, read field by field below
export type ReadJson = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<any>;

export type Presence = 'winner' | 'leaf' | 'ancestor';

/** One document as a node holds it: winner, leaves, every rev, and per leaf its branch. */
export interface HeldDoc {
  winner: string;
  leaves: Set<string>;
  all: Set<string>;
  /** leaf rev -> deleted, and its revs newest first (`_revisions`) */
  branches?: Map<string, { deleted: boolean; history: string[] }>;
}

interface ChangeRow {
  id: string;
  changes: Array<{ rev: string }>;
}

interface BulkGetDoc {
  ok?: { _rev: string; _deleted?: boolean; _revisions?: { start: number; ids: string[] } };
}

/** Per doc id of `db`: its winner, leaves, and every rev in the leaves' histories. */
export async function heldDocs(read: ReadJson, db: string): Promise<Map<string, HeldDoc>> {
  const path = `/${encodeURIComponent(db)}`;
  const changes = (await read('GET', `${path}/_changes?style=all_docs`)) as { results: ChangeRow[] };
  const out = new Map<string, HeldDoc>();
  const wanted: Array<{ id: string; rev: string }> = [];
  for (const row of changes.results) {
    // style=all_docs lists the winner first (CouchDB's changes row order)
    const leaves = row.changes.map((c) => c.rev);
    out.set(row.id, {
      winner: leaves[0] as string,
      leaves: new Set(leaves),
      all: new Set(leaves),
      branches: new Map(),
    });
    for (const rev of leaves) wanted.push({ id: row.id, rev });
  }
  if (!wanted.length) return out;
  const got = (await read('POST', `${path}/_bulk_get?revs=true`, { docs: wanted })) as {
    results: Array<{ id: string; docs: BulkGetDoc[] }>;
  };
  for (const res of got.results)
    for (const d of res.docs) {
      const revs = d.ok?._revisions;
      if (!d.ok || !revs) continue;
      const entry = out.get(res.id);
      const history = revs.ids.map((h, i) => `${revs.start - i}-${h}`);
      for (const rev of history) entry?.all.add(rev);
      entry?.branches?.set(d.ok._rev, { deleted: d.ok._deleted === true, history });
    }
  return out;
}

export function presence(
  held: ReadonlyMap<string, HeldDoc>,
  a: { id: string; rev: string },
): Presence | undefined {
  const e = held.get(a.id);
  if (!e?.all.has(a.rev)) return undefined;
  return e.winner === a.rev ? 'winner' : e.leaves.has(a.rev) ? 'leaf' : 'ancestor';
}

/** Documents with more than one live (not deleted) leaf: in conflict. */
export function conflictedIds(held: ReadonlyMap<string, HeldDoc>): string[] {
  return [...held]
    .filter(([, d]) => [...(d.branches?.values() ?? [])].filter((b) => !b.deleted).length > 1)
    .map(([id]) => id);
}

/** Live leaves beyond each document's one winner: the conflicts CouchDB keeps (`_conflicts`). */
export function conflictLeaves(held: ReadonlyMap<string, HeldDoc>): number {
  let n = 0;
  for (const d of held.values()) {
    const live = [...(d.branches?.values() ?? [])].filter((b) => !b.deleted).length;
    if (live > 1) n += live - 1;
  }
  return n;
}

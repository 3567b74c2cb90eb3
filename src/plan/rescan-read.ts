/** The cost figures of plan's re-scan warnings: the source databases' sizes, read only when a warning names them. */
import type { CouchClient } from '../couch/client.ts';
import { type RescanWarning, rescanWarnings } from './rescan.ts';
import type { Action, ObservedNode } from './types.ts';

/**
 * The re-scan warnings of a plan's updates, each with `docs` (`doc_count` of `GET /{db}` on the
 * direction's source node) when that node answers; a failed read leaves the count out.
 */
export async function readRescanWarnings(
  actions: readonly Action[],
  observed: readonly ObservedNode[],
  clients: ReadonlyMap<string, CouchClient>,
): Promise<RescanWarning[]> {
  const found = rescanWarnings(actions, observed);
  if (found.length === 0) return found;
  const counts = new Map<string, number>();
  const key = (node: string, db: string) => `${node}\0${db}`;
  const pairs = new Map(found.map((w) => [key(w.from, w.db), w]));
  await Promise.all(
    [...pairs.values()].map(async (w) => {
      const info = await clients
        .get(w.from)
        ?.get<{ doc_count?: unknown }>(`/${encodeURIComponent(w.db)}`)
        .catch(() => undefined);
      if (typeof info?.doc_count === 'number') counts.set(key(w.from, w.db), info.doc_count);
    }),
  );
  return rescanWarnings(actions, observed, (node, db) => counts.get(key(node, db)));
}

/**
 * Streams one node's `_changes?style=all_docs` in pages (`limit` + `since` = the previous page's
 * `last_seq`), handing each row to `visit` and keeping nothing: memory is one page, whatever the
 * number of documents. CouchDB's `last_seq` with `limit` is the seq of the page's last row, and
 * `pending` counts the changes after it (sample `changes-limit.json`), so the walk ends on a short
 * page or `pending: 0`.
 *
 * A feed read in pages is not a snapshot: a document updated between two pages shows up again at
 * its new seq. Pass 1 then sees a differing bucket (only a cost: pass 2 re-reads it), and pass 2
 * keeps the later row of an id (the newer state).
 */
import type { CouchClient } from '../couch/client.ts';
import { type AllDocsChangeRow, type DocLeaves, fromChangeRow } from './digest.ts';

export type ChangesSource = Pick<CouchClient, 'changes'>;

export interface ReadOptions {
  /** rows per page */
  limit: number;
  signal?: AbortSignal;
  /** after every page: rows read so far on this node */
  onPage?: (docs: number) => void;
}

export interface ReadStats {
  docs: number;
  pages: number;
  /** the most rows one page held (at most `limit`) */
  maxPageRows: number;
}

export async function readAllDocsChanges(
  client: ChangesSource,
  db: string,
  opts: ReadOptions,
  visit: (d: DocLeaves) => void,
): Promise<ReadStats> {
  const stats: ReadStats = { docs: 0, pages: 0, maxPageRows: 0 };
  let since: AllDocsChangeSeq | undefined;
  for (;;) {
    opts.signal?.throwIfAborted();
    const page = await client.changes<never>({
      db,
      style: 'all_docs',
      limit: opts.limit,
      ...(since === undefined ? {} : { since }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const rows = page.results as unknown as AllDocsChangeRow[];
    stats.pages++;
    stats.maxPageRows = Math.max(stats.maxPageRows, rows.length);
    for (const r of rows) visit(fromChangeRow(r));
    stats.docs += rows.length;
    opts.onPage?.(stats.docs);
    if (rows.length < opts.limit || page.pending === 0) return stats;
    since = page.last_seq;
  }
}

type AllDocsChangeSeq = Awaited<ReturnType<ChangesSource['changes']>>['last_seq'];

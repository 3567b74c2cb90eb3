import { preferDoc } from './cluster.ts';
import { parseSchedulerDocsPage } from './parse.ts';
import type { SchedulerDoc } from './types.ts';

/** Fetches one page of `GET /_scheduler/docs?skip=&limit=` and returns its JSON body. */
export type FetchSchedulerPage = (skip: number, limit: number) => Promise<unknown>;

export interface AllSchedulerDocs {
  docs: SchedulerDoc[];
  /** `total_rows` of the last page read */
  totalRows: number;
  /** pages fetched (the request count, for the per-poll budget) */
  requests: number;
}

export interface ReadAllOptions {
  /**
   * Rows per request. CouchDB's default `limit` is 100 (`?DEFAULT_TASK_LIMIT`, REFERENCE A3) and it
   * has no upper bound, so a bigger page keeps a steady-state poll at one request per node.
   */
  pageSize?: number;
  /** Safety stop against a server whose `total_rows` never converges. */
  maxPages?: number;
}

/**
 * Reads every `_scheduler/docs` row by paging with `limit`/`skip` until `total_rows` is covered —
 * never stopping at CouchDB's default page of 100 (what Fauxton shows). Rows are keyed by
 * `database/doc_id`: skip-paging over a list that changes between requests can repeat a row (kept
 * once) or miss one (the next poll sees it); on a cluster two members may both report a doc while it
 * changes owner, and the row that describes the job now is kept (cluster.ts `preferDoc`). Do not combine with `?states=`: `total_rows` then
 * still counts every doc (samples/scheduler-docs-states-crashing.json), so it cannot end the loop.
 */
export async function readAllSchedulerDocs(
  fetchPage: FetchSchedulerPage,
  options: ReadAllOptions = {},
): Promise<AllSchedulerDocs> {
  const pageSize = Math.max(1, options.pageSize ?? 500);
  const maxPages = options.maxPages ?? 1000;
  const byKey = new Map<string, SchedulerDoc>();
  let skip = 0;
  let totalRows = 0;
  let requests = 0;
  while (requests < maxPages) {
    const page = parseSchedulerDocsPage(await fetchPage(skip, pageSize));
    requests++;
    totalRows = page.total_rows;
    for (const d of page.docs) {
      const key = `${d.database}/${d.doc_id}`;
      const cur = byKey.get(key);
      if (!cur || preferDoc(d, cur)) byKey.set(key, d);
    }
    skip += page.docs.length;
    // a short page is the end of the list: on a cluster with a member down `total_rows` keeps
    // counting the rows it no longer lists (cluster-samples/46), so it cannot end the loop
    if (page.docs.length < pageSize || skip >= totalRows) break;
  }
  return { docs: [...byKey.values()], totalRows, requests };
}

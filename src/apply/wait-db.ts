/**
 * Waits until a database just created answers a GET with 200. On a CouchDB cluster, `PUT /db` answers
 * 202 when fewer than a quorum of shard copies were written, and another member learns the new
 * shard map only once the `_dbs` change reaches it (mem3's internal replication): a replication job
 * started in that window crashes with `db_not_found` and waits for its retry (30-60 s, seen in 6 of
 * 16 cluster applies). apply therefore reads every new database back before writing any
 * replication document.
 */
import type { Clock } from '../core/clock.ts';
import type { CouchClient } from '../couch/client.ts';

export interface WaitDbOptions {
  clock: Clock;
  /** GETs before giving up (default 12: about 8 s of backoff) */
  tries?: number;
  signal?: AbortSignal;
}

/** Backoff between reads: 100 ms doubling, at most 1 s. */
const delay = (i: number) => Math.min(1_000, 100 * 2 ** i);

/**
 * Null when `db` answered 200, else why not (the last status or error). Requests made are added to
 * `count` (the node's request tally).
 */
export async function waitForDatabase(
  client: CouchClient,
  db: string,
  o: WaitDbOptions,
  count: () => void,
): Promise<string | null> {
  const tries = o.tries ?? 12;
  let last = '';
  for (let i = 0; i < tries; i++) {
    if (i > 0) await o.clock.sleep(delay(i - 1), o.signal);
    count();
    const res = await client.request({ method: 'GET', path: `/${encodeURIComponent(db)}`, retries: 0 });
    if (res.status === 200) return null;
    last = String(res.status);
  }
  return `database ${db} did not answer 200 after ${tries} reads (last: ${last})`;
}

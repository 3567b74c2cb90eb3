/**
 * The rehearsal's writers: one per node, each writing at a fixed rate what any client would (read a
 * document, PUT it with the rev that node has, now and then DELETE it; batches of new documents
 * through `_bulk_docs`) on a small pool of shared ids, so writes on two sides of a cut make
 * conflicts. A write counts as acknowledged only when the node answered 201/202 with its rev
 * (CouchDB's ack); a refused (409 on a concurrent edit) or unanswered one does not.
 */
import type { Clock } from '../core/clock.ts';
import { type Random, seededRandom } from '../core/random.ts';
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';

export interface Ack {
  node: string;
  db: string;
  id: string;
  rev: string;
  deleted: boolean;
}

/** What a run of writers got back; the test chaos suite tallies acks without `db` (one database). */
export interface WriteTally<A = Ack> {
  acked: A[];
  /** answered with something else than an ack (409 on a concurrent edit, ...) */
  refused: number;
  /** no answer (node down, killed mid-request) */
  failed: number;
}

export const newTally = <A = Ack>(): WriteTally<A> => ({ acked: [], refused: 0, failed: 0 });

/** Shared ids: few enough that both sides of a partition edit the same documents. */
export const POOL = 30;

export const int = (r: Random, n: number): number => Math.floor(r.float() * n);

interface Doc {
  _rev?: string;
}

/** One write on `client`'s node, decided by `r`; what happened goes into `t`. */
export async function writeOnce(
  client: CouchClient,
  w: { node: string; db: string; tag: string; now: number },
  r: Random,
  t: WriteTally,
): Promise<void> {
  const roll = r.float();
  const id = `doc-${String(int(r, POOL)).padStart(2, '0')}`;
  // lww's timestamp: the writer's clock (the later write wins), a draw breaking ties within a ms
  const updated_at = new Date(w.now).toISOString();
  const body = { by: w.node, value: int(r, 1_000_000), tag: w.tag, updated_at };
  const db = `/${encodeURIComponent(w.db)}`;
  try {
    if (roll < 0.15) {
      const docs = Array.from({ length: 3 }, (_, i) => ({ _id: `bulk-${w.tag}-${i}`, ...body }));
      const res = await client.post<Array<{ ok?: boolean; id: string; rev: string }>>(`${db}/_bulk_docs`, {
        docs,
      });
      for (const x of res)
        if (x.ok) t.acked.push({ node: w.node, db: w.db, id: x.id, rev: x.rev, deleted: false });
        else t.refused++;
      return;
    }
    const cur = await client.get<Doc>(`${db}/${id}`).catch((e) => {
      if (isCouchError(e) && e.status === 404) return undefined;
      throw e;
    });
    const rev = cur?._rev;
    const del = rev !== undefined && roll < 0.25;
    const res = del
      ? await client.delete<{ rev: string }>(`${db}/${id}`, { rev })
      : await client.put<{ rev: string }>(`${db}/${id}`, { ...(rev ? { _rev: rev } : {}), ...body });
    t.acked.push({ node: w.node, db: w.db, id, rev: res.rev, deleted: del });
  } catch (e) {
    if (isCouchError(e) && e.status !== undefined) t.refused++;
    else t.failed++;
  }
}

export interface WritersOptions {
  /** node name -> its client (straight to the node, not through a link's proxy) */
  clients: ReadonlyMap<string, CouchClient>;
  databases: readonly string[];
  /** writes per second per node */
  rate: number;
  seed: number;
  clock: Clock;
  /** a prefix of every bulk document id (unique per scenario) */
  tag: string;
}

/**
 * Starts one writer per node; `stop()` ends them after their write in flight and resolves when all
 * have. Each writer draws from its own generator (seed, node), so what one node writes does not
 * depend on how many writes another got through.
 */
export function startWriters(o: WritersOptions, t: WriteTally): { stop(): Promise<void> } {
  const ctl = new AbortController();
  const every = 1000 / o.rate;
  const loops = [...o.clients].map(async ([node, client], n) => {
    const r = seededRandom((o.seed * 31 + n) >>> 0);
    for (let k = 0; !ctl.signal.aborted; k++) {
      const start = o.clock.now();
      const db = o.databases[int(r, o.databases.length)] as string;
      await writeOnce(client, { node, db, tag: `${o.tag}-${node}-${k}`, now: start }, r, t);
      const wait = every - (o.clock.now() - start);
      if (wait > 0) await o.clock.sleep(wait, ctl.signal).catch(() => {});
    }
  });
  return {
    async stop() {
      ctl.abort();
      await Promise.all(loops);
    },
  };
}

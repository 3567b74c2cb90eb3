import { type CouchClient, dbPath, docPath, isCouchError } from '../../couch/index.ts';
import { type FetchedLeaf, toFetchedLeaf } from '../leaf.ts';

type BulkGetAnswer = {
  results: Array<{ id: string; docs: Array<{ ok?: Record<string, unknown>; error?: unknown }> }>;
};

/**
 * Reads every leaf (deleted ones too) of a set of documents: one `_bulk_get` naming only the ids
 * (CouchDB reads that as `open_revs=all`), or `GET ?open_revs=all` per document on servers
 * without `_bulk_get`. A document that does not exist has no leaves.
 */
export class LeafReader {
  #bulkGet: boolean | undefined;

  constructor(
    private readonly client: CouchClient,
    private readonly db: string,
    options: { bulkGet?: boolean; concurrency?: number } = {},
  ) {
    this.#bulkGet = options.bulkGet;
    this.concurrency = options.concurrency ?? 8;
  }

  private readonly concurrency: number;

  async read(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, FetchedLeaf[]>> {
    if (ids.length === 0) return new Map();
    if (this.#bulkGet !== false) {
      try {
        const out = await this.viaBulkGet(ids, signal);
        this.#bulkGet = true;
        return out;
      } catch (e) {
        // only an absent endpoint switches to the fallback (CouchDB < 2.0 answers 400/404/405)
        const absent =
          isCouchError(e) && [400, 404, 405].includes(e.status ?? 0) && this.#bulkGet === undefined;
        if (!absent) throw e;
        this.#bulkGet = false;
      }
    }
    return this.viaOpenRevs(ids, signal);
  }

  private async viaBulkGet(
    ids: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, FetchedLeaf[]>> {
    const res = await this.client.post<BulkGetAnswer>(
      `${dbPath(this.db)}/_bulk_get`,
      { docs: ids.map((id) => ({ id })) },
      undefined,
      { signal },
    );
    const out = new Map<string, FetchedLeaf[]>();
    for (const id of ids) out.set(id, []);
    for (const r of res.results ?? [])
      for (const d of r.docs ?? []) if (d.ok) out.get(r.id)?.push(toFetchedLeaf(d.ok));
    return out;
  }

  private async viaOpenRevs(
    ids: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, FetchedLeaf[]>> {
    const out = new Map<string, FetchedLeaf[]>();
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        out.set(id, await this.openRevsAll(id, signal));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    return out;
  }

  /** `GET /db/doc?open_revs=all` as leaves (none when the doc does not exist). */
  async openRevsAll(id: string, signal?: AbortSignal): Promise<FetchedLeaf[]> {
    try {
      const rows = await this.client.get<Array<{ ok?: Record<string, unknown> }>>(
        docPath(this.db, id),
        { open_revs: 'all' },
        { signal, headers: { accept: 'application/json' } },
      );
      return rows.filter((r) => r.ok).map((r) => toFetchedLeaf(r.ok as Record<string, unknown>));
    } catch (e) {
      if (isCouchError(e) && e.status === 404) return [];
      throw e;
    }
  }
}

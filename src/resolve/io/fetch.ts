import { httpError } from '../../couch/errors.ts';
import { type CouchClient, dbPath, docPath, isCouchError, type RequestOptions } from '../../couch/index.ts';
import { JsonSyntaxError } from '../../couchdb/json-scan.ts';
import { parseJsonLossless } from '../json.ts';
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
    return (await this.receive(ids, signal))();
  }

  /**
   * Sends the read and resolves once its answer has arrived, with the parse still to do: a caller
   * that lets one read out at a time (batch.ts's read gate) lets the next one go before parsing this
   * one (~10 ms for 500 documents), or the node idles while we parse.
   */
  async receive(ids: readonly string[], signal?: AbortSignal): Promise<() => Map<string, FetchedLeaf[]>> {
    if (ids.length === 0) return () => new Map();
    if (this.#bulkGet !== false) {
      try {
        const parse = await this.viaBulkGet(ids, signal);
        this.#bulkGet = true;
        return parse;
      } catch (e) {
        // only an absent endpoint switches to the fallback (CouchDB < 2.0 answers 400/404/405)
        const absent =
          isCouchError(e) && [400, 404, 405].includes(e.status ?? 0) && this.#bulkGet === undefined;
        if (!absent) throw e;
        this.#bulkGet = false;
      }
    }
    const out = await this.viaOpenRevs(ids, signal);
    return () => out;
  }

  private async viaBulkGet(
    ids: readonly string[],
    signal?: AbortSignal,
  ): Promise<() => Map<string, FetchedLeaf[]>> {
    const answer = await receiveLossless(this.client, {
      method: 'POST',
      path: `${dbPath(this.db)}/_bulk_get`,
      body: { docs: ids.map((id) => ({ id })) },
      signal,
    });
    return () => {
      const res = answer() as BulkGetAnswer;
      const out = new Map<string, FetchedLeaf[]>();
      for (const id of ids) out.set(id, []);
      for (const r of res.results ?? [])
        for (const d of r.docs ?? []) if (d.ok) out.get(r.id)?.push(toFetchedLeaf(d.ok));
      return out;
    };
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
      const rows = (await readLossless(this.client, {
        path: docPath(this.db, id),
        query: { open_revs: 'all' },
        signal,
        headers: { accept: 'application/json' },
      })) as Array<{ ok?: Record<string, unknown> }>;
      return rows.filter((r) => r.ok).map((r) => toFetchedLeaf(r.ok as Record<string, unknown>));
    } catch (e) {
      if (isCouchError(e) && e.status === 404) return [];
      throw e;
    }
  }
}

/**
 * A JSON answer as `client.get`/`post` give it (CouchError on non-2xx), except that numbers keep
 * their lexemes: a merged body must carry `1.0` back as `1.0` (see json.ts).
 */
async function readLossless(client: CouchClient, o: RequestOptions): Promise<unknown> {
  return (await receiveLossless(client, o))();
}

/** The request's answer received (a CouchError on non-2xx), its parse left to the caller. */
async function receiveLossless(client: CouchClient, o: RequestOptions): Promise<() => unknown> {
  const res = await client.request({ ...o, stream: false });
  if (!res.ok) {
    const ctx = { node: client.url, method: o.method ?? 'GET', path: o.path, attempts: res.attempts };
    throw httpError(ctx, res.status, res.text()).withAttempts(res.attempts);
  }
  return () => {
    try {
      return parseJsonLossless(res.text());
    } catch (e) {
      if (e instanceof JsonSyntaxError) return res.json(); // throws the client's protocol error
      throw e;
    }
  };
}

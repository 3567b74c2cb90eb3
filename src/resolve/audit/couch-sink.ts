import { type CouchClient, dbPath, docPath, isCouchError } from '../../couch/index.ts';
import { type AuditEntry, entryRange, isAuditEntry, withDerived } from './entry.ts';
import { type AuditSink, byRecordedAt } from './sink.ts';

/** Entries per group-committed `_bulk_docs` at most (see `record`). */
const GROUP_MAX = 2_000;

interface Pending {
  entries: readonly AuditEntry[];
  resolve(failed: Map<string, string>): void;
  reject(e: unknown): void;
}

/**
 * The audit as a CouchDB database (default `couchmesh_audit`) on the node being resolved; it can be
 * replicated like any other. Entries are written with `new_edits:false` as revision `1-<id hash>`:
 * the id and the rev depend only on the resolution, so the same resolution recorded on two nodes is
 * the same revision and replication merges it without a conflict (each copy keeps its own
 * `recorded_at`).
 */
export class CouchAuditSink implements AuditSink {
  readonly description: string;

  constructor(
    private readonly client: CouchClient,
    readonly db = 'couchmesh_audit',
  ) {
    this.description = `db ${db}`;
  }

  /** Creates the database unless it exists; one request however often it is called (retried after a failure). */
  open(): Promise<void> {
    this.#opening ??= this.client.put(dbPath(this.db)).then(
      () => undefined,
      (e) => {
        if (isCouchError(e) && e.status === 412) return;
        this.#opening = undefined;
        throw e;
      },
    );
    return this.#opening;
  }

  #opening: Promise<void> | undefined;

  /**
   * Stores entries before their documents are touched. Batches pipelined by the worker record at
   * nearly the same time: entries that arrive while a write is in flight are sent together in the
   * next one (group commit: one `_bulk_docs`, one commit on the node, instead of one per batch), and
   * each caller's promise settles only once the write holding its entries has been answered, so an
   * entry is still stored before its resolution is written. A lone batch is sent at once (no wait).
   */
  record(entries: readonly AuditEntry[]): Promise<Map<string, string>> {
    if (!entries.length) return Promise.resolve(new Map());
    return new Promise((resolve, reject) => {
      this.#queue.push({ entries, resolve, reject });
      if (!this.#sending) void this.#flush();
    });
  }

  #queue: Pending[] = [];
  #sending = false;

  async #flush(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#queue.length) {
        // whole callers only, up to GROUP_MAX entries (one caller's batch may exceed it alone)
        let n = 0;
        let take = 0;
        while (
          take < this.#queue.length &&
          (take === 0 || n + (this.#queue[take] as Pending).entries.length <= GROUP_MAX)
        )
          n += (this.#queue[take++] as Pending).entries.length;
        const group = this.#queue.splice(0, take);
        try {
          const failed = await this.#write(group.flatMap((g) => g.entries));
          for (const g of group) {
            const mine = new Map<string, string>();
            for (const e of g.entries) {
              const why = failed.get(e._id);
              if (why !== undefined) mine.set(e._id, why);
            }
            g.resolve(mine);
          }
        } catch (e) {
          for (const g of group) g.reject(e);
        }
      }
    } finally {
      this.#sending = false;
    }
  }

  async #write(entries: readonly AuditEntry[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    await this.open();
    // a first revision needs no `_revisions`: the rev alone is the whole path
    const docs = entries.map((e) => ({ ...e, _rev: `1-${e._id.slice(-32)}` }));
    const res = await this.client.post<Array<{ id?: string; error?: string; reason?: string }>>(
      `${dbPath(this.db)}/_bulk_docs`,
      { docs, new_edits: false },
      undefined,
      { idempotent: true },
    );
    for (const r of res ?? []) if (r.error && r.id) failed.set(r.id, `${r.error}: ${r.reason ?? ''}`);
    return failed;
  }

  async forDoc(docId: string): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    for (const kind of ['r', 'd', 'u'] as const) {
      const [startkey, endkey] = entryRange(kind, docId);
      let res: { rows: Array<{ doc?: unknown }> };
      try {
        res = await this.client.get(`${dbPath(this.db)}/_all_docs`, { startkey, endkey, include_docs: true });
      } catch (e) {
        if (isCouchError(e) && e.status === 404) return [];
        throw e;
      }
      for (const row of res.rows)
        if (isAuditEntry(row.doc) && row.doc.doc_id === docId) out.push(strip(row.doc));
    }
    return out.sort(byRecordedAt);
  }

  async get(id: string): Promise<AuditEntry | undefined> {
    try {
      const doc = await this.client.get(docPath(this.db, id));
      return isAuditEntry(doc) ? strip(doc) : undefined;
    } catch (e) {
      if (isCouchError(e) && e.status === 404) return undefined;
      throw e;
    }
  }
}

function strip(doc: AuditEntry): AuditEntry {
  const { _rev, ...rest } = doc as AuditEntry & { _rev?: string };
  return withDerived(rest as AuditEntry);
}

import { type CouchClient, dbPath, docPath, isCouchError } from '../../couch/index.ts';
import { type AuditEntry, entryRange, isAuditEntry, withDerived } from './entry.ts';
import { type AuditSink, byRecordedAt } from './sink.ts';

/**
 * The audit as a CouchDB database (default `couchmesh_audit`) on the node being resolved; it can be
 * replicated like any other. Entries are written with `new_edits:false` as revision `1-<id hash>`:
 * the id and the rev depend only on the resolution, so the same resolution recorded on two nodes is
 * the same revision and replication merges it without a conflict (each copy keeps its own
 * `recorded_at`).
 */
export class CouchAuditSink implements AuditSink {
  readonly description: string;
  #opened = false;

  constructor(
    private readonly client: CouchClient,
    readonly db = 'couchmesh_audit',
  ) {
    this.description = `db ${db}`;
  }

  async open(): Promise<void> {
    if (this.#opened) return;
    try {
      await this.client.put(dbPath(this.db));
    } catch (e) {
      if (!(isCouchError(e) && e.status === 412)) throw e;
    }
    this.#opened = true;
  }

  async record(entries: readonly AuditEntry[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    if (!entries.length) return failed;
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

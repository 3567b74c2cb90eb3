import { type CouchClient, dbPath, docPath, isCouchError } from '../../couch/index.ts';
import { auditRev, chunk, chunkDocsJson } from './batch-doc.ts';
import { batchedEntry, entriesOfDoc } from './batch-read.ts';
import { type AuditEntry, isAuditEntry, withDerived } from './entry.ts';
import type { AuditSink } from './sink.ts';

/** Entries per group-committed `_bulk_docs` at most (see `record`). */
const GROUP_MAX = 2_000;

interface Pending {
  entries: readonly AuditEntry[];
  resolve(failed: Map<string, string>): void;
  reject(e: unknown): void;
}

/**
 * The audit as a CouchDB database (default `couchmesh_audit`) on the node being resolved; it can be
 * replicated like any other. The pipeline's entries are stored as batch documents (`b:` + its `x:`
 * index, batch-doc.ts: one document per entry cost the node ~2.5x the CPU), an undo as a document of
 * its own. Every document is written with `new_edits:false` as revision `1-<id hash>`: ids and revs
 * depend only on their content, so a resend is idempotent and the same document on two nodes is the
 * same revision, which replication merges without a conflict. The same resolution recorded on two
 * nodes lands in two batches; readers keep its earliest copy (batch-read.ts).
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
    await this.open();
    // an undo stays one document of its own (written alone, rarely); the pipeline's entries are batched
    const single = entries.filter((e) => e.type === 'couchmesh.undo');
    const chunks = chunk(single.length ? entries.filter((e) => e.type !== 'couchmesh.undo') : entries);
    // a first revision needs no `_revisions`: the rev alone is the whole path
    const docs = single.map((e) => JSON.stringify({ ...e, _rev: auditRev(e._id) }));
    const owner = new Map<string, readonly AuditEntry[]>();
    for (const c of chunks)
      for (const d of chunkDocsJson(c)) {
        docs.push(d.json);
        owner.set(d.id, c.entries);
      }
    const res = await this.client.post<Array<{ id?: string; error?: string; reason?: string }>>(
      `${dbPath(this.db)}/_bulk_docs`,
      `{"docs":[${docs.join(',')}],"new_edits":false}`,
      undefined,
      { idempotent: true },
    );
    const failed = new Map<string, string>();
    for (const r of res ?? []) {
      if (!r.error || !r.id) continue;
      const why = `${r.error}: ${r.reason ?? ''}`;
      // fail closed: a chunk whose batch or index was refused refuses every entry it holds
      const held = owner.get(r.id);
      if (!held) failed.set(r.id, why);
      else for (const e of held) if (!failed.has(e._id)) failed.set(e._id, `${why} (audit batch ${r.id})`);
    }
    return failed;
  }

  async forDoc(docId: string): Promise<AuditEntry[]> {
    return (await entriesOfDoc(this.client, this.db, docId)).map(withDerived);
  }

  /** A one-entry document first (one request), else the batches' index, newest first. */
  async get(id: string): Promise<AuditEntry | undefined> {
    try {
      const doc = await this.client.get(docPath(this.db, id));
      if (isAuditEntry(doc)) return strip(doc);
    } catch (e) {
      if (!(isCouchError(e) && e.status === 404)) throw e;
    }
    const e = await batchedEntry(this.client, this.db, id);
    return e && withDerived(e);
  }
}

function strip(doc: AuditEntry): AuditEntry {
  const { _rev, ...rest } = doc as AuditEntry & { _rev?: string };
  return withDerived(rest as AuditEntry);
}

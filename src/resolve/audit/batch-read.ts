import { type CouchClient, dbPath, isCouchError } from '../../couch/index.ts';
import { BATCH_RANGE, INDEX_RANGE, isBatchDoc, isIndexDoc } from './batch-doc.ts';
import { type AuditEntry, entryDocId, entryRange, isAuditEntry } from './entry.ts';
import { byRecordedAt } from './sink.ts';

/**
 * Reading an audit database in both layouts: one document per entry (`r:`/`d:`/`u:`, every undo and
 * every entry of earlier versions) and batches found through their `x:` index (batch-doc.ts). Entries
 * come back raw (no derived fields) and de-duplicated by `_id`: the same resolution recorded on two
 * nodes is two batches once the audit database replicates, and the copy kept is the earliest recorded.
 */

/** What the readers need of a client (a CouchClient). */
export type AuditReadClient = Pick<CouchClient, 'get' | 'post'>;

/** Index documents per `_all_docs` page: each names up to 1,000 entries (~60 bytes an id). */
const INDEX_PAGE = 50;
/** Batch documents per page (each up to ~1 MiB). */
const BATCH_PAGE = 16;
/** One-entry documents per page. */
const ENTRY_PAGE = 1_000;

interface Row {
  id: string;
  doc?: unknown;
}

/** `_all_docs` over `[start, end]` with the docs, page by page; nothing when the database is missing. */
async function* rows(
  client: AuditReadClient,
  db: string,
  [start, end]: [string, string],
  o: { limit: number; descending?: boolean },
): AsyncGenerator<Row[]> {
  let startkey = o.descending ? end : start;
  let skip = 0;
  for (;;) {
    let page: { rows: Row[] };
    try {
      page = await client.get(`${dbPath(db)}/_all_docs`, {
        startkey,
        endkey: o.descending ? start : end,
        include_docs: true,
        limit: o.limit,
        ...(o.descending ? { descending: true } : {}),
        ...(skip ? { skip } : {}),
      });
    } catch (e) {
      if (isCouchError(e) && e.status === 404) return;
      throw e;
    }
    if (page.rows.length) yield page.rows;
    if (page.rows.length < o.limit) return;
    // the next page starts after the last id (ids are unique: skip that one row)
    startkey = (page.rows[page.rows.length - 1] as Row).id;
    skip = 1;
  }
}

/** Keeps the earliest recorded copy of each entry id. */
function addEarliest(into: Map<string, AuditEntry>, e: AuditEntry): void {
  const had = into.get(e._id);
  if (!had || e.recorded_at < had.recorded_at) into.set(e._id, e);
}

/** Strips a stored document's `_rev` (and any other CouchDB field) off a one-entry document. */
function asEntry(doc: AuditEntry): AuditEntry {
  const { _rev, _conflicts, ...rest } = doc as AuditEntry & { _rev?: string; _conflicts?: unknown };
  return rest as AuditEntry;
}

/**
 * The batch holding entry `id`, newest first: the index is scanned page by page and the scan stops at
 * the first batch that holds it (a batch missing for its index, not replicated yet, is passed over).
 */
export async function batchedEntry(
  client: AuditReadClient,
  db: string,
  id: string,
): Promise<AuditEntry | undefined> {
  for await (const page of rows(client, db, INDEX_RANGE, { limit: INDEX_PAGE, descending: true }))
    for (const r of page) {
      if (!isIndexDoc(r.doc) || !r.doc.ids.includes(id)) continue;
      const [batch] = await readBatches(client, db, [r.doc.batch]);
      const e = batch?.find((x) => x._id === id);
      if (e) return e;
    }
  return undefined;
}

/** The entries of batches by id, one `_all_docs?keys` per page; a missing or deleted batch yields nothing. */
async function readBatches(
  client: AuditReadClient,
  db: string,
  ids: readonly string[],
): Promise<AuditEntry[][]> {
  const out: AuditEntry[][] = [];
  for (let i = 0; i < ids.length; i += BATCH_PAGE) {
    const res = await client.post<{ rows: Row[] }>(
      `${dbPath(db)}/_all_docs`,
      { keys: ids.slice(i, i + BATCH_PAGE) },
      { include_docs: true },
    );
    for (const r of res.rows) if (isBatchDoc(r.doc)) out.push(r.doc.entries.filter(isAuditEntry));
  }
  return out;
}

/**
 * Every entry of one document, raw, de-duplicated, oldest first. Costs a read of the whole `x:` index
 * (~60 bytes per entry ever batched) plus the batches that hold the document's entries.
 */
export async function entriesOfDoc(
  client: AuditReadClient,
  db: string,
  docId: string,
): Promise<AuditEntry[]> {
  const found = new Map<string, AuditEntry>();
  for (const kind of ['r', 'd', 'u'] as const)
    for await (const page of rows(client, db, entryRange(kind, docId), { limit: ENTRY_PAGE }))
      for (const r of page)
        if (isAuditEntry(r.doc) && r.doc.doc_id === docId) addEarliest(found, asEntry(r.doc));
  const batches = new Set<string>();
  for await (const page of rows(client, db, INDEX_RANGE, { limit: INDEX_PAGE }))
    for (const r of page)
      if (isIndexDoc(r.doc) && r.doc.ids.some((id) => entryDocId(id) === docId)) batches.add(r.doc.batch);
  for (const entries of await readBatches(client, db, [...batches]))
    for (const e of entries) if (e.doc_id === docId) addEarliest(found, e);
  return [...found.values()].sort(byRecordedAt);
}

/**
 * Every entry of an audit database, both layouts, raw, de-duplicated, oldest first. What a check over
 * the whole audit reads: no reader may assume one document per entry.
 */
export async function listAuditEntries(client: AuditReadClient, db: string): Promise<AuditEntry[]> {
  const found = new Map<string, AuditEntry>();
  for (const kind of ['r', 'd', 'u'] as const)
    for await (const page of rows(client, db, [`${kind}:`, `${kind}:\ufff0`], { limit: ENTRY_PAGE }))
      for (const r of page) if (isAuditEntry(r.doc)) addEarliest(found, asEntry(r.doc));
  for await (const page of rows(client, db, BATCH_RANGE, { limit: BATCH_PAGE }))
    for (const r of page)
      if (isBatchDoc(r.doc)) for (const e of r.doc.entries) if (isAuditEntry(e)) addEarliest(found, e);
  return [...found.values()].sort(byRecordedAt);
}

import { type AuditEntry, digest32 } from './entry.ts';

/**
 * The audit's batch layout. A CouchDB document costs the server far more than its bytes (rev tree,
 * by-id and by-seq rows, the seq index), so the pipeline's entries are stored many to a document:
 * each chunk is a batch `b:<stamp>:<hash>` holding the entries (each keeps its own `_id`, its identity)
 * and an index `x:<stamp>:<hash>` naming them, the small document readers scan. `<stamp>` is the first
 * entry's `recorded_at` (ISO, so `_all_docs` orders chunks by time), `<hash>` covers the entry ids.
 */
export interface AuditBatchDoc {
  _id: string;
  type: 'couchmesh.audit-batch';
  entries: AuditEntry[];
}

export interface AuditIndexDoc {
  _id: string;
  type: 'couchmesh.audit-index';
  /** The `b:` document holding the entries. */
  batch: string;
  /** The entry ids, in the batch's order: `<kind>:<doc id>:<32 hex>`, so they name their documents. */
  ids: string[];
}

export interface ChunkLimits {
  /** JSON characters of a chunk's entries at most; an entry larger alone gets a chunk of its own. */
  maxChars: number;
  maxEntries: number;
}

/**
 * CouchDB refuses a document over `[couchdb] max_document_size` (default 8,000,000 bytes in 3.x;
 * 413 `document_too_large`), measured on its decoded Erlang term, which can be ~30% larger than the
 * JSON (apache/couchdb#659). A chunk stops at 1 MiB of JSON characters, at most 3 MiB of UTF-8, well
 * under it either way; 1,000 entries bound what a reader parses to find one entry.
 */
export const CHUNK_LIMITS: ChunkLimits = { maxChars: 1024 * 1024, maxEntries: 1_000 };

/** Entries of one chunk, with the JSON text of each (measured once, then sent as it is). */
export interface Chunk {
  entries: AuditEntry[];
  json: string[];
}

/** Entries cut into chunks, in order, within `limits`. */
export function chunk(entries: readonly AuditEntry[], limits = CHUNK_LIMITS): Chunk[] {
  const out: Chunk[] = [];
  let c: Chunk = { entries: [], json: [] };
  let chars = 0;
  for (const e of entries) {
    const text = JSON.stringify(e);
    if (
      c.entries.length &&
      (c.entries.length >= limits.maxEntries || chars + text.length + 1 > limits.maxChars)
    ) {
      out.push(c);
      c = { entries: [], json: [] };
      chars = 0;
    }
    c.entries.push(e);
    c.json.push(text);
    chars += text.length + 1;
  }
  if (c.entries.length) out.push(c);
  return out;
}

export const chunkEntries = (entries: readonly AuditEntry[], limits = CHUNK_LIMITS): AuditEntry[][] =>
  chunk(entries, limits).map((c) => c.entries);

/** A chunk's two documents: the batch, then its index. */
export function chunkDocs(entries: readonly AuditEntry[]): [AuditBatchDoc, AuditIndexDoc] {
  const ids = entries.map((e) => e._id);
  const key = `${(entries[0] as AuditEntry).recorded_at}:${digest32(ids)}`;
  const batch = `b:${key}`;
  return [
    { _id: batch, type: 'couchmesh.audit-batch', entries: [...entries] },
    { _id: `x:${key}`, type: 'couchmesh.audit-index', batch, ids },
  ];
}

/** The revision a document of the audit is written as: `1-<32 hex of its id>` (every id ends in a hash). */
export const auditRev = (id: string): string => `1-${id.slice(-32)}`;

/**
 * `chunkDocs` as the JSON text `_bulk_docs` takes, each with its `_rev`: the entries' text measured by
 * `chunk` is spliced in, not produced a second time by stringifying the whole request.
 */
export function chunkDocsJson(c: Chunk): Array<{ id: string; json: string }> {
  const [batch, index] = chunkDocs(c.entries);
  const head = (id: string) => `{"_id":${JSON.stringify(id)},"_rev":"${auditRev(id)}"`;
  return [
    { id: batch._id, json: `${head(batch._id)},"type":"${batch.type}","entries":[${c.json.join(',')}]}` },
    { id: index._id, json: JSON.stringify({ ...index, _rev: auditRev(index._id) }) },
  ];
}

export function isBatchDoc(v: unknown): v is AuditBatchDoc {
  const d = v as Partial<AuditBatchDoc> | null;
  return d?.type === 'couchmesh.audit-batch' && Array.isArray(d.entries);
}

export function isIndexDoc(v: unknown): v is AuditIndexDoc {
  const d = v as Partial<AuditIndexDoc> | null;
  return d?.type === 'couchmesh.audit-index' && typeof d.batch === 'string' && Array.isArray(d.ids);
}

/** `_all_docs` key ranges of the layout (`\ufff0` sorts after every id character CouchDB collates). */
export const BATCH_RANGE: [string, string] = ['b:', 'b:\ufff0'];
export const INDEX_RANGE: [string, string] = ['x:', 'x:\ufff0'];

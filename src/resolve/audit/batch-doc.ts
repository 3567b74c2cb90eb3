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
 * CouchDB refuses a document over `max_document_size` (`[couchdb] max_document_size`, default
 * 8,000,000 bytes since 3.0; 413 `document_too_large`). A chunk stops at 1 MiB of JSON characters,
 * at most 3 MiB of UTF-8, well under it; 1,000 entries bound what a reader parses for one entry.
 */
export const CHUNK_LIMITS: ChunkLimits = { maxChars: 1024 * 1024, maxEntries: 1_000 };

/** Entries cut into chunks, in order, within `limits`. */
export function chunkEntries(entries: readonly AuditEntry[], limits = CHUNK_LIMITS): AuditEntry[][] {
  const out: AuditEntry[][] = [];
  let chunk: AuditEntry[] = [];
  let chars = 0;
  for (const e of entries) {
    const size = JSON.stringify(e).length + 1;
    if (chunk.length && (chunk.length >= limits.maxEntries || chars + size > limits.maxChars)) {
      out.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(e);
    chars += size;
  }
  if (chunk.length) out.push(chunk);
  return out;
}

/** A chunk's two documents: the batch, then its index. */
export function chunkDocs(chunk: readonly AuditEntry[]): [AuditBatchDoc, AuditIndexDoc] {
  const ids = chunk.map((e) => e._id);
  const key = `${(chunk[0] as AuditEntry).recorded_at}:${digest32(ids)}`;
  const batch = `b:${key}`;
  return [
    { _id: batch, type: 'couchmesh.audit-batch', entries: [...chunk] },
    { _id: `x:${key}`, type: 'couchmesh.audit-index', batch, ids },
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

/**
 * What `couchmesh verify` compares of one document, read from a `_changes?style=all_docs` row, and
 * its fixed-size hashes: the bucket (a hash of the id alone, so a document lands in the same bucket
 * on every node) and the document digest (id, sorted leaf revisions, winner, winner deleted).
 *
 * CouchDB 3.x (`couch_changes:changes_row/3`, samples `changes-style-all-docs.json` and
 * `conflicts-4-after-resolve-changes-style-all-docs.json`): with `style=all_docs` a row's `changes`
 * lists every leaf revision of the document, deleted leaves included, in `doc_info` order — the
 * winner first (live leaves before deleted ones, then the higher position, then the higher rev id),
 * and `deleted: true` is present when that first revision, the winner, is a deletion (only when every
 * leaf is deleted). The leaf set is sorted here so the digest does not depend on the server's order
 * of the losing leaves.
 */
import { createHash } from 'node:crypto';

/** One row of `_changes?style=all_docs` (the fields verify reads). */
export interface AllDocsChangeRow {
  id: string;
  changes: ReadonlyArray<{ rev: string }>;
  deleted?: boolean;
}

/** A document as verify compares it between nodes. */
export interface DocLeaves {
  id: string;
  /** the winning revision: the first of the row's `changes` */
  winner: string;
  /** the winner is a deletion (the row's `deleted`) */
  deleted: boolean;
  /** every leaf revision (deleted ones included), sorted */
  leaves: readonly string[];
}

export function fromChangeRow(row: AllDocsChangeRow): DocLeaves {
  const revs = row.changes.map((c) => c.rev);
  const winner = revs[0] ?? '';
  return { id: row.id, winner, deleted: row.deleted === true, leaves: revs.length > 1 ? revs.sort() : revs };
}

/**
 * The bucket of an id: FNV-1a (32 bits) over its UTF-16 code units, modulo `buckets`. Only the id is
 * hashed, so every node puts a document in the same bucket whatever revisions it holds.
 */
export function bucketOf(id: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % buckets;
}

/** The canonical text of a document's state; two nodes agree on a document when these are equal. */
export function canonical(d: DocLeaves): string {
  return `${d.id}\n${d.winner}\n${d.deleted ? 'd' : 'l'}\n${d.leaves.join(',')}`;
}

/** The 128-bit digest of a document (MD5 of its canonical text): a collision is not a practical risk. */
export function docHash(d: DocLeaves): Buffer {
  return createHash('md5').update(canonical(d)).digest();
}

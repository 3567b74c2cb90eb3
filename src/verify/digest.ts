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

const state = new Uint32Array(2);

/** Mixes a string's UTF-16 code units into the two lanes of `state` (cyrb53's multiply-xor step). */
function feed(text: string, sep: number): void {
  let h1 = state[0] as number;
  let h2 = state[1] as number;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  state[0] = Math.imul(h1 ^ sep, 2654435761);
  state[1] = Math.imul(h2 ^ sep, 1597334677);
}

/**
 * The 64-bit digest of a document's state into `out` (two 32-bit lanes): cyrb53 over its id,
 * winner, the winner's deleted flag and sorted leaves, with separators, without building a string.
 * Not cryptographic: it detects accidental divergence (a node is no adversary), and a differing
 * bucket goes unseen only if the XOR of its differing documents' digests is 0 and the counts
 * match (~2^-64). A crypto hash object per document cost
 * several times the reading of its row, which the goal (verify <= 2x one read) cannot pay.
 */
export function docHashInto(d: DocLeaves, out: Uint32Array): void {
  state[0] = 0xdeadbeef;
  state[1] = 0x41c6ce57;
  feed(d.id, 10);
  feed(d.winner, d.deleted ? 1 : 2);
  for (const l of d.leaves) feed(l, 44);
  let h1 = state[0] as number;
  let h2 = state[1] as number;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h1;
  out[1] = h2;
}

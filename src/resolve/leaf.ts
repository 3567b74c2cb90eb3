import { compareRevs, parseRev } from '../couchdb/tree.ts';
import { isObject, type Json, type JsonObject } from './json.ts';

/** One live (non-deleted) leaf revision as strategies see it: its rev and its body without `_` fields. */
export interface Leaf {
  rev: string;
  body: JsonObject;
}

/** An attachment stub as CouchDB returns it (`stub: true`, md5 `digest`). */
export type AttachmentStubs = Record<string, JsonObject>;

/** A leaf as read from the node: deleted leaves too, and the attachment stubs kept aside. */
export interface FetchedLeaf extends Leaf {
  deleted: boolean;
  attachments?: AttachmentStubs;
}

/**
 * CouchDB's winner order (couch_doc:to_doc_info_path): live before deleted, then the higher rev
 * position, then the greater rev-id bytes. Negative when `a` wins over `b`.
 */
export function winnerOrder(
  a: { rev: string; deleted?: boolean },
  b: { rev: string; deleted?: boolean },
): number {
  if (!!a.deleted !== !!b.deleted) return a.deleted ? 1 : -1;
  return compareRevs(b.rev, a.rev);
}

/** The leaves sorted winner first (a copy). */
export function sortByWinner<T extends { rev: string; deleted?: boolean }>(leaves: readonly T[]): T[] {
  return [...leaves].sort(winnerOrder);
}

/** The CouchDB winner of a leaf set (undefined when empty). */
export function winnerOf<T extends { rev: string; deleted?: boolean }>(leaves: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const l of leaves) if (!best || winnerOrder(l, best) < 0) best = l;
  return best;
}

/**
 * Splits a document as CouchDB returns it into its body (no top-level `_` fields) and metadata.
 * The parsed object is reused as the body (its `_` fields are removed): pass a fresh parse.
 */
export function toFetchedLeaf(doc: Record<string, unknown>): FetchedLeaf {
  const rev = doc._rev;
  if (typeof rev !== 'string' || !parseRev(rev)) throw new TypeError(`document without a valid _rev`);
  const deleted = doc._deleted === true;
  const atts = doc._attachments as Json | undefined;
  for (const k of Object.keys(doc)) if (k.charCodeAt(0) === 95) delete doc[k];
  const leaf: FetchedLeaf = { rev, deleted, body: doc as JsonObject };
  if (isObject(atts as Json)) leaf.attachments = atts as AttachmentStubs;
  return leaf;
}

/** `N` of `N-hash`. */
export function revPos(rev: string): number {
  return Number(rev.slice(0, rev.indexOf('-')));
}

import { parseRev } from '../couchdb/rev.ts';
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
 * Splits a document as CouchDB returns it into its body (no top-level `_` fields, in their order) and
 * metadata. The body is a new object: deleting keys would turn the parsed one into a slow dictionary.
 */
export function toFetchedLeaf(doc: Record<string, unknown>): FetchedLeaf {
  const rev = doc._rev;
  if (typeof rev !== 'string' || !parseRev(rev)) throw new TypeError(`document without a valid _rev`);
  const deleted = doc._deleted === true;
  const atts = doc._attachments as Json | undefined;
  const body: JsonObject = {};
  for (const k of Object.keys(doc)) if (k.charCodeAt(0) !== 95) body[k] = doc[k] as Json;
  const leaf: FetchedLeaf = { rev, deleted, body };
  if (isObject(atts as Json)) leaf.attachments = atts as AttachmentStubs;
  return leaf;
}

/** `N` of `N-hash`. */
export function revPos(rev: string): number {
  return Number(rev.slice(0, rev.indexOf('-')));
}

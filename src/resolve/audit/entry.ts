import * as crypto from 'node:crypto';
import type { JsonObject } from '../json.ts';
import type { AttachmentStubs } from '../leaf.ts';
import { tombstoneRev } from '../revs.ts';

/** A losing leaf as the audit keeps it: everything needed to put it back. */
export interface AuditedLeaf {
  rev: string;
  body: JsonObject;
  attachments?: AttachmentStubs;
  /**
   * The revision that deleted it. Written by entries of earlier versions only: CouchDB's tombstone rev
   * is a function of the loser's rev (`tombstoneRev`), so it is derived when read (`tombstoneOf`).
   */
  tombstone_rev?: string;
  /** Its body is the result (e.g. lww picked it): the merged revision carries it on. */
  won?: true;
}

interface EntryBase {
  _id: string;
  db: string;
  doc_id: string;
  /** When this node first recorded the entry (ISO). Replicas of one entry may differ here only. */
  recorded_at: string;
  /** Who recorded it (a resolver name, e.g. the node); free-form. */
  recorded_by?: string;
}

/** A resolution, stored before anything is deleted. */
export interface ResolutionEntry extends EntryBase {
  type: 'couchmesh.resolution';
  strategy: string;
  doc_type?: string;
  /** CouchDB's winner before the resolution: the parent of the merged revision. */
  parent_rev: string;
  /** The winner after it: the merged revision, or `parent_rev` when the merge equals the parent. */
  result_rev: string;
  merged: boolean;
  /** The parent's body when a merged revision superseded it. */
  parent_body?: JsonObject;
  losers: AuditedLeaf[];
  /**
   * Every live leaf rev the strategy saw, sorted. Written only when it is not the parent plus the
   * losers (leaves carried over from a half-applied attempt), and by every entry of earlier versions;
   * read it with `leavesOf`.
   */
  leaves?: string[];
}

/** A strategy declined: the conflict was left intact. */
export interface DeclineEntry extends EntryBase {
  type: 'couchmesh.declined';
  strategy: string;
  doc_type?: string;
  reason: string;
  winner_rev: string;
  leaves: string[];
}

/** `conflicts undo`: a loser of a resolution written back as the winner. */
export interface UndoEntry extends EntryBase {
  type: 'couchmesh.undo';
  resolution: string;
  restored_rev: string;
  /** The winner the restored body was written on (its body kept here), and the new revision. */
  parent_rev: string;
  replaced_body: JsonObject;
  new_rev: string;
}

/** The tombstone rev of an audited loser (stored by earlier versions, derived since). */
export const tombstoneOf = (l: AuditedLeaf): string => l.tombstone_rev ?? tombstoneRev(l.rev);

/** Every live leaf rev a resolution's strategy saw, sorted (stored, or the parent and the losers). */
export const leavesOf = (e: ResolutionEntry): string[] =>
  e.leaves ?? [e.parent_rev, ...e.losers.map((l) => l.rev)].sort();

/**
 * An entry as readers see it: a resolution gets its derived fields back (`leaves`, every loser's
 * `tombstone_rev`), so `conflicts audit --json` shows entries of every version alike.
 */
export function withDerived<E extends AuditEntry>(e: E): E {
  if (e.type !== 'couchmesh.resolution') return e;
  const losers = e.losers.map((l) => (l.tombstone_rev ? l : { ...l, tombstone_rev: tombstoneOf(l) }));
  return { ...e, losers, leaves: leavesOf(e) };
}

export type AuditEntry = ResolutionEntry | DeclineEntry | UndoEntry;

export const ENTRY_KINDS = {
  'couchmesh.resolution': 'r',
  'couchmesh.declined': 'd',
  'couchmesh.undo': 'u',
} as const;

/** 32 hex chars of sha256 over the JSON of `parts`. */
export function digest32(parts: unknown[]): string {
  return sha256Hex(JSON.stringify(parts)).slice(0, 32);
}

// crypto.hash (one-shot, no Hash object: ~2x cheaper on small inputs) exists from Node 20.12
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * Entry ids are `<kind>:<doc id>:<hash>`: the hash covers what makes the outcome (doc, sorted leaf
 * revs, result), never the time or the node, so the same resolution recorded on two nodes is one
 * entry once the audit database replicates. The doc id in the middle lets `audit DOC` read a key range.
 */
export function entryId(kind: 'r' | 'd' | 'u', docId: string, parts: unknown[]): string {
  return `${kind}:${docId}:${digest32([docId, ...parts])}`;
}

/**
 * The doc id inside an entry id (`<kind>:<doc id>:<32 hex>`): a fixed-length prefix and suffix, so a
 * doc id holding ':' comes back whole. `undefined` for anything shorter.
 */
export function entryDocId(id: string): string | undefined {
  return id.length > 35 && id[1] === ':' && id[id.length - 33] === ':' ? id.slice(2, -33) : undefined;
}

/** The `[start, end]` key range of a document's entries of one kind. */
export function entryRange(kind: 'r' | 'd' | 'u', docId: string): [string, string] {
  return [`${kind}:${docId}:`, `${kind}:${docId}:\ufff0`];
}

export function isAuditEntry(v: unknown): v is AuditEntry {
  const t = (v as { type?: unknown } | null)?.type;
  return typeof t === 'string' && t in ENTRY_KINDS;
}

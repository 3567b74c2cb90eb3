// The document shapes the engine passes around (a doc's state, a write, its result) and their
// decoding from the store's rows. A leaf below database.ts, validate.ts and doc-render.ts, so those
// can share the shapes without importing one another.
import type { RevTree } from '../../couchdb/tree.ts';
import type { DocRow } from '../store/db-store.ts';
import type { AttList, FollowedAtt } from './attachments.ts';
import type { IncomingDoc } from './doc-parse.ts';

/** A document's full_doc_info: its tree, winner and current seq. */
export interface DocState {
  id: string;
  seq: number;
  tree: RevTree;
  winner: string;
  deleted: boolean;
}

export interface WriteDoc extends IncomingDoc {
  followed?: Map<string, FollowedAtt>;
}

/** Who is writing (for hooks such as `_replicator`'s `owner`); `internal` marks the node's own writes. */
export interface WriteContext {
  user: { name: string | null; roles: string[] } | undefined;
  newEdits?: boolean;
  internal?: boolean;
}

export type FailedResult = { id: string; rev?: string; error: string; reason: string };
export type UpdateResult = { ok: true; id: string; rev: string } | FailedResult;

export function toDocState(row: DocRow): DocState {
  return {
    id: row.id,
    seq: row.seq,
    tree: JSON.parse(row.tree) as RevTree,
    winner: row.winner,
    deleted: row.deleted === 1,
  };
}

export function parseAtts(json: string | null): AttList {
  return json ? (JSON.parse(json) as AttList) : [];
}

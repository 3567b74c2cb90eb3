// The document shapes the engine passes around (a doc's state, a write, its result) and their
// decoding from the store's rows. A leaf below database.ts, validate.ts and doc-render.ts, so those
// can share the shapes without importing one another.
import { leaves, type RevTree } from '../../couchdb/tree.ts';
import type { DbStore, DocHead, DocRow } from '../store/db-store.ts';
import type { AttList, FollowedAtt } from './attachments.ts';
import type { IncomingDoc } from './doc-parse.ts';

/** A document's full_doc_info: its tree, winner and current seq. */
export interface DocState {
  id: string;
  seq: number;
  tree: RevTree;
  winner: string;
  deleted: boolean;
  /** The leaf revs, winner first, when known without walking the tree (see `leafRevs`). */
  leaves?: readonly string[] | undefined;
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

type TreeSource = Pick<DbStore, 'docTree'>;

/**
 * A stored doc's state whose tree is parsed on first use: `_changes` rows, `open_revs=all` and plain
 * reads of a revision need only the id, winner and leaves, and parsing the tree was most of their cost.
 * A state made from a DocHead reads its tree text only then too (`tree`).
 */
class StoredDocState implements DocState {
  readonly id: string;
  readonly seq: number;
  readonly winner: string;
  readonly deleted: boolean;
  /** the tree's text, or where to read it (no closure per row: `_changes` makes one state per row) */
  #treeText: string | TreeSource;
  #tree: RevTree | undefined;
  readonly leavesText: string | null;
  #leaves: readonly string[] | undefined;

  constructor(row: DocHead, tree: string | TreeSource) {
    this.id = row.id;
    this.seq = row.seq;
    this.winner = row.winner;
    this.deleted = row.deleted === 1;
    this.#treeText = tree;
    this.leavesText = row.leaves;
  }

  get tree(): RevTree {
    if (this.#tree) return this.#tree;
    this.#tree = JSON.parse(
      typeof this.#treeText === 'string' ? this.#treeText : this.#readTree(),
    ) as RevTree;
    return this.#tree;
  }

  #readTree(): string {
    const t = (this.#treeText as TreeSource).docTree(this.id);
    if (t?.seq !== this.seq) throw new Error(`doc ${this.id} changed between the reads of its row and tree`);
    return t.tree;
  }

  get leaves(): readonly string[] | undefined {
    if (this.leavesText !== null) this.#leaves ??= JSON.parse(this.leavesText) as string[];
    return this.#leaves;
  }
}

export function toDocState(row: DocRow): DocState {
  return new StoredDocState(row, row.tree);
}

/**
 * The state of a doc read without its tree. Its tree is read from `store` on first use, which must
 * happen inside the same read (the caller's synchronous pass or read transaction): a tree of
 * another seq is a bug, never an answer.
 */
export function headState(row: DocHead, store: TreeSource): DocState {
  return new StoredDocState(row, store);
}

/**
 * The stored leaf list's JSON text (`["1-a","1-b"]`, winner first, written by JSON.stringify: no
 * whitespace) when it holds no escape, so each rev's JSON string is its text between quotes;
 * undefined otherwise (then use `leafRevs`).
 */
export function plainLeavesJson(state: DocState): string | undefined {
  if (!(state instanceof StoredDocState)) return undefined;
  const text = state.leavesText;
  return text !== null && text.length > 2 && !text.includes('\\') ? text : undefined;
}

/** A doc's leaf revs, winner first (CouchDB's doc_info order): the stored list, else from the tree. */
export function leafRevs(state: DocState): readonly string[] {
  return state.leaves ?? leaves(state.tree).map((l) => l.rev);
}

export function parseAtts(json: string | null): AttList {
  return json ? (JSON.parse(json) as AttList) : [];
}

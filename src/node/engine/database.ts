import { type Clock, systemClock } from '../../core/clock.ts';
import { computeRevId } from '../../couchdb/revid.ts';
import {
  findRev,
  leaves,
  mergePath,
  newEditParent,
  parseRev,
  parseRevId,
  pathFromRevisions,
  winner,
} from '../../couchdb/tree.ts';
import { mergePathFast } from '../../couchdb/tree-fast.ts';
import type { DbStore, RevRow } from '../store/db-store.ts';
import { type AttList, digestBytes, resolveAttachments } from './attachments.ts';
import type { DesignFunctions } from './design.ts';
import { type IncomingDoc, validateDocId } from './doc-parse.ts';
import {
  type DocState,
  type FailedResult,
  leafRevs,
  parseAtts,
  toDocState,
  type UpdateResult,
  type WriteContext,
  type WriteDoc,
} from './doc-state.ts';
import { badRequest, CouchHttpError } from './errors.ts';
import { SeqCodec } from './seq.ts';
import { validateBatch } from './validate.ts';

export interface DatabaseOptions {
  newId: () => string;
  /** the node's clock (a new incarnation's instance_start_time); default: the system clock */
  clock?: Clock;
  /** instance token for seqs, 22 chars [A-Za-z0-9_] */
  instanceToken?: string;
}

/** Splits a batch into runs of distinct doc ids, keeping order. */
function distinctRuns<T extends { id?: string | undefined }>(items: T[]): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let ids = new Set<string>();
  for (const x of items) {
    const id = x.id;
    if (id !== undefined && ids.has(id)) {
      runs.push(run);
      run = [];
      ids = new Set();
    }
    if (id !== undefined) ids.add(id);
    run.push(x);
  }
  if (run.length) runs.push(run);
  return runs;
}

/**
 * Runs one document's step; a CouchDB error below 500 refuses that document alone (its per-doc
 * result), anything else fails the whole request (and its transaction).
 */
function refusedAlone<T>(doc: WriteDoc, step: () => T): T | FailedResult {
  try {
    return step();
  } catch (e) {
    if (!(e instanceof CouchHttpError) || e.status >= 500) throw e;
    return { id: doc.id ?? '', error: e.error, reason: e.reason };
  }
}

/**
 * The rev id of an interactive write. A float out of a double's range (`1e400`) has no Erlang term:
 * jiffy's decode fails on it and couch_util:json_decode answers {invalid_json, _}, a 400 "invalid
 * UTF-8 JSON" (fuzzing found a 500 here).
 */
function revIdOrRefuse(input: Parameters<typeof computeRevId>[0]): string {
  try {
    return computeRevId(input);
  } catch (e) {
    if (e instanceof RangeError) throw badRequest('invalid UTF-8 JSON');
    throw e;
  }
}

const DEFAULT_REVS_LIMIT = 1000;

/** chttpd_db:validate_revs: a replicated (`new_edits: false`) doc must name its revision. */
// the engine's document shapes, for the modules that use the engine through this one
export type { DocState, FailedResult, UpdateResult, WriteContext, WriteDoc } from './doc-state.ts';
export { parseAtts, toDocState };

export const NEEDS_REV = 'When `new_edits: false`, the document needs `_rev` or `_revisions` specified';

let lastStartTime = 0;
/**
 * A new incarnation's `instance_start_time`: microseconds since the epoch (couch_db's
 * `instance_start_time`), strictly increasing within the process, so a database deleted and
 * recreated within the same second still gets a new one and replicators notice the change.
 */
function nextInstanceStartTime(clock: Clock): string {
  lastStartTime = Math.max(lastStartTime + 1, clock.now() * 1000);
  return String(lastStartTime);
}

/**
 * CouchDB database semantics over one DbStore: interactive edits (MVCC on `_rev`), replicated
 * edits (`new_edits=false`, merging `_revisions` paths into the tree), local docs, and the
 * change notification that feeds `_changes?feed=longpoll|continuous`.
 */
export class Database {
  readonly name: string;
  readonly store: DbStore;
  readonly seqs: SeqCodec;
  readonly instanceStartTime: string;
  private seq: number;
  private live: number;
  private dead: number;
  private readonly listeners = new Set<() => void>();
  private readonly newId: () => string;
  revsLimit: number;

  constructor(name: string, store: DbStore, opts: DatabaseOptions) {
    this.name = name;
    this.store = store;
    this.newId = opts.newId;
    let token = store.getMeta('instance_token');
    if (!token) {
      token = (opts.instanceToken ?? `${opts.newId()}${opts.newId()}`)
        .replace(/[^A-Za-z0-9_]/g, '')
        .slice(0, 22)
        .padEnd(22, '0');
      store.setMeta('instance_token', token);
      store.setMeta('instance_start_time', nextInstanceStartTime(opts.clock ?? systemClock));
    }
    this.seqs = new SeqCodec(token);
    this.instanceStartTime = store.getMeta('instance_start_time') ?? '0';
    this.revsLimit = Number(store.getMeta('revs_limit') ?? DEFAULT_REVS_LIMIT);
    this.seq = store.maxSeq();
    const c = store.counts();
    this.live = c.live;
    this.dead = c.dead;
  }

  get updateSeq(): number {
    return this.seq;
  }
  get docCount(): number {
    return this.live;
  }
  get delCount(): number {
    return this.dead;
  }

  /** Subscribe to commits; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  setRevsLimit(n: number): void {
    this.store.setMeta('revs_limit', String(n));
    this.revsLimit = n;
  }

  getState(id: string): DocState | undefined {
    const row = this.store.getDoc(id);
    return row ? toDocState(row) : undefined;
  }

  getRev(id: string, rev: string): RevRow | undefined {
    return this.store.getRev(id, rev);
  }

  /**
   * A hook run on every incoming document before it is written (CouchDB's before_doc_update):
   * may return a replacement doc, or throw a CouchHttpError to refuse that one document.
   */
  beforeUpdate: ((doc: WriteDoc, ctx: WriteContext) => WriteDoc) | undefined;

  /** A hook run on every document rendered for a reader (CouchDB's after_doc_read). */
  afterRead:
    | ((
        doc: Record<string, unknown>,
        viewer: { name: string | null; roles: string[] },
      ) => Record<string, unknown>)
    | undefined;

  /** The database's design-document functions (VDUs, filters); set by the node when it opens the db. */
  design: DesignFunctions | undefined;

  /**
   * `_bulk_docs` / PUT / POST / DELETE: one transaction; each doc succeeds or fails alone. Order as
   * couch_db:update_docs: before_doc_update, then the conflict check and validate_doc_update, then
   * the write. Docs are validated in runs of distinct ids (one sandbox call per run): a doc whose id
   * repeats in the request starts a new run, so its VDU sees the state the earlier edit left.
   */
  updateDocs(docs: WriteDoc[], newEdits: boolean, wctx: WriteContext = { user: undefined }): UpdateResult[] {
    const results: UpdateResult[] = [];
    let changed = false;
    // the counters move doc by doc: a transaction that throws must take them back with it
    const saved = [this.seq, this.live, this.dead] as const;
    try {
      this.batchStates = new WeakSet();
      this.unwritten.clear();
      this.store.transaction(() => {
        const cache = new Map<string, DocState | undefined>();
        const load = (id: string) => this.load(id, cache);
        const staged = docs.map((doc) => this.stage(doc, wctx, newEdits));
        for (const run of distinctRuns(staged)) {
          const writes = run.filter((x): x is WriteDoc => !('error' in x));
          const refused = validateBatch(this, writes, newEdits, wctx, load);
          for (const item of run) {
            const r = 'error' in item ? item : (refused.get(item) ?? this.edit(item, newEdits, cache));
            if (r) {
              results.push(r);
              if ('ok' in r) changed = true;
            } else changed = true;
          }
        }
        this.writeDocRows();
      });
    } catch (e) {
      [this.seq, this.live, this.dead] = saved;
      throw e;
    } finally {
      this.unwritten.clear();
    }
    if (changed) this.notify();
    return results;
  }

  /** before_doc_update, and an interactive new doc's id (its VDU sees it): the doc, or its refusal. */
  private stage(doc: WriteDoc, wctx: WriteContext, newEdits: boolean): WriteDoc | FailedResult {
    return refusedAlone(doc, () => {
      const d = this.beforeUpdate ? this.beforeUpdate(doc, { ...wctx, newEdits }) : doc;
      return newEdits && d.id === undefined ? { ...d, id: this.newId() } : d;
    });
  }

  private edit(
    doc: WriteDoc,
    newEdits: boolean,
    cache: Map<string, DocState | undefined>,
  ): UpdateResult | undefined {
    return refusedAlone(doc, () =>
      newEdits ? this.editInteractive(doc, cache) : this.editReplicated(doc, cache),
    );
  }

  private load(id: string, cache: Map<string, DocState | undefined>): DocState | undefined {
    if (!cache.has(id)) cache.set(id, this.getState(id));
    return cache.get(id);
  }

  private editInteractive(doc: WriteDoc, cache: Map<string, DocState | undefined>): UpdateResult {
    const id = validateDocId(doc.id ?? this.newId());
    if (id.startsWith('_local/')) return this.putLocal(id, doc);
    const state = this.load(id, cache);
    const decision = newEditParent(state?.tree ?? [], doc.rev ?? null, { deleted: doc.deleted });
    if (!decision.ok) return { id, error: 'conflict', reason: 'Document update conflict.' };
    const parent = decision.parent;
    const parentRev = parent ? `${parent.pos}-${parent.hash}` : undefined;
    // the parent's attachments serve only stubs (resolveAttachments): a doc without any (a tombstone, a
    // merged body) skips that read, one SQLite row per revision of a conflict resolution
    const stubs = doc.attachments?.some(([, a]) => a.stub);
    const parentAtts =
      parentRev && stubs ? parseAtts(this.store.getRevAtts(id, parentRev) ?? null) : undefined;
    const pos = (parent?.pos ?? 0) + 1;
    const atts = resolveAttachments(this.store, id, doc.attachments, parentAtts, pos, doc.followed, false);
    const hash = revIdOrRefuse({
      deleted: doc.deleted,
      parentPos: parent?.pos ?? 0,
      parentRevId: parent?.hash ?? null,
      bodyText: doc.text,
      bodyNode: doc.node,
      atts: atts.map(([name, a]) => ({ name, type: a.content_type, md5: digestBytes(a.digest) })),
    });
    const leafOpts = doc.deleted
      ? { status: 'available' as const, deleted: true }
      : { status: 'available' as const };
    const path = parent
      ? {
          pos: parent.pos,
          ids: [parent.hash, { status: 'available' as const }, [[hash, leafOpts, []]]] as never,
        }
      : { pos: 1, ids: [hash, leafOpts, []] as never };
    const rev = `${pos}-${hash}`;
    this.commitRev(id, state, path, { rev, body: doc.bodyText, atts, deleted: doc.deleted }, cache);
    return { ok: true, id, rev };
  }

  private editReplicated(doc: WriteDoc, cache: Map<string, DocState | undefined>): UpdateResult | undefined {
    const id = validateDocId(doc.id);
    if (id.startsWith('_local/')) {
      this.putLocal(id, doc);
      return undefined;
    }
    // couch_doc:transfer_fields: `_revisions` wins over `_rev` when both are given (whatever `_rev` says)
    const parsed = doc.rev ? parseRev(doc.rev) : null;
    if (doc.rev && !parsed && !doc.revisions) throw badRequest('Invalid rev format');
    const revisions = doc.revisions ?? (parsed ? { start: parsed.pos, ids: [parsed.hash] } : undefined);
    if (!revisions) throw badRequest(NEEDS_REV);
    // a path needs every id, and no more of them than `start` (pathFromRevisions throws otherwise)
    if (
      revisions.ids.length === 0 ||
      revisions.start < revisions.ids.length ||
      revisions.ids.some((x) => parseRevId(x) === null)
    )
      throw new CouchHttpError(400, 'doc_validation', 'Invalid _revisions: not a revision path');
    const leafRev = `${revisions.start}-${revisions.ids[0]}`;
    const state = this.load(id, cache);
    const existing = state ? findRev(state.tree, leafRev) : null;
    if (existing && existing.node[1].status !== 'missing') return undefined; // already have it
    // stubs refer to the nearest ancestor we hold
    let parentAtts: AttList | undefined;
    if (state && doc.attachments?.some(([, a]) => a.stub)) {
      for (let i = 1; i < revisions.ids.length && !parentAtts; i++) {
        const r = this.store.getRev(id, `${revisions.start - i}-${revisions.ids[i]}`);
        if (r) parentAtts = parseAtts(r.atts);
      }
    }
    const atts = resolveAttachments(
      this.store,
      id,
      doc.attachments,
      parentAtts,
      revisions.start,
      doc.followed,
      true,
    );
    const leafOpts = doc.deleted
      ? { status: 'available' as const, deleted: true }
      : { status: 'available' as const };
    const path = pathFromRevisions(revisions, leafOpts);
    this.commitRev(id, state, path, { rev: leafRev, body: doc.bodyText, atts, deleted: doc.deleted }, cache);
    return undefined;
  }

  /** states written by the current updateDocs call */
  private batchStates = new WeakSet<DocState>();
  /**
   * Doc rows (tree, winner, seq) of the current updateDocs call not yet in the store: a doc edited
   * several times in one request (a conflict resolution writes the merged revision and a tombstone
   * per loser) has its row written once, at the end of the transaction, not once per revision. Reads
   * inside the transaction go through the call's state cache; design docs are written at once, since
   * their functions are re-read from the store (design.ts).
   */
  private readonly unwritten = new Map<string, DocState>();

  private writeDocRows(): void {
    for (const s of this.unwritten.values()) this.putDocRow(s);
    this.unwritten.clear();
  }

  private putDocRow(s: DocState): void {
    this.store.putDoc({
      id: s.id,
      seq: s.seq,
      tree: JSON.stringify(s.tree),
      winner: s.winner,
      deleted: s.deleted ? 1 : 0,
      leaves: JSON.stringify(leafRevs(s)),
    });
  }

  private commitRev(
    id: string,
    state: DocState | undefined,
    path: Parameters<typeof mergePath>[1],
    rev: { rev: string; body: string; atts: AttList; deleted: boolean },
    cache: Map<string, DocState | undefined>,
  ): void {
    // new doc, or an edit of the only leaf of a linear tree: no full merge/stem/winner walk
    const fast = mergePathFast(state?.tree ?? [], path, this.revsLimit);
    const merged = fast ?? mergePath(state?.tree ?? [], path, this.revsLimit);
    this.store.putRev({
      doc_id: id,
      rev: rev.rev,
      body: rev.body,
      atts: rev.atts.length ? JSON.stringify(rev.atts) : null,
      deleted: rev.deleted ? 1 : 0,
    });
    for (const r of merged.stemmed) this.store.delRev(id, r);
    // the leaves, winner first, for the doc row: a new doc or an edit of the only leaf has one leaf;
    // a branched tree's leaves are listed once per batch, as its row is written (putDocRow)
    let w: { rev: string; deleted: boolean };
    let leafList: string[] | undefined;
    if (fast) {
      w = fast.winner;
      if (!state || leafRevs(state).length === 1) leafList = [w.rev];
    } else {
      const all = leaves(merged.tree);
      w = all[0] ?? winner(merged.tree); // (winner throws on an empty tree, as before)
      leafList = all.map((l) => l.rev);
    }
    // one seq per document per batch, as CouchDB: several revisions of a doc in one _bulk_docs
    // move it to the by-seq index once
    const seq = state && this.batchStates.has(state) ? state.seq : ++this.seq;
    const next: DocState = {
      id,
      seq,
      tree: merged.tree,
      winner: w.rev,
      deleted: w.deleted,
      leaves: leafList,
    };
    this.batchStates.add(next);
    this.unwritten.set(id, next);
    if (!state) {
      if (w.deleted) this.dead++;
      else this.live++;
    } else if (state.deleted !== w.deleted) {
      this.live += w.deleted ? -1 : 1;
      this.dead += w.deleted ? 1 : -1;
    }
    cache.set(id, next);
    if (id.startsWith('_design/')) {
      this.writeDocRows();
      this.design?.touch();
    }
  }

  // ---- _local documents: no tree, rev "0-N", not replicated, no conflict check (CouchDB 3.x)
  putLocal(id: string, doc: IncomingDoc): UpdateResult {
    let prev = 0;
    if (doc.rev !== undefined) {
      const m = /^0-(\d+)$/.exec(doc.rev);
      if (!m) throw badRequest('Invalid rev format');
      prev = Number(m[1]);
    }
    if (doc.deleted) {
      if (!this.store.getLocal(id)) throw new CouchHttpError(404, 'not_found', 'missing');
      this.store.delLocal(id);
      return { ok: true, id, rev: '0-0' };
    }
    const rev = prev + 1;
    this.store.putLocal(id, rev, doc.bodyText);
    return { ok: true, id, rev: `0-${rev}` };
  }

  /** Wakes open feeds one last time (they see the db is gone) and closes the file. */
  close(): void {
    this.closed = true;
    this.design?.close();
    this.notify();
    this.listeners.clear();
    this.store.close();
  }

  closed = false;

  /** Leaves of a doc in winner order (winner first). */
  leaves(state: DocState) {
    return leaves(state.tree);
  }
}

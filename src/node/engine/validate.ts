import { findRev, isLeaf, newEditParent, parseRev, parseRevId } from '../../couchdb/tree.ts';
import type { RevRow } from '../store/db-store.ts';
import type { DesignFunctions, Verdict } from './design.ts';
import type { AttIn } from './doc-parse.ts';
import { type RenderSource, renderDoc } from './doc-render.ts';
import type { DocState, UpdateResult, WriteContext, WriteDoc } from './doc-state.ts';

/**
 * What validation reads of the database being written: its name (the VDU's `userCtx.db`), design
 * functions, `_security` and stored revisions (the `oldDoc`). Database is one; this module does not
 * import it, since Database calls validateBatch inside its update transaction.
 */
export interface ValidateSource extends RenderSource {
  readonly name: string;
  readonly design: DesignFunctions | undefined;
  getRev(id: string, rev: string): RevRow | undefined;
}

/**
 * CouchDB's validate_doc_update step (couch_db:validate_doc_update_int), run for one batch of
 * documents whose ids are unique within it: every design document's `validate_doc_update(newDoc,
 * oldDoc, userCtx, secObj)` in one sandbox call. As CouchDB: design and `_local` docs are not
 * validated (design docs need a db admin instead), conflicts are found first (a conflicting doc is
 * never shown to a VDU), and admins are validated too (a VDU decides what `_admin` may do).
 * Replicated docs (`new_edits=false`) are validated unless the revision is already stored.
 * Answers the refused documents with their per-document error.
 */
export function validateBatch(
  db: ValidateSource,
  docs: WriteDoc[],
  newEdits: boolean,
  wctx: WriteContext,
  load: (id: string) => DocState | undefined,
): Map<WriteDoc, UpdateResult> {
  const refused = new Map<WriteDoc, UpdateResult>();
  if (wctx.internal || !db.design) return refused;
  const fns = db.design.validators();
  if (!fns.length) return refused;
  const asked: WriteDoc[] = [];
  const inputs: Array<[string, string | null]> = [];
  for (const doc of docs) {
    const id = doc.id;
    if (id === undefined || id.startsWith('_design/') || id.startsWith('_local/')) continue;
    const pair = newEdits ? interactivePair(db, doc, id, load(id)) : replicatedPair(db, doc, id, load(id));
    if (!pair) continue;
    asked.push(doc);
    inputs.push(pair);
  }
  if (!asked.length) return refused;
  const userCtx = { db: db.name, name: wctx.user?.name ?? null, roles: wctx.user?.roles ?? [] };
  // `_security` is stored as JSON text: handed to the sandbox as it is
  const verdicts = db.design.validate(fns, inputs, userCtx, db.store.getMeta('security') ?? '{}');
  asked.forEach((doc, i) => {
    const r = toResult(doc, verdicts[i] ?? null, newEdits);
    if (r) refused.set(doc, r);
  });
  return refused;
}

function toResult(doc: WriteDoc, v: Verdict, newEdits: boolean): UpdateResult | undefined {
  if (v === null) return undefined;
  const id = doc.id as string;
  // a replicated write's error names the revision (couch_db:update_docs, replicated_changes)
  const rev = newEdits ? undefined : replicatedLeaf(doc);
  const head = rev ? { id, rev } : { id };
  if ('forbidden' in v) return { ...head, error: 'forbidden', reason: v.forbidden };
  if ('unauthorized' in v) return { ...head, error: 'unauthorized', reason: v.unauthorized };
  return { ...head, error: v.error, reason: v.reason };
}

/** `[newDoc, oldDoc]` of an interactive edit, or undefined when the edit conflicts (no VDU runs). */
function interactivePair(
  db: ValidateSource,
  doc: WriteDoc,
  id: string,
  state: DocState | undefined,
): [string, string | null] | undefined {
  const decision = newEditParent(state?.tree ?? [], doc.rev ?? null, { deleted: doc.deleted });
  if (!decision.ok) return undefined;
  // couch_db:prep_and_validate_update: a write without `_rev` (new doc, or recreating a deleted
  // one) has no disk doc; an edit sees the revision it replaces
  const old = doc.rev && state && decision.parent ? renderRev(db, state, doc.rev) : null;
  const p = doc.rev ? parseRev(doc.rev) : null;
  const revs = p ? `,"_revisions":{"start":${p.pos},"ids":[${JSON.stringify(p.hash)}]}` : '';
  return [newDocJson(doc, id, doc.rev, revs), old];
}

function replicatedLeaf(doc: WriteDoc): string | undefined {
  if (doc.revisions) return `${doc.revisions.start}-${doc.revisions.ids[0]}`;
  return doc.rev;
}

/** `[newDoc, oldDoc]` of a replicated write, or undefined when it is already stored or malformed. */
function replicatedPair(
  db: ValidateSource,
  doc: WriteDoc,
  id: string,
  state: DocState | undefined,
): [string, string | null] | undefined {
  const leaf = replicatedLeaf(doc);
  const p = leaf ? parseRev(leaf) : null;
  if (!p) return undefined; // the edit itself answers the error
  if (state) {
    const have = findRev(state.tree, leaf as string);
    if (have && have.node[1].status !== 'missing') return undefined;
  }
  const revisions = doc.revisions ?? { start: p.pos, ids: [p.hash] };
  if (revisions.ids.some((x) => parseRevId(x) === null)) return undefined;
  // couch_db:prep_and_validate_replicated_updates: the disk doc is the nearest ancestor that is a leaf here
  let old: string | null = null;
  for (let i = 1; state && i < revisions.ids.length && old === null; i++) {
    const r = `${revisions.start - i}-${revisions.ids[i]}`;
    if (isLeaf(state.tree, r)) old = renderRev(db, state, r);
  }
  return [newDocJson(doc, id, leaf, `,"_revisions":${JSON.stringify(revisions)}`), old];
}

function renderRev(db: ValidateSource, state: DocState, rev: string): string | null {
  const row = db.getRev(state.id, rev);
  return row ? renderDoc(db, state, row, { revs: true }) : null;
}

/** The new document as couch_doc:to_json_obj(Doc, [revs]) shows it to a VDU: attachments as stubs. */
function newDocJson(doc: WriteDoc, id: string, rev: string | undefined, revisions: string): string {
  let out = `{"_id":${JSON.stringify(id)}`;
  if (rev) out += `,"_rev":${JSON.stringify(rev)}`;
  const inner = doc.bodyText.length > 2 ? doc.bodyText.slice(1, -1) : '';
  if (inner) out += `,${inner}`;
  if (doc.deleted) out += ',"_deleted":true';
  out += revisions;
  if (doc.attachments?.length)
    out += `,"_attachments":{${doc.attachments.map(([n, a]) => `${JSON.stringify(n)}:${JSON.stringify(stub(a))}`).join(',')}}`;
  return `${out}}`;
}

function stub(a: AttIn): Record<string, unknown> {
  const length = a.data !== undefined ? Buffer.byteLength(a.data, 'base64') : a.length;
  return {
    content_type: a.content_type ?? 'application/octet-stream',
    ...(a.revpos !== undefined ? { revpos: a.revpos } : {}),
    ...(a.digest !== undefined ? { digest: a.digest } : {}),
    ...(length !== undefined ? { length } : {}),
    stub: true,
  };
}

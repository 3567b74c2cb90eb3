import { latestLeavesFrom, openRevsAllOrder, parseRev } from '../../couchdb/tree.ts';
import { storedAttBytes } from '../engine/attachments.ts';
import type { Database, DocState } from '../engine/database.ts';
import { parseAtts } from '../engine/database.ts';
import { followedAttachments, type RenderOptions, renderDoc } from '../engine/doc-render.ts';
import { badRequest, CouchHttpError } from '../engine/errors.ts';
import type { Ctx } from './context.ts';
import { buildMultipartRelated } from './multipart.ts';

/** The read options of GET /{db}/{doc} and their _bulk_get / open_revs equivalents. */
export function renderOptions(ctx: Ctx): RenderOptions {
  const attsSince = ctx.json('atts_since');
  if (
    attsSince !== undefined &&
    (!Array.isArray(attsSince) || !attsSince.every((r) => typeof r === 'string'))
  )
    throw badRequest('atts_since must be an array of revision strings');
  return {
    viewer: ctx.user,
    revs: ctx.bool('revs'),
    revsInfo: ctx.bool('revs_info') || ctx.bool('meta'),
    conflicts: ctx.bool('conflicts') || ctx.bool('meta'),
    deletedConflicts: ctx.bool('deleted_conflicts') || ctx.bool('meta'),
    localSeq: ctx.bool('local_seq'),
    attachments: ctx.bool('attachments') ? 'data' : 'stub',
    attsSince: attsSince as string[] | undefined,
    attEncodingInfo: ctx.bool('att_encoding_info'),
  };
}

export function checkRev(rev: string): void {
  if (!parseRev(rev)) throw badRequest('Invalid rev format');
}

/** A rendered revision, or undefined when its body is not held here (stemmed / only known by id). */
export function readRevision(
  db: Database,
  state: DocState,
  rev: string,
  opts: RenderOptions,
): string | undefined {
  const row = db.getRev(state.id, rev);
  return row ? renderDoc(db, state, row, opts) : undefined;
}

/** Resolves `open_revs` into the revs to return, applying `latest`. */
export function openRevList(state: DocState, spec: 'all' | string[], latest: boolean): string[] {
  if (spec === 'all') return openRevsAllOrder(state.tree);
  const out: string[] = [];
  for (const r of spec) {
    checkRev(r);
    const leaves = latest ? latestLeavesFrom(state.tree, r) : [];
    if (leaves.length) for (const l of leaves) out.includes(l) || out.push(l);
    else out.push(r);
  }
  return out;
}

export interface MultipartDoc {
  contentType: string;
  body: Buffer;
}

/** A doc with its attachment bytes as multipart/related (JSON part then `follows` parts). */
export function multipartDoc(
  db: Database,
  state: DocState,
  rev: string,
  opts: RenderOptions,
  framing?: { boundary: string; quoteBoundary: boolean },
): MultipartDoc | undefined {
  const row = db.getRev(state.id, rev);
  if (!row) return undefined;
  const follows: RenderOptions = { ...opts, attachments: 'follows' };
  const json = renderDoc(db, state, row, follows);
  const atts = followedAttachments(parseAtts(row.atts), follows).map(([name, a]) => ({
    name,
    contentType: a.content_type,
    data: storedAttBytes(db.store, a),
    ...(a.encoding ? { encoding: a.encoding } : {}),
  }));
  return framing
    ? buildMultipartRelated(json, atts, framing.boundary, { quoteBoundary: framing.quoteBoundary })
    : buildMultipartRelated(json, atts);
}

/** Whether a multipart answer has anything to carry beyond the JSON. */
export function hasFollowingAtts(db: Database, state: DocState, rev: string, opts: RenderOptions): boolean {
  const row = db.getRev(state.id, rev);
  return !!row && followedAttachments(parseAtts(row.atts), { ...opts, attachments: 'follows' }).length > 0;
}

export function notFoundDoc(state: DocState | undefined): CouchHttpError {
  return new CouchHttpError(404, 'not_found', state?.deleted ? 'deleted' : 'missing');
}

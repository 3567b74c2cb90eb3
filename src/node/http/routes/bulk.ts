import { getEntry } from '../../../couchdb/json-scan.ts';
import { findRev, parseRev, possibleAncestors } from '../../../couchdb/tree.ts';
import { type Database, NEEDS_REV, type UpdateResult, type WriteDoc } from '../../engine/database.ts';
import { parseDoc, validateDocId } from '../../engine/doc-parse.ts';
import { badRequest, CouchHttpError } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { isDbAdmin, readSecurity } from '../security.ts';

// `_bulk_get` lives in bulk-get.ts; re-exported so the router keeps one import for the batch routes
export { bulkGet } from './bulk-get.ts';

/** POST /{db}/_bulk_docs — one transaction; per-doc results (only errors when new_edits=false). */
export async function bulkDocs(ctx: Ctx, db: Database): Promise<void> {
  if (ctx.method !== 'POST') throw methodNotAllowed('POST');
  const { text, node } = await ctx.jsonBody({ requireJsonType: true });
  const docsNode = node.t === 'obj' ? getEntry(node, 'docs') : undefined;
  if (!docsNode) throw badRequest('POST body must include `docs` parameter.');
  if (docsNode.t !== 'arr') throw badRequest('`docs` parameter must be an array.');
  const ne = node.t === 'obj' ? getEntry(node, 'new_edits') : undefined;
  if (ne && ne.t !== 'true' && ne.t !== 'false') throw badRequest('`new_edits` parameter must be a boolean.');
  const newEdits = ne?.t !== 'false';
  // the whole request is refused on a malformed doc or one over max_document_size, as CouchDB does
  const docs: WriteDoc[] = docsNode.items.map((d) => parseDoc(text, d));
  for (const d of docs) if (d.id !== undefined) validateDocId(d.id);
  // chttpd_db:validate_revs runs on every doc before any is written: one refuses the whole request
  if (!newEdits) for (const d of docs) if (!d.rev && !d.revisions) throw badRequest(NEEDS_REV);
  const max = ctx.node.config.maxDocumentSize;
  for (const d of docs)
    if (Buffer.byteLength(d.bodyText) > max) throw new CouchHttpError(413, 'document_too_large', d.id ?? '');
  const canWriteDesign = isDbAdmin(ctx.user, readSecurity(db));
  const refused = new Map<WriteDoc, UpdateResult>();
  for (const d of docs)
    if (!canWriteDesign && d.id?.startsWith('_design/'))
      refused.set(d, { id: d.id, error: 'unauthorized', reason: 'You are not a db or server admin.' });
  const accepted = docs.filter((d) => !refused.has(d));
  const results = db.updateDocs(accepted, newEdits, { user: ctx.user });
  let out: UpdateResult[];
  if (!newEdits) out = [...refused.values(), ...results];
  else {
    let i = 0;
    out = docs.map((d) => refused.get(d) ?? (results[i++] as UpdateResult));
  }
  sendJson(ctx.res, 201, out);
}

/** POST /{db}/_revs_diff — which of these revs are missing here, with possible ancestors. */
export async function revsDiff(ctx: Ctx, db: Database): Promise<void> {
  if (ctx.method !== 'POST') throw methodNotAllowed('POST');
  const body = await ctx.jsonValue<Record<string, unknown>>();
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('Request body must be a JSON object');
  const out: Array<[string, unknown]> = [];
  for (const [id, revs] of Object.entries(body)) {
    if (!Array.isArray(revs) || !revs.every((r) => typeof r === 'string'))
      throw badRequest('Request body must be a JSON object of id -> list of revs');
    for (const r of revs) if (!parseRev(r)) throw badRequest('Invalid rev format');
    const state = db.getState(id);
    const missing = (revs as string[]).filter((r) => !state || !findRev(state.tree, r));
    if (!missing.length) continue;
    const sorted = [...new Set(missing)].sort(compareRevs);
    const entry: Record<string, unknown> = { missing: sorted };
    if (state) {
      const anc = new Set<string>();
      for (const r of sorted) for (const a of possibleAncestors(state.tree, r)) anc.add(a);
      if (anc.size) entry.possible_ancestors = [...anc];
    }
    out.push([id, entry]);
  }
  out.reverse(); // CouchDB answers in reverse request order (fabric's dict fold)
  sendJson(ctx.res, 200, Object.fromEntries(out));
}

function compareRevs(a: string, b: string): number {
  const x = parseRev(a);
  const y = parseRev(b);
  if (!x || !y) return a < b ? -1 : 1;
  return x.pos - y.pos || Buffer.compare(Buffer.from(x.hash), Buffer.from(y.hash));
}

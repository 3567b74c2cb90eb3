import { getEntry } from '../../../couchdb/json-scan.ts';
import { findRev, parseRev, possibleAncestors } from '../../../couchdb/tree.ts';
import { type Database, NEEDS_REV, type UpdateResult, type WriteDoc } from '../../engine/database.ts';
import { parseDoc, validateDocId } from '../../engine/doc-parse.ts';
import { badRequest, CouchHttpError } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { hasFollowingAtts, multipartDoc, openRevList, readRevision, renderOptions } from '../doc-read.ts';
import { buildMultipartMixed, newBoundary } from '../multipart.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { isDbAdmin, readSecurity } from '../security.ts';

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

interface BulkGetItem {
  id?: unknown;
  rev?: unknown;
  atts_since?: unknown;
}

/** POST /{db}/_bulk_get — the replicator's batched read (`revs=true&latest=true`). */
export async function bulkGet(ctx: Ctx, db: Database): Promise<void> {
  if (ctx.method !== 'POST') throw methodNotAllowed('POST');
  const body = await ctx.jsonValue<{ docs?: BulkGetItem[] }>();
  if (!body || !Array.isArray(body.docs)) throw badRequest('Missing JSON list of `docs`.');
  const base = renderOptions(ctx);
  const latest = ctx.bool('latest');
  const accept = ctx.header('accept') ?? '';
  const items = body.docs;
  if (/multipart\/(mixed|related)/i.test(accept) && !/application\/json/i.test(accept))
    return db.store.readTransaction(() =>
      bulkGetMultipart(ctx, db, items, base, latest, /multipart\/related/i.test(accept)),
    );
  // one read snapshot for the whole request (see DbStore.readTransaction)
  const results = db.store.readTransaction(() =>
    items.map((item) => bulkGetItemJson(db, item, base, latest)),
  );
  sendJson(ctx.res, 200, `{"results":[${results.join(',')}]}`);
}

/** One `_bulk_get` result (`{"id":..,"docs":[..]}`) as JSON text. */
function bulkGetItemJson(
  db: Database,
  item: BulkGetItem,
  base: ReturnType<typeof renderOptions>,
  latest: boolean,
): string {
  if (typeof item?.id !== 'string')
    return `{"id":null,"docs":[{"error":{"id":null,"rev":null,"error":"bad_request","reason":"document id missed"}}]}`;
  const id = item.id;
  const rev = typeof item.rev === 'string' ? item.rev : undefined;
  const opts = Array.isArray(item.atts_since) ? { ...base, attsSince: item.atts_since as string[] } : base;
  const state = db.getState(id);
  const err = (r: string, error = 'not_found', reason = 'missing') =>
    `{"error":${JSON.stringify({ rev: r, reason, id, error })}}`;
  let docs: string[];
  if (rev !== undefined && !parseRev(rev)) docs = [err(rev, 'bad_request', 'Invalid rev format')];
  else if (!state) docs = [err(rev ?? 'undefined')];
  else {
    docs = openRevList(state, rev === undefined ? 'all' : [rev], latest).map((r) => {
      const json = readRevision(db, state, r, opts);
      return json === undefined ? err(r) : `{"ok":${json}}`;
    });
  }
  return `{"id":${JSON.stringify(id)},"docs":[${docs.join(',')}]}`;
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

/** `_bulk_get` as multipart/mixed (CouchDB 3.x): one part per revision, X-Doc-Id / X-Rev-Id on docs with attachments. */
function bulkGetMultipart(
  ctx: Ctx,
  db: Database,
  items: BulkGetItem[],
  base: ReturnType<typeof renderOptions>,
  latest: boolean,
  related: boolean,
): void {
  const inner = { boundary: `--${newBoundary()}`, quoteBoundary: false };
  const parts: Array<{ contentType: string; body: Buffer; headers?: Record<string, string> }> = [];
  const error = (id: unknown, rev: string, error: string, reason: string) =>
    parts.push({
      contentType: 'application/json; error="true"',
      body: Buffer.from(JSON.stringify({ id, rev, error, reason })),
    });
  for (const item of items) {
    if (typeof item?.id !== 'string') {
      error(null, 'undefined', 'bad_request', 'document id missed');
      continue;
    }
    const rev = typeof item.rev === 'string' ? item.rev : undefined;
    const opts = Array.isArray(item.atts_since) ? { ...base, attsSince: item.atts_since as string[] } : base;
    const state = db.getState(item.id);
    if (!state) {
      error(item.id, rev ?? 'undefined', 'not_found', 'missing');
      continue;
    }
    for (const r of openRevList(state, rev === undefined ? 'all' : [rev], latest)) {
      if (opts.attachments === 'data' && hasFollowingAtts(db, state, r, opts)) {
        const mp = multipartDoc(db, state, r, opts, inner);
        if (mp)
          parts.push({
            contentType: mp.contentType,
            body: mp.body,
            headers: { 'X-Doc-Id': state.id, 'X-Rev-Id': r },
          });
        continue;
      }
      const json = readRevision(db, state, r, opts);
      if (json === undefined) error(item.id, r, 'not_found', 'missing');
      else parts.push({ contentType: 'application/json', body: Buffer.from(json) });
    }
  }
  const out = buildMultipartMixed(parts, undefined, {
    framing: 'bulk_get',
    ...(related ? { mediaType: 'multipart/related' } : {}),
  });
  ctx.res.writeHead(200, { 'Content-Type': out.contentType, 'Content-Length': String(out.body.length) });
  ctx.res.end(out.body);
}

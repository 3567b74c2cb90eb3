import { scanJson } from '../../../couchdb/json-scan.ts';
import type { FollowedAtt } from '../../engine/attachments.ts';
import type { Database, DocState, UpdateResult, WriteDoc } from '../../engine/database.ts';
import { bodylessDoc, parseDoc, REV_SHAPE } from '../../engine/doc-parse.ts';
import { badRequest, CouchHttpError, conflict } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import {
  checkRev,
  hasFollowingAtts,
  multipartDoc,
  notFoundDoc,
  openRevList,
  readRevision,
  renderOptions,
} from '../doc-read.ts';
import { buildMultipartMixed, MultipartError, parseMultipartRelated } from '../multipart.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { checkDbAdmin } from '../security.ts';
import { routeAttachment } from './attachment.ts';
import { absoluteBase } from './db.ts';

/** `/{db}/{docid}[/{attachment}]` */
export async function routeDoc(ctx: Ctx, db: Database, id: string, rest: string[]): Promise<void> {
  if (rest.length > 0) return routeAttachment(ctx, db, id, rest.join('/'));
  switch (ctx.method) {
    case 'GET':
    case 'HEAD':
      return getDoc(ctx, db, id);
    case 'PUT':
      return putDoc(ctx, db, id);
    case 'DELETE':
      return deleteDoc(ctx, db, id);
    default:
      throw methodNotAllowed('DELETE,GET,HEAD,POST,PUT,COPY');
  }
}

function acceptsJsonOnly(ctx: Ctx): boolean {
  return /application\/json/i.test(ctx.header('accept') ?? '');
}

async function getDoc(ctx: Ctx, db: Database, id: string): Promise<void> {
  const opts = renderOptions(ctx);
  const state = db.getState(id);
  const openRevs = ctx.q('open_revs');
  if (openRevs !== null)
    return getOpenRevs(ctx, db, state, openRevs === 'all' ? 'all' : ctx.json('open_revs'));
  let rev = ctx.q('rev');
  if (rev !== null) checkRev(rev);
  if (!state) throw notFoundDoc(undefined);
  if (rev === null) {
    if (state.deleted) throw notFoundDoc(state);
    rev = state.winner;
  } else if (ctx.bool('latest')) {
    const [latest] = openRevList(state, [rev], true);
    rev = latest ?? rev;
  }
  const wantsMultipart = opts.attachments === 'data' && !acceptsJsonOnly(ctx);
  if (wantsMultipart && hasFollowingAtts(db, state, rev, opts)) {
    const mp = multipartDoc(db, state, rev, opts);
    if (!mp) throw notFoundDoc(undefined);
    ctx.res.writeHead(200, {
      'Content-Type': mp.contentType,
      'Content-Length': String(mp.body.length),
      ETag: `"${rev}"`,
    });
    ctx.res.end(ctx.method === 'HEAD' ? undefined : mp.body);
    return;
  }
  const json = readRevision(db, state, rev, opts);
  if (json === undefined) throw new CouchHttpError(404, 'not_found', 'missing');
  sendJson(ctx.res, 200, json, { ETag: `"${rev}"` });
}

async function getOpenRevs(
  ctx: Ctx,
  db: Database,
  state: DocState | undefined,
  spec: unknown,
): Promise<void> {
  if (spec !== 'all' && (!Array.isArray(spec) || !spec.every((r) => typeof r === 'string')))
    throw badRequest('Invalid open_revs');
  const opts = renderOptions(ctx);
  const revs = state
    ? openRevList(state, spec as 'all' | string[], ctx.bool('latest'))
    : spec === 'all'
      ? []
      : (spec as string[]);
  if (!state && spec === 'all') throw notFoundDoc(undefined);
  const multipart = /multipart\/mixed/i.test(ctx.header('accept') ?? '');
  if (multipart) {
    const parts = revs.map((rev) => {
      const mp = state ? multipartDoc(db, state, rev, opts) : undefined;
      if (!mp)
        return {
          contentType: 'application/json; error="true"',
          body: Buffer.from(JSON.stringify({ missing: rev })),
        };
      if (!hasFollowingAtts(db, state as DocState, rev, opts)) {
        const json = readRevision(db, state as DocState, rev, opts) as string;
        return { contentType: 'application/json', body: Buffer.from(json) };
      }
      return { contentType: mp.contentType, body: mp.body };
    });
    const out = buildMultipartMixed(parts);
    ctx.res.writeHead(200, { 'Content-Type': out.contentType, 'Content-Length': String(out.body.length) });
    ctx.res.end(out.body);
    return;
  }
  const rows = revs.map((rev) => {
    const json = state ? readRevision(db, state, rev, opts) : undefined;
    return json === undefined ? JSON.stringify({ missing: rev }) : `{"ok":${json}}`;
  });
  sendJson(ctx.res, 200, `[${rows.join(',')}]`);
}

/** Reads a doc body: JSON, or multipart/related (JSON part + attachment bytes) as the replicator sends it. */
export async function readDocBody(ctx: Ctx): Promise<WriteDoc> {
  const ct = ctx.header('content-type') ?? '';
  if (/^multipart\/related/i.test(ct)) {
    let parsed: ReturnType<typeof parseMultipartRelated>;
    try {
      parsed = parseMultipartRelated(await ctx.body(), ct);
    } catch (e) {
      if (e instanceof MultipartError) throw e; // already CouchDB-shaped: 400, or 415 for a non-JSON first part
      throw e;
    }
    const text = parsed.json.toString('utf8');
    let node: ReturnType<typeof scanJson>;
    try {
      node = scanJson(text);
    } catch {
      throw badRequest('invalid UTF-8 JSON');
    }
    const doc: WriteDoc = parseDoc(text, node);
    const followers = (doc.attachments ?? []).filter(([, a]) => a.follows);
    const followed = new Map<string, FollowedAtt>();
    followers.forEach(([name, a], i) => {
      const part = parsed.parts.find((p) => p.filename === name) ?? parsed.parts[i];
      if (!part) throw badRequest(`Missing attachment data for ${name}`);
      const encoding = part.headers['content-encoding'] ?? a.encoding;
      followed.set(name, encoding ? { data: part.data, encoding } : { data: part.data });
    });
    doc.followed = followed;
    return doc;
  }
  // one JSON document may not be read past twice `[couchdb] max_document_size` (the body's own
  // limit, plus as much again for inline base64 attachments; larger attachments go through a
  // standalone or multipart PUT): a client cannot make the node buffer more than that
  const cap = 2 * ctx.node.config.maxDocumentSize;
  await ctx.body(cap, () => new CouchHttpError(413, 'document_too_large', ''));
  const { text, node } = await ctx.jsonBody();
  return parseDoc(text, node);
}

export function checkSize(ctx: Ctx, doc: WriteDoc): void {
  if (Buffer.byteLength(doc.bodyText) > ctx.node.config.maxDocumentSize)
    throw new CouchHttpError(413, 'document_too_large', doc.id ?? '');
}

function checkDesign(ctx: Ctx, db: Database, id: string | undefined): void {
  if (id?.startsWith('_design/')) checkDbAdmin(ctx, db);
}

const ERROR_STATUS: Record<string, number> = {
  missing_stub: 412,
  not_found: 404,
  forbidden: 403,
  unauthorized: 401,
};

export function writeOne(ctx: Ctx, db: Database, doc: WriteDoc, newEdits: boolean): UpdateResult {
  checkDesign(ctx, db, doc.id);
  const [r] = db.updateDocs([doc], newEdits, { user: ctx.user });
  if (r && 'error' in r) {
    if (r.error === 'conflict') throw conflict();
    // a VDU that failed (an Error, or a thrown value that is not forbidden/unauthorized) is a 500, as
    // couch_query_servers reports it; every other per-doc error is the client's
    const status =
      ERROR_STATUS[r.error] ?? (r.error === 'unknown_error' || /Error$/.test(r.error) ? 500 : 400);
    throw new CouchHttpError(status, r.error, r.reason);
  }
  // replicated: the revision written is the one `_revisions` names, else `_rev` (couch_doc:transfer_fields)
  const named = doc.revisions ? `${doc.revisions.start}-${doc.revisions.ids[0]}` : (doc.rev as string);
  if (!newEdits || !r) return { ok: true, id: doc.id as string, rev: named };
  return r;
}

function created(ctx: Ctx, db: Database, r: { id: string; rev: string }, status = 201): void {
  const loc = `${absoluteBase(ctx)}/${encodeURIComponent(db.name)}/${r.id.startsWith('_design/') ? `_design/${encodeURIComponent(r.id.slice(8))}` : encodeURIComponent(r.id)}`;
  sendJson(
    ctx.res,
    ctx.q('batch') === 'ok' ? 202 : status,
    { ok: true, id: r.id, rev: r.rev },
    { ETag: `"${r.rev}"`, Location: loc },
  );
}

async function putDoc(ctx: Ctx, db: Database, id: string): Promise<void> {
  const doc = await readDocBody(ctx);
  doc.id = id;
  const rev = ctx.q('rev') ?? ctx.header('if-match')?.replace(/"/g, '');
  if (rev !== undefined && rev !== null) {
    if (!REV_SHAPE.test(rev)) throw badRequest('Invalid rev format');
    if (doc.rev !== undefined && doc.rev !== rev)
      throw badRequest('Document rev from request body and query string have different values');
    doc.rev = rev;
  }
  checkSize(ctx, { ...doc, id: '' });
  const r = writeOne(ctx, db, doc, ctx.bool('new_edits', true));
  if ('ok' in r) created(ctx, db, r, doc.deleted ? 200 : 201);
}

export async function postDoc(ctx: Ctx, db: Database): Promise<void> {
  const doc = await readDocBody(ctx);
  checkSize(ctx, { ...doc, id: '' });
  const r = writeOne(ctx, db, doc, true);
  if ('ok' in r) created(ctx, db, r);
}

async function deleteDoc(ctx: Ctx, db: Database, id: string): Promise<void> {
  const rev = ctx.q('rev') ?? ctx.header('if-match')?.replace(/"/g, '');
  if (!rev) throw conflict();
  checkRev(rev);
  const r = writeOne(ctx, db, bodylessDoc(id, rev, true), true);
  if ('ok' in r) sendJson(ctx.res, 200, { ok: true, id: r.id, rev: r.rev }, { ETag: `"${r.rev}"` });
}

import type { Database, DocState } from '../../engine/database.ts';
import { bodylessDoc, REV_SHAPE } from '../../engine/doc-parse.ts';
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
import { buildMultipartMixed } from '../multipart.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { checkSize, readDocBody, writeOne } from './doc-write.ts';
import { absoluteBase, requireJsonType } from './guards.ts';

/** `/{db}/{docid}` (the router sends `/{db}/{docid}/{attachment}` to attachment.ts). */
export async function routeDoc(ctx: Ctx, db: Database, id: string): Promise<void> {
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

/** `POST /{db}`: a new document (chttpd_db:db_req POST, which requires a JSON body type). */
export async function postDoc(ctx: Ctx, db: Database): Promise<void> {
  requireJsonType(ctx);
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

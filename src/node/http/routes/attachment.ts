import { scanJson } from '../../../couchdb/json-scan.ts';
import type { AttList } from '../../engine/attachments.ts';
import { readAttData } from '../../engine/attachments.ts';
import type { Database, WriteDoc } from '../../engine/database.ts';
import { parseAtts } from '../../engine/database.ts';
import type { AttIn } from '../../engine/doc-parse.ts';
import { CouchHttpError, conflict } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { checkRev, notFoundDoc } from '../doc-read.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { writeOne } from './doc-write.ts';
import { absoluteBase } from './guards.ts';

/** `/{db}/{doc}/{attachment}`: raw GET/HEAD, standalone PUT and DELETE (each a new revision). */
export async function routeAttachment(ctx: Ctx, db: Database, id: string, name: string): Promise<void> {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return getAttachment(ctx, db, id, name);
  if (ctx.method === 'PUT' || ctx.method === 'DELETE') return writeAttachment(ctx, db, id, name);
  throw methodNotAllowed('DELETE,GET,HEAD,PUT');
}

function getAttachment(ctx: Ctx, db: Database, id: string, name: string): void {
  const state = db.getState(id);
  const rev = ctx.q('rev') ?? state?.winner;
  if (rev) checkRev(rev);
  if (!state || !rev || (ctx.q('rev') === null && state.deleted)) throw notFoundDoc(state);
  const row = db.getRev(id, rev);
  if (!row) throw new CouchHttpError(404, 'not_found', 'missing');
  const att = parseAtts(row.atts).find(([n]) => n === name)?.[1];
  if (!att) throw new CouchHttpError(404, 'not_found', 'Document is missing attachment');
  const data = readAttData(db.store, att);
  ctx.res.writeHead(200, {
    'Accept-Ranges': 'none',
    'Cache-Control': 'must-revalidate',
    'Content-Length': String(data.length),
    'Content-Type': att.content_type,
    ETag: `"${att.digest.replace(/^md5-/, '')}"`,
  });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : data);
}

async function writeAttachment(ctx: Ctx, db: Database, id: string, name: string): Promise<void> {
  const rev = ctx.q('rev') ?? ctx.header('if-match')?.replace(/"/g, '') ?? undefined;
  const state = db.getState(id);
  if (rev) checkRev(rev);
  if (ctx.method === 'DELETE' && !rev) throw conflict();
  // the new revision keeps the parent's body and attachments (as stubs), plus / minus this one
  let body = '{}';
  let atts: AttList = [];
  if (state && rev) {
    const parent = db.getRev(id, rev);
    if (!parent) throw conflict();
    body = parent.body;
    atts = parseAtts(parent.atts);
  } else if (state && !state.deleted) throw conflict();
  if (ctx.method === 'DELETE' && !atts.some(([n]) => n === name))
    throw new CouchHttpError(404, 'not_found', 'Document is missing attachment');
  const entries: Array<[string, AttIn]> = atts
    .filter(([n]) => n !== name)
    .map(([n, a]) => [n, { stub: true, digest: a.digest, content_type: a.content_type, revpos: a.revpos }]);
  const doc: WriteDoc = {
    id,
    rev,
    deleted: false,
    revisions: undefined,
    attachments: entries,
    bodyText: body,
    text: body,
    node: scanJson(body),
  };
  if (ctx.method === 'PUT') {
    const data = await ctx.body();
    const type = ctx.header('content-type') ?? 'application/octet-stream';
    entries.unshift([name, { follows: true, content_type: type }]);
    doc.followed = new Map([[name, { data }]]);
  }
  const r = writeOne(ctx, db, doc, true);
  if (!('ok' in r)) return;
  const status = ctx.method === 'PUT' ? 201 : 200;
  const loc = `${absoluteBase(ctx)}/${encodeURIComponent(db.name)}/${encodeURIComponent(id)}/${encodeURIComponent(name)}`;
  sendJson(
    ctx.res,
    status,
    { ok: true, id: r.id, rev: r.rev },
    ctx.method === 'PUT' ? { Location: loc } : {},
  );
}

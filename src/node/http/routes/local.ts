import { createHash } from 'node:crypto';
import type { Database } from '../../engine/database.ts';
import { bodylessDoc } from '../../engine/doc-parse.ts';
import { renderLocal } from '../../engine/doc-render.ts';
import { badRequest, notFound } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { checkSize, readDocBody } from './doc-write.ts';
import { absoluteBase } from './guards.ts';

/** Local docs have no rev tree; CouchDB's ETag for them is a hash of the doc (25 base-32 chars). */
function localEtag(id: string, rev: number, body: string): string {
  const n = BigInt(`0x${createHash('md5').update(`${id}\0${rev}\0${body}`).digest('hex')}`);
  return `"${n.toString(36).toUpperCase().padStart(25, '0').slice(0, 25)}"`;
}

/** `/{db}/_local/{id}`: non-replicated docs (checkpoints live here), rev "0-N", no conflicts. */
export async function routeLocal(ctx: Ctx, db: Database, rest: string[]): Promise<void> {
  if (rest.length === 0) throw notFound('missing');
  // chttpd_db:db_req: any path below `_local/{id}` is an attachment, which local docs cannot have
  if (rest.length > 1) throw badRequest('_local documents do not accept attachments.');
  const id = `_local/${rest[0]}`;
  switch (ctx.method) {
    case 'GET':
    case 'HEAD': {
      const d = db.store.getLocal(id);
      if (!d) throw notFound('missing');
      return sendJson(ctx.res, 200, renderLocal(id, d.rev, d.body, ctx.bool('revs')), {
        ETag: localEtag(id, d.rev, d.body),
      });
    }
    case 'PUT': {
      const doc = await readDocBody(ctx);
      doc.id = id;
      const qrev = ctx.q('rev');
      if (qrev !== null) doc.rev = qrev;
      checkSize(ctx, doc);
      const r = db.putLocal(id, doc);
      const saved = db.store.getLocal(id);
      const location = `${absoluteBase(ctx)}/${encodeURIComponent(db.name)}/${encodeURIComponent(id)}`;
      return sendJson(ctx.res, 201, r, {
        Location: location,
        ...(saved ? { ETag: localEtag(id, saved.rev, saved.body) } : {}),
      });
    }
    case 'DELETE': {
      const rev = ctx.q('rev') ?? ctx.header('if-match')?.replace(/"/g, '');
      if (!db.store.getLocal(id)) throw notFound('missing');
      if (rev !== undefined && !/^0-\d+$/.test(rev)) throw badRequest('Invalid rev format');
      const r = db.putLocal(id, bodylessDoc(id, rev, true));
      return sendJson(ctx.res, 200, r);
    }
    default:
      throw methodNotAllowed('DELETE,GET,HEAD,PUT');
  }
}

// The database resource itself: `PUT|GET|HEAD|DELETE /{db}` (POST, a new document, is doc.ts's),
// `/{db}/_revs_limit` and `/{db}/_security`, as chttpd_db:db_req and its handlers answer them.
import type { Database } from '../../engine/database.ts';
import { CouchHttpError } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { checkDbAdmin, checkMember, readSecurity, validateSecurity, writeSecurity } from '../security.ts';
import { dbInfo } from './db-info.ts';
import { absoluteBase, requireServerAdmin } from './guards.ts';

/** `/{db}`: create, read the info of, or delete a database. */
export async function dbRoot(ctx: Ctx, name: string): Promise<void> {
  switch (ctx.method) {
    case 'PUT':
      requireServerAdmin(ctx);
      ctx.node.createDb(name);
      return sendJson(
        ctx.res,
        201,
        { ok: true },
        { Location: `${absoluteBase(ctx)}/${encodeURIComponent(name)}` },
      );
    case 'GET':
    case 'HEAD': {
      const db = ctx.node.require(name);
      checkMember(ctx, db);
      return sendJson(ctx.res, 200, dbInfo(db));
    }
    case 'DELETE':
      requireServerAdmin(ctx);
      ctx.node.deleteDb(name);
      return sendJson(ctx.res, 200, { ok: true });
    default:
      throw methodNotAllowed('DELETE,GET,HEAD,POST,PUT');
  }
}

export async function revsLimit(ctx: Ctx, db: Database): Promise<void> {
  if (ctx.method === 'GET') {
    checkMember(ctx, db);
    return sendJson(ctx.res, 200, db.revsLimit);
  }
  if (ctx.method !== 'PUT') throw methodNotAllowed('GET,PUT');
  checkDbAdmin(ctx, db);
  const n = await ctx.jsonValue();
  if (!Number.isSafeInteger(n) || (n as number) <= 0)
    throw new CouchHttpError(400, 'bad_request', 'Rev limit has to be an integer');
  db.setRevsLimit(n as number);
  return sendJson(ctx.res, 200, { ok: true });
}

export async function security(ctx: Ctx, db: Database): Promise<void> {
  if (ctx.method === 'GET') {
    checkMember(ctx, db);
    return sendJson(ctx.res, 200, readSecurity(db));
  }
  if (ctx.method !== 'PUT') throw methodNotAllowed('GET,PUT');
  checkDbAdmin(ctx, db);
  const sec = validateSecurity(await ctx.jsonValue());
  writeSecurity(db, sec);
  return sendJson(ctx.res, 200, { ok: true });
}

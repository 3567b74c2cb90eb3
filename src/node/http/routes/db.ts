import type { Database } from '../../engine/database.ts';
import { CouchHttpError, notFound } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { checkDbAdmin, checkMember, readSecurity, validateSecurity, writeSecurity } from '../security.ts';
import { allDocs, localDocs } from './all-docs.ts';
import { bulkDocs, bulkGet, revsDiff } from './bulk.ts';
import { changes } from './changes.ts';
import { postDoc, routeDoc } from './doc.ts';
import { routeLocal } from './local.ts';
import { compact, designFeature, viewCleanup } from './maintenance.ts';
import { requireServerAdmin } from './server.ts';

export function dbInfo(db: Database): Record<string, unknown> {
  const pageSize = db.store.db.pragma('page_size', { simple: true }) as number;
  const pages = db.store.db.pragma('page_count', { simple: true }) as number;
  return {
    instance_start_time: db.instanceStartTime,
    db_name: db.name,
    purge_seq: db.seqs.encode(0),
    update_seq: db.seqs.encode(db.updateSeq),
    sizes: { file: pageSize * pages, external: 0, active: pageSize * pages },
    props: {},
    doc_del_count: db.delCount,
    doc_count: db.docCount,
    disk_format_version: 8,
    compact_running: false,
    cluster: { q: 1, n: 1, w: 1, r: 1 },
  };
}

/** Everything under `/{db}`. */
export async function routeDb(ctx: Ctx): Promise<void> {
  const name = ctx.path[0] as string;
  if (ctx.path.length === 1) return dbRoot(ctx, name);
  const db = ctx.node.require(name);
  const [, second, ...rest] = ctx.path;
  switch (second) {
    case '_all_docs':
      checkMember(ctx, db);
      return allDocs(ctx, db);
    case '_bulk_docs':
      checkMember(ctx, db);
      return bulkDocs(ctx, db);
    case '_bulk_get':
      checkMember(ctx, db);
      return bulkGet(ctx, db);
    case '_revs_diff':
      checkMember(ctx, db);
      return revsDiff(ctx, db);
    case '_changes':
      checkMember(ctx, db);
      return changes(ctx, db);
    case '_local_docs':
      checkMember(ctx, db);
      return localDocs(ctx, db);
    case '_local':
      checkMember(ctx, db);
      return routeLocal(ctx, db, rest);
    case '_ensure_full_commit':
      checkMember(ctx, db);
      if (ctx.method !== 'POST') throw methodNotAllowed('POST');
      return sendJson(ctx.res, 201, { ok: true, instance_start_time: db.instanceStartTime });
    case '_revs_limit':
      return revsLimit(ctx, db);
    case '_security':
      return security(ctx, db);
    case '_compact':
      return compact(ctx, db, rest);
    case '_view_cleanup':
      return viewCleanup(ctx);
    case '_design': {
      checkMember(ctx, db);
      if (rest.length === 0) throw notFound('missing');
      const unsupported = designFeature(rest[1]);
      if (unsupported) throw unsupported;
      return routeDoc(ctx, db, `_design/${rest[0]}`, rest.slice(1));
    }
    default:
      if (second === undefined) throw notFound('missing');
      if (second.startsWith('_'))
        throw new CouchHttpError(
          400,
          'illegal_docid',
          'Only reserved document ids may start with underscore.',
        );
      checkMember(ctx, db);
      return routeDoc(ctx, db, second, rest);
  }
}

async function dbRoot(ctx: Ctx, name: string): Promise<void> {
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
    case 'POST': {
      const db = ctx.node.require(name);
      checkMember(ctx, db);
      // chttpd_db:db_req POST: couch_httpd:validate_ctype(Req, "application/json")
      if (!/^application\/json\b/i.test(ctx.header('content-type') ?? ''))
        throw new CouchHttpError(415, 'bad_content_type', 'Content-Type must be application/json');
      return postDoc(ctx, db);
    }
    default:
      throw methodNotAllowed('DELETE,GET,HEAD,POST,PUT');
  }
}

export function absoluteBase(ctx: Ctx): string {
  return `http://${ctx.header('host') ?? 'localhost'}`;
}

async function revsLimit(ctx: Ctx, db: Database): Promise<void> {
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

async function security(ctx: Ctx, db: Database): Promise<void> {
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

// The router of everything under `/{db}` (chttpd_db:db_req's dispatch): the one module that imports
// the handlers, which import shared leaves (guards.ts, doc-write.ts, db-info.ts) but never each other.
import type { Database } from '../../engine/database.ts';
import { CouchHttpError, notFound } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { checkMember } from '../security.ts';
import { allDocs, localDocs } from './all-docs.ts';
import { routeAttachment } from './attachment.ts';
import { bulkDocs, bulkGet, revsDiff } from './bulk.ts';
import { changes } from './changes.ts';
import { dbRoot, revsLimit, security } from './db-root.ts';
import { postDoc, routeDoc } from './doc.ts';
import { routeLocal } from './local.ts';
import { compact, designFeature, viewCleanup } from './maintenance.ts';

/** Everything under `/{db}`. */
export async function routeDb(ctx: Ctx): Promise<void> {
  const name = ctx.path[0] as string;
  if (ctx.path.length === 1) {
    // `POST /{db}` writes a new document (chttpd_db:db_req), the other methods act on the database
    if (ctx.method !== 'POST') return dbRoot(ctx, name);
    const db = ctx.node.require(name);
    checkMember(ctx, db);
    return postDoc(ctx, db);
  }
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
      return docOrAttachment(ctx, db, `_design/${rest[0]}`, rest.slice(1));
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
      return docOrAttachment(ctx, db, second, rest);
  }
}

/** `/{db}/{docid}` is the document, anything below it one of its attachments (names may hold `/`). */
function docOrAttachment(ctx: Ctx, db: Database, id: string, rest: string[]): Promise<void> {
  if (rest.length > 0) return routeAttachment(ctx, db, id, rest.join('/'));
  return routeDoc(ctx, db, id);
}

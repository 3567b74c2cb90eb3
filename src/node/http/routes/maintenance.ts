// Database maintenance and the design-document features this node does not implement.
//
// `POST /{db}/_compact[/{ddoc}]` and `POST /{db}/_view_cleanup` mirror chttpd_db: server admin only
// (chttpd_auth_request requires it), `Content-Type: application/json` (couch_httpd:validate_ctype,
// else 415), POST only (405), answered 202 `{"ok":true}` while the work runs in the background. For
// SQLite, compaction is a WAL checkpoint; there are no view indexes to compact or clean up.
import type { Database } from '../../engine/database.ts';
import { CouchHttpError } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { requireJsonType, requireServerAdmin } from './guards.ts';

/** `POST /{db}/_compact` and `POST /{db}/_compact/{ddoc}` -> 202 `{"ok":true}`. */
export function compact(ctx: Ctx, db: Database, rest: string[]): void {
  requireServerAdmin(ctx);
  if (ctx.method !== 'POST') throw methodNotAllowed('POST');
  requireJsonType(ctx);
  // a view-index compaction (`/_compact/{ddoc}`) has no index to work on here
  if (rest.length === 0) setImmediate(() => db.closed || db.store.compact());
  sendJson(ctx.res, 202, { ok: true });
}

/** `POST /{db}/_view_cleanup` -> 202 `{"ok":true}` (no view index files to remove). */
export function viewCleanup(ctx: Ctx): void {
  requireServerAdmin(ctx);
  if (ctx.method !== 'POST') throw methodNotAllowed('POST');
  requireJsonType(ctx);
  sendJson(ctx.res, 202, { ok: true });
}

/** Design-document handlers CouchDB runs through its JavaScript query server. */
const DESIGN_FEATURES: Record<string, string> = {
  _view: 'map/reduce views (_view)',
  _info: 'view index info (_info)',
  _list: 'list functions (_list)',
  _show: 'show functions (_show)',
  _update: 'update handlers (_update)',
  _rewrite: 'rewrites (_rewrite)',
  _search: 'search indexes (_search)',
  _search_info: 'search indexes (_search_info)',
  _nouveau: 'nouveau indexes (_nouveau)',
  _nouveau_info: 'nouveau indexes (_nouveau_info)',
};

/**
 * `/{db}/_design/{ddoc}/{handler}/...` for a handler above: 501 naming the feature, never an answer
 * that would pass for another resource (without this, `_view/y` would read as the attachment `_view/y`).
 */
export function designFeature(handler: string | undefined): CouchHttpError | undefined {
  const feature = handler === undefined ? undefined : DESIGN_FEATURES[handler];
  if (!feature) return undefined;
  return new CouchHttpError(501, 'not_implemented', `${feature} are not implemented by the couchmesh node`);
}

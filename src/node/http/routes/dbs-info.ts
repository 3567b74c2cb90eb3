// `/_dbs_info` and `/_membership`, as chttpd_misc answers them in CouchDB 3.x.
//
// - `GET /_dbs_info` (3.2+): `[{key, info}]` for the databases `_all_dbs` lists, with its paging
//   parameters (startkey/endkey, inclusive_end, descending, limit, skip); server admin only, like
//   `_all_dbs` under `[chttpd] admin_only_all_dbs = true`.
// - `POST /_dbs_info` `{"keys":[...]}`: one row per key in request order, `{key, info}` or
//   `{key, error:"not_found"}`; at most `[chttpd] max_db_number_for_dbs_info_req` (100) keys, read
//   at every request as CouchDB's config:get_integer does (a value that is not an integer: 100).
//   Content-Type must be application/json (chttpd:validate_ctype). Admin only here as well: db info
//   bypasses each database's `_security`, so this node does not hand it to other users.
// - `GET /_membership`: `{all_nodes, cluster_nodes}`; a single node lists its own name in both.
import { badRequest, CouchHttpError } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { dbInfo } from './db-info.ts';
import { requireServerAdmin } from './guards.ts';

const MAX_DBS_INFO_KEYS = 100;

/** `[chttpd] max_db_number_for_dbs_info_req`, live from `_config` (chttpd_misc:handle_dbs_info_req). */
function maxKeys(ctx: Ctx): number {
  const v = ctx.node.configSections.chttpd?.max_db_number_for_dbs_info_req;
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : MAX_DBS_INFO_KEYS;
}

/** The name this node answers to (`/_node/{name}`, log lines), as CouchDB's `couchdb@host`. */
export const nodeName = (ctx: Ctx) => `couchmesh@${ctx.node.uuid}`;

function infoRow(ctx: Ctx, name: unknown): Record<string, unknown> {
  const db = typeof name === 'string' ? ctx.node.get(name) : undefined;
  return db ? { key: name, info: dbInfo(db) } : { key: name, error: 'not_found' };
}

function strParam(ctx: Ctx, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = ctx.json(n);
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new CouchHttpError(400, 'query_parse_error', `${n} must be a string`);
    return v;
  }
  return undefined;
}

/** The `_all_dbs` listing with CouchDB's view paging parameters. */
function pagedDbs(ctx: Ctx): string[] {
  const descending = ctx.bool('descending');
  const start = strParam(ctx, 'startkey', 'start_key');
  const end = strParam(ctx, 'endkey', 'end_key');
  const inclusiveEnd = ctx.bool('inclusive_end', true);
  const limit = ctx.int('limit', Number.MAX_SAFE_INTEGER);
  const skip = ctx.int('skip', 0);
  let names = ctx.node.allDbs();
  if (descending) names = names.reverse();
  const before = (a: string, b: string) => (descending ? a > b : a < b);
  names = names.filter((n) => {
    if (start !== undefined && before(n, start)) return false;
    if (end !== undefined && (before(end, n) || (!inclusiveEnd && n === end))) return false;
    return true;
  });
  return names.slice(skip, skip + limit);
}

export async function dbsInfo(ctx: Ctx): Promise<void> {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') {
    requireServerAdmin(ctx);
    return sendJson(
      ctx.res,
      200,
      pagedDbs(ctx).map((n) => infoRow(ctx, n)),
    );
  }
  if (ctx.method !== 'POST') throw methodNotAllowed('GET,HEAD,POST');
  requireServerAdmin(ctx);
  const body = await ctx.jsonValue<{ keys?: unknown }>({ requireJsonType: true });
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('Request body must be a JSON object');
  if (body.keys === undefined) throw badRequest('`keys` member must exist.');
  if (!Array.isArray(body.keys)) throw badRequest('`keys` member must be an array.');
  if (body.keys.length > maxKeys(ctx)) throw badRequest('too_many_keys');
  return sendJson(
    ctx.res,
    200,
    body.keys.map((k) => infoRow(ctx, k)),
  );
}

export function membership(ctx: Ctx): void {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed('GET,HEAD');
  requireServerAdmin(ctx);
  const me = nodeName(ctx);
  sendJson(ctx.res, 200, { all_nodes: [me], cluster_nodes: [me] });
}

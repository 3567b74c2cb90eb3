import { CouchHttpError, notFound } from '../../engine/errors.ts';
import { badCredentials, checkPassword, cookieHeader, hasAdmins, makeCookie } from '../auth.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { routeConfig } from './config.ts';
import { dbsInfo, membership } from './dbs-info.ts';
import { requireServerAdmin } from './guards.ts';

/**
 * The methods each server-level endpoint takes, as its chttpd_misc / couch_httpd_misc_handlers /
 * couch_httpd_auth clause matches them; any other method is send_method_not_allowed: 405
 * method_not_allowed with `Allow` (so `COPY /` or `PUT /_all_dbs` never reach the handler). chttpd
 * normalises HEAD to GET before dispatch, so every GET endpoint takes HEAD even where `Allow` says GET.
 * `/_node/...` checks its own methods per sub-path (config, stats).
 */
const SERVER_METHODS = new Map<string, string>([
  ['', 'GET,HEAD'],
  ['_up', 'GET,HEAD'],
  ['_all_dbs', 'GET,HEAD'],
  ['_active_tasks', 'GET,HEAD'],
  ['_uuids', 'GET'],
  ['_dbs_info', 'GET,HEAD,POST'],
  ['_membership', 'GET,HEAD'],
  ['_session', 'DELETE,GET,HEAD,POST'],
]);

function checkMethod(ctx: Ctx, endpoint: string): void {
  const allow = SERVER_METHODS.get(endpoint);
  if (allow === undefined) return;
  const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
  if (!allow.split(',').includes(method)) throw methodNotAllowed(allow);
}

/** Server-level endpoints: `/`, `/_up`, `/_all_dbs`, `/_uuids`, `/_session`, `/_node/_local/_config`. */
export async function routeServer(ctx: Ctx): Promise<void> {
  const [first, ...rest] = ctx.path;
  checkMethod(ctx, first ?? '');
  switch (first) {
    case undefined:
      return sendJson(ctx.res, 200, {
        couchdb: 'Welcome',
        version: '3.5.0',
        git_sha: 'couchmesh',
        uuid: ctx.node.uuid,
        features: ['couchmesh-embedded', 'scheduler'],
        vendor: { name: 'couchmesh', version: '0.1.0' },
      });
    case '_up':
      return sendJson(ctx.res, 200, { status: 'ok', seeds: {} });
    case '_all_dbs':
      // [chttpd] admin_only_all_dbs = true (CouchDB 3 default)
      requireServerAdmin(ctx);
      return sendJson(ctx.res, 200, ctx.node.allDbs());
    case '_dbs_info':
      return dbsInfo(ctx);
    case '_membership':
      return membership(ctx);
    case '_uuids': {
      const count = ctx.int('count', 1);
      if (count > 1000) throw new CouchHttpError(400, 'bad_request', 'count parameter too large');
      return sendJson(
        ctx.res,
        200,
        { uuids: Array.from({ length: count }, () => ctx.node.random.uuid()) },
        {
          'Cache-Control': 'must-revalidate, no-cache',
          Pragma: 'no-cache',
        },
      );
    }
    case '_session':
      return session(ctx);
    case '_node':
      if (rest[0] !== '_local' && rest[0] !== `couchmesh@${ctx.node.uuid}`) throw notFound('missing');
      requireServerAdmin(ctx);
      if (rest[1] === '_config') return routeConfig(ctx, rest.slice(2));
      if (rest[1] === '_stats') return stats(ctx, rest.slice(2));
      throw notFound('missing');
    case '_active_tasks':
      requireServerAdmin(ctx);
      return sendJson(
        ctx.res,
        200,
        ctx.node.activeTasks.flatMap((f) => f()),
      );
    default:
      if (ctx.path.length === 1 && (ctx.method === 'PUT' || ctx.method === 'GET' || ctx.method === 'DELETE'))
        throw new CouchHttpError(
          400,
          'illegal_database_name',
          `Name: '${first}'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter.`,
        );
      throw new CouchHttpError(400, 'bad_request', `Referer header required.`);
  }
}

// an anonymous sign-in needs a name and a password, not megabytes: bound what is read for it
const SESSION_BODY_MAX = 64 * 1024;

async function session(ctx: Ctx): Promise<void> {
  const handlers = ['cookie', 'default'];
  if (ctx.method === 'GET') {
    const u = ctx.user;
    const anonymous = u.authenticated === undefined;
    const info: Record<string, unknown> = { authentication_handlers: handlers };
    if (!anonymous) info.authenticated = u.authenticated;
    return sendJson(ctx.res, 200, {
      ok: true,
      userCtx:
        anonymous && hasAdmins(ctx.node) ? { name: null, roles: [] } : { name: u.name, roles: u.roles },
      info,
    });
  }
  if (ctx.method === 'POST') {
    const ct = ctx.header('content-type') ?? '';
    let name: unknown;
    let password: unknown;
    if (/^application\/x-www-form-urlencoded/i.test(ct)) {
      const form = new URLSearchParams((await ctx.body(SESSION_BODY_MAX)).toString('utf8'));
      name = form.get('name');
      password = form.get('password');
    } else if (/^application\/json/i.test(ct)) {
      await ctx.body(SESSION_BODY_MAX); // read (bounded) before parsing: sign-in is anonymous
      const body = await ctx.jsonValue<{ name?: unknown; password?: unknown }>();
      name = body?.name;
      password = body?.password;
    } else throw new CouchHttpError(415, 'bad_content_type', 'Content-Type must be application/json');
    const expired = cookieHeader('', ctx.node.clock.now());
    if (typeof name !== 'string' || typeof password !== 'string') throw withCookie(badCredentials(), expired);
    const roles = checkPassword(ctx.node, name, password);
    if (!roles) throw withCookie(badCredentials(), expired);
    return sendJson(
      ctx.res,
      200,
      { ok: true, name, roles },
      { 'Set-Cookie': cookieHeader(makeCookie(ctx.node, name), ctx.node.clock.now()) },
    );
  }
  if (ctx.method === 'DELETE')
    return sendJson(ctx.res, 200, { ok: true }, { 'Set-Cookie': cookieHeader('', ctx.node.clock.now()) });
  throw methodNotAllowed('DELETE,GET,HEAD,POST');
}

function withCookie(e: CouchHttpError, cookie: string): CouchHttpError {
  return new CouchHttpError(e.status, e.error, e.reason, { 'Set-Cookie': cookie });
}

function stats(ctx: Ctx, path: string[]): void {
  const groups = Object.fromEntries([...ctx.node.stats].map(([k, f]) => [k, f()]));
  let v: unknown = groups;
  for (const p of path) {
    v = (v as Record<string, unknown> | undefined)?.[p];
    if (v === undefined) throw notFound('missing');
  }
  sendJson(ctx.res, 200, v);
}

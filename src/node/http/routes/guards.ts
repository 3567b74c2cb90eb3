// Request guards every route family shares. A leaf: it imports no route, so any handler may use it
// without the route files importing each other.
import { CouchHttpError, unauthorized } from '../../engine/errors.ts';
import { type Ctx, isAdmin } from '../context.ts';

/** couch_httpd:verify_is_server_admin: 401 for anonymous and authenticated non-admins alike. */
export function requireServerAdmin(ctx: Ctx): void {
  if (isAdmin(ctx.user)) return;
  throw unauthorized('You are not a server admin.');
}

/** couch_httpd:validate_ctype(Req, "application/json"): 415 for any other body type. */
export function requireJsonType(ctx: Ctx): void {
  if (!/^application\/json\b/i.test(ctx.header('content-type') ?? ''))
    throw new CouchHttpError(415, 'bad_content_type', 'Content-Type must be application/json');
}

/** The `http://host` prefix of `Location` headers, from the request's Host (chttpd:absolute_uri). */
export function absoluteBase(ctx: Ctx): string {
  return `http://${ctx.header('host') ?? 'localhost'}`;
}

import type { Database } from '../engine/database.ts';
import { CouchHttpError } from '../engine/errors.ts';
import { type Ctx, isAdmin, type UserCtx } from './context.ts';

export interface SecurityObject {
  admins?: { names?: string[]; roles?: string[] };
  members?: { names?: string[]; roles?: string[] };
  [k: string]: unknown;
}

// parsed once per database and kept until the next PUT _security (read on every request)
const cache = new WeakMap<Database, SecurityObject>();

export function readSecurity(db: Database): SecurityObject {
  let sec = cache.get(db);
  if (!sec) {
    const s = db.store.getMeta('security');
    sec = s ? (JSON.parse(s) as SecurityObject) : {};
    cache.set(db, sec);
  }
  return sec;
}

export function writeSecurity(db: Database, sec: SecurityObject): void {
  db.store.setMeta('security', JSON.stringify(sec));
  cache.set(db, sec);
}

function inGroup(u: UserCtx, g: { names?: string[]; roles?: string[] } | undefined): boolean {
  if (!g) return false;
  return (
    (u.name !== null && (g.names ?? []).includes(u.name)) || u.roles.some((r) => (g.roles ?? []).includes(r))
  );
}

export function isDbAdmin(u: UserCtx, sec: SecurityObject): boolean {
  return isAdmin(u) || inGroup(u, sec.admins);
}

/**
 * `_security` enforcement as couch_db:check_is_member / check_is_admin: with no members (names and
 * roles empty) a db is public; otherwise a reader must be a member or an admin.
 */
export function checkMember(ctx: Ctx, db: Database): void {
  const sec = readSecurity(db);
  if (isDbAdmin(ctx.user, sec)) return;
  const m = sec.members;
  const open = !m || ((m.names ?? []).length === 0 && (m.roles ?? []).length === 0);
  if (open || inGroup(ctx.user, m)) return;
  if (ctx.user.name === null)
    throw new CouchHttpError(401, 'unauthorized', 'You are not authorized to access this db.');
  throw new CouchHttpError(403, 'forbidden', 'You are not allowed to access this db.');
}

export function checkDbAdmin(ctx: Ctx, db: Database): void {
  if (isDbAdmin(ctx.user, readSecurity(db))) return;
  if (ctx.user.name === null)
    throw new CouchHttpError(401, 'unauthorized', 'You are not a db or server admin.');
  throw new CouchHttpError(403, 'forbidden', 'You are not a db or server admin.');
}

export function validateSecurity(v: unknown): SecurityObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new CouchHttpError(400, 'bad_request', 'Security object must be a JSON object');
  for (const k of ['admins', 'members'] as const) {
    const g = (v as SecurityObject)[k];
    if (g === undefined) continue;
    if (typeof g !== 'object' || g === null)
      throw new CouchHttpError(400, 'bad_request', `${k} must be a JSON object`);
    for (const f of ['names', 'roles'] as const) {
      const list = (g as Record<string, unknown>)[f];
      if (list !== undefined && (!Array.isArray(list) || !list.every((x) => typeof x === 'string')))
        throw new CouchHttpError(400, 'bad_request', `${k}.${f} must be a JSON list of strings`);
    }
  }
  return v as SecurityObject;
}

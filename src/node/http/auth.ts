import { createHmac, timingSafeEqual } from 'node:crypto';
import { CouchHttpError } from '../engine/errors.ts';
import type { NodeState } from '../node-state.ts';
import type { Ctx, UserCtx } from './context.ts';
import { parseAdminHash, safeEqual, verifyPassword } from './passwords.ts';

export const SESSION_TIMEOUT_S = 600; // [chttpd_auth] timeout

const badCredentials = () => new CouchHttpError(401, 'unauthorized', 'Name or password is incorrect.');

interface UserDoc {
  name?: string;
  roles?: string[];
  salt?: string;
  derived_key?: string;
  iterations?: number;
  pbkdf2_prf?: string;
}

/** Server admins hashed in `[admins]` (set through `_config/admins/NAME`). */
function hashedAdmin(node: NodeState, name: string) {
  const v = node.configSections.admins?.[name];
  return v === undefined ? undefined : parseAdminHash(v);
}

/** Whether the node has any server admin (else it is in admin party, for programmatic use only). */
export function hasAdmins(node: NodeState): boolean {
  return node.admins.size > 0 || Object.keys(node.configSections.admins ?? {}).length > 0;
}

/** Looks a user up: server admins, configured users, then `_users` (pbkdf2). Null when unknown or wrong. */
export function checkPassword(node: NodeState, name: string, password: string): string[] | null {
  const admin = node.admins.get(name);
  if (admin !== undefined) return safeEqual(admin, password) ? ['_admin'] : null;
  const policy = node.passwordPolicy();
  const hashed = hashedAdmin(node, name);
  // the auth cache's lifetime is counted on the node's clock
  const now = node.clock.now();
  if (hashed) return verifyPassword(hashed, password, policy, now) ? ['_admin'] : null;
  const cfg = node.options.users?.[name];
  if (cfg) return safeEqual(cfg.password, password) ? (cfg.roles ?? []) : null;
  const doc = userDoc(node, name);
  if (!doc?.salt || !doc.derived_key || typeof doc.iterations !== 'number') return null;
  const ok = verifyPassword(
    {
      pbkdf2_prf: doc.pbkdf2_prf ?? 'sha1',
      iterations: doc.iterations,
      salt: doc.salt,
      derived_key: doc.derived_key,
    },
    password,
    policy,
    now,
  );
  return ok ? (doc.roles ?? []) : null;
}

function userDoc(node: NodeState, name: string): UserDoc | undefined {
  const db = node.get('_users');
  const state = db?.getState(`org.couchdb.user:${name}`);
  if (!db || !state || state.deleted) return undefined;
  const rev = db.getRev(state.id, state.winner);
  return rev ? (JSON.parse(rev.body) as UserDoc) : undefined;
}

function rolesOf(node: NodeState, name: string): string[] | null {
  if (node.admins.has(name) || hashedAdmin(node, name)) return ['_admin'];
  const cfg = node.options.users?.[name];
  if (cfg) return cfg.roles ?? [];
  const doc = userDoc(node, name);
  return doc ? (doc.roles ?? []) : null;
}

// ---- AuthSession cookie: base64url("name:HEXTIME:" + HMAC), as couch_httpd_auth makes it
/** The per-user part of the cookie key (CouchDB mixes in the user's salt, so a new password ends old sessions). */
function userSalt(node: NodeState, name: string): string {
  const admin = node.admins.get(name);
  if (admin !== undefined) return createHmac('sha256', node.secret).update(admin).digest('hex');
  const hashed = hashedAdmin(node, name);
  if (hashed) return hashed.salt;
  const cfg = node.options.users?.[name];
  if (cfg) return createHmac('sha256', node.secret).update(cfg.password).digest('hex');
  return userDoc(node, name)?.salt ?? '';
}

function cookieMac(node: NodeState, name: string, t: string): Buffer {
  return createHmac('sha256', node.secret)
    .update(`${userSalt(node, name)}\0${name}:${t}`)
    .digest();
}

export function makeCookie(node: NodeState, name: string, now = node.clock.now()): string {
  const t = Math.floor(now / 1000)
    .toString(16)
    .toUpperCase();
  const mac = cookieMac(node, name, t);
  return Buffer.concat([Buffer.from(`${name}:${t}:`), mac]).toString('base64url');
}

function readCookie(node: NodeState, value: string, now = node.clock.now()): string | null {
  const raw = Buffer.from(value, 'base64url');
  const s = raw.toString('latin1');
  const i = s.indexOf(':');
  const j = s.indexOf(':', i + 1);
  if (i < 0 || j < 0) return null;
  const name = raw.subarray(0, i).toString('utf8');
  const t = s.slice(i + 1, j);
  const mac = raw.subarray(j + 1);
  const expect = cookieMac(node, name, t);
  if (mac.length !== expect.length || !timingSafeEqual(mac, expect)) return null;
  if (Number.parseInt(t, 16) + SESSION_TIMEOUT_S < now / 1000) return null;
  return name;
}

/** `now`: the node's clock (`Expires` is counted from it, as the cookie's own time is). */
export function cookieHeader(value: string, now: number): string {
  const expires = new Date(now + SESSION_TIMEOUT_S * 1000)
    .toUTCString()
    .replace(/ (\d\d) (\w\w\w) (\d{4})/, ' $1-$2-$3');
  return `AuthSession=${value}; Version=1; Expires=${expires}; Max-Age=${SESSION_TIMEOUT_S}; Path=/; HttpOnly`;
}

/**
 * Resolves the request's user: Basic credentials (401 when wrong), else a valid AuthSession cookie
 * (ignored when invalid/expired, as CouchDB does), else anonymous. With no admins configured the
 * node is in admin party: everyone is `_admin`.
 */
export function authenticate(ctx: Ctx): UserCtx {
  const node = ctx.node;
  const h = ctx.header('authorization');
  if (h?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const name = i < 0 ? decoded : decoded.slice(0, i);
    const roles = checkPassword(node, name, i < 0 ? '' : decoded.slice(i + 1));
    if (!roles) throw badCredentials();
    return { name, roles, authenticated: 'default' };
  }
  const cookie = /(?:^|;\s*)AuthSession=([^;]*)/.exec(ctx.header('cookie') ?? '')?.[1];
  if (cookie) {
    const name = readCookie(node, cookie);
    const roles = name === null ? null : rolesOf(node, name);
    if (name !== null && roles) return { name, roles, authenticated: 'cookie' };
  }
  if (!hasAdmins(node)) return { name: null, roles: ['_admin'] };
  return { name: null, roles: [] };
}

export { badCredentials };

/**
 * Replication users as code: every node a replication reaches must hold the driving node's
 * `couchmesh-repl-<node>` user (per link: the link's `couchmesh-repl-<a>--<b>`; a `_users` doc,
 * role couchmesh-replicator per node, none per link, never `_admin`). Whether a
 * user's password is the declared one is checked locally against the doc's pbkdf2 fields (CouchDB
 * stores `derived_key`, `salt`, `iterations`, `pbkdf2_prf`: couch_passwords:pbkdf2), so a re-plan
 * is a no-op without sending the password anywhere.
 */
import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { replicationRoles, replicationUserName } from '../spec/replication-users.ts';
import type { MeshSpec } from '../spec/types.ts';
import type { DesiredDoc, DesiredUser, ObservedNode, SetUserAction } from './types.ts';

const pbkdf2Async = promisify(pbkdf2);

export const userDocPath = (name: string) => `/_users/${encodeURIComponent(`org.couchdb.user:${name}`)}`;

/** The users each doc needs: its driving node's (or link's) user, on both of its endpoints' nodes. */
export function desiredUsers(spec: MeshSpec, docs: readonly DesiredDoc[]): DesiredUser[] {
  if (!spec.replication_users) return [];
  const roles = replicationRoles(spec.replication_users.per);
  const out = new Map<string, DesiredUser>();
  for (const d of docs) {
    const basic = d.body.source.auth?.basic;
    if (!basic) continue;
    for (const node of [d.body.couchmesh.from, d.body.couchmesh.to])
      out.set(`${node}\0${basic.username}`, {
        node,
        name: basic.username,
        roles,
        password: basic.password,
      });
  }
  return [...out.values()].sort((a, b) =>
    a.node === b.node ? (a.name < b.name ? -1 : 1) : a.node < b.node ? -1 : 1,
  );
}

/** Does `password` match a `_users` doc's pbkdf2 fields? (Other schemes: no, the doc is rewritten.) */
export async function passwordMatches(doc: Record<string, unknown>, password: string): Promise<boolean> {
  const { password_scheme, derived_key, salt, iterations } = doc;
  if (password_scheme !== 'pbkdf2' || typeof derived_key !== 'string' || typeof salt !== 'string')
    return false;
  if (typeof iterations !== 'number' || iterations < 1) return false;
  // CouchDB 3 writes pbkdf2_prf sha256; a doc without it is CouchDB 2's sha1
  const prf = doc.pbkdf2_prf === undefined ? 'sha1' : String(doc.pbkdf2_prf);
  if (prf !== 'sha1' && prf !== 'sha256' && prf !== 'sha512') return false;
  const want = Buffer.from(derived_key, 'hex');
  const got = await pbkdf2Async(password, salt, iterations, want.length, prf);
  return want.length > 0 && timingSafeEqual(want, got);
}

/** The ids of replication users (`couchmesh-repl-...`): one `_all_docs` range reads them all. */
const PREFIX = `org.couchdb.user:${replicationUserName('')}`;

const underPrefix = (u: DesiredUser) => `org.couchdb.user:${u.name}`.startsWith(PREFIX);

/** The requests `readUsers` makes: the range read (when it is needed) and one per user outside it. */
export function userReads(users: readonly DesiredUser[], mesh?: string): number {
  const outside = users.filter((u) => !underPrefix(u)).length;
  return outside + (mesh !== undefined || outside < users.length ? 1 : 0);
}

interface UserRows {
  rows: Array<{ id: string; doc?: Record<string, unknown> | null }>;
}

/**
 * Reads the node's replication users: the `_users` docs under `org.couchdb.user:couchmesh-repl-`
 * in one `_all_docs` range read (`include_docs`; a node without `_users` has none), plus one GET
 * per desired user named outside that prefix. Kept: the desired users (whoever created them, each
 * password checked locally) and, with `mesh`, the users carrying that mesh's marker (prune's
 * candidates; `password_ok` false: no password is desired for them). Missing: no entry.
 */
export async function readUsers(
  client: CouchClient,
  users: readonly DesiredUser[],
  signal?: AbortSignal,
  mesh?: string,
): Promise<NonNullable<ObservedNode['users']>> {
  const out: NonNullable<ObservedNode['users']> = {};
  const opts = signal ? { signal } : {};
  const docs = new Map<string, Record<string, unknown>>();
  const outside = users.filter((u) => !underPrefix(u));
  const read404 = (e: unknown): undefined => {
    if (!(isCouchError(e) && e.status === 404)) throw e;
    return undefined;
  };
  if (mesh !== undefined || outside.length < users.length) {
    const range = { include_docs: true, startkey: PREFIX, endkey: `${PREFIX}\ufff0` };
    const res = await client.get<UserRows>('/_users/_all_docs', range, opts).catch(read404);
    for (const r of res?.rows ?? []) if (r.doc) docs.set(r.id.slice('org.couchdb.user:'.length), r.doc);
  }
  await Promise.all(
    outside.map(async (u) => {
      const doc = await client
        .get<Record<string, unknown>>(userDocPath(u.name), undefined, opts)
        .catch(read404);
      if (doc) docs.set(u.name, doc);
    }),
  );
  const wanted = new Map(users.map((u) => [u.name, u.password]));
  await Promise.all(
    [...docs].map(async ([name, doc]) => {
      const marker = doc.couchmesh as { mesh?: unknown } | undefined;
      const password = wanted.get(name);
      if (password === undefined && (mesh === undefined || marker?.mesh !== mesh)) return;
      out[name] = {
        rev: String(doc._rev),
        roles: Array.isArray(doc.roles) ? doc.roles.filter((r): r is string => typeof r === 'string') : [],
        password_ok: password !== undefined && (await passwordMatches(doc, password)),
        ...(typeof marker?.mesh === 'string' ? { mesh: marker.mesh } : {}),
      };
    }),
  );
  return out;
}

/** set-user actions for the usable nodes: missing users, wrong passwords (rotation), changed roles. */
export function planUsers(
  users: readonly DesiredUser[],
  byNode: Map<string, ObservedNode>,
  usable: (node: string) => boolean,
  mesh: string,
): { actions: SetUserAction[]; noop: number } {
  const actions: SetUserAction[] = [];
  let noop = 0;
  const sameRoles = (a: readonly string[], b: readonly string[]) =>
    [...new Set(a)].sort().join('\0') === [...new Set(b)].sort().join('\0');
  for (const u of users) {
    if (!usable(u.node)) continue;
    const seen = byNode.get(u.node)?.users?.[u.name];
    const base = {
      kind: 'set-user' as const,
      node: u.node,
      name: u.name,
      mesh,
      roles: u.roles,
      password: u.password,
    };
    if (!seen) actions.push({ ...base, change: 'create' });
    else if (!sameRoles(seen.roles, u.roles)) actions.push({ ...base, rev: seen.rev, change: 'roles' });
    else if (!seen.password_ok) actions.push({ ...base, rev: seen.rev, change: 'password' });
    else noop++;
  }
  return { actions, noop };
}

/**
 * The `_users` doc written for a set-user action (the node hashes the password: couch_users_db).
 * `couchmesh.mesh` marks it as this mesh's: destroy deletes only users so marked (CouchDB keeps
 * extra fields of a user doc as they are).
 */
export function userDoc(a: SetUserAction): Record<string, unknown> {
  return {
    ...(a.rev ? { _rev: a.rev } : {}),
    name: a.name,
    type: 'user',
    roles: a.roles,
    password: a.password,
    couchmesh: { mesh: a.mesh },
  };
}

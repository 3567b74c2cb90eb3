/**
 * `destroy` and the replication users: delete the users this mesh created (their `_users` doc
 * carries `couchmesh.mesh`, stamped by apply) and take out of each mesh database's `_security` the
 * members apply added for them (the shared role per node, the link users' names per link). A user
 * of the same name that someone else created (no marker, or another mesh's) is never touched.
 */
import { canonicalSecurity, securityDiff } from './security.ts';
import type { DeleteUserAction, DesiredState, ObservedNode, SetSecurityAction } from './types.ts';

/**
 * CouchDB reads empty members as "anyone may read" (couch_db:check_is_member): a database left
 * with no members once ours are gone is made admin-only, as CouchDB 3 creates it
 * (`default_security = admin_only`), never public.
 */
const ADMIN_ONLY = ['_admin'];

/** The `_security` object without the replication users' entries (undefined: nothing of ours in it). */
export function withoutReplicationMembers(
  observed: unknown,
  names: ReadonlySet<string>,
  roles: ReadonlySet<string>,
): ReturnType<typeof canonicalSecurity> | undefined {
  const cur = canonicalSecurity(observed);
  const members = {
    names: cur.members.names.filter((n) => !names.has(n)),
    roles: cur.members.roles.filter((r) => !roles.has(r)),
  };
  if (members.names.length === cur.members.names.length && members.roles.length === cur.members.roles.length)
    return undefined;
  if (!members.names.length && !members.roles.length) {
    members.roles = ADMIN_ONLY;
    const admins =
      cur.admins.names.length || cur.admins.roles.length ? cur.admins : { names: [], roles: ADMIN_ONLY };
    return { admins, members };
  }
  return { admins: cur.admins, members };
}

/** The set-security action taking those entries out of `db`'s observed object (undefined: none there). */
export function memberRemoval(
  node: string,
  db: string,
  observed: unknown,
  names: ReadonlySet<string>,
  roles: ReadonlySet<string>,
): SetSecurityAction | undefined {
  const next = withoutReplicationMembers(observed, names, roles);
  return (
    next && {
      kind: 'set-security',
      node,
      db,
      security: next,
      diff: securityDiff(observed, next),
      drift: false,
    }
  );
}

/**
 * destroy's share for replication users: their `_security` entries out, then the users themselves:
 * the desired ones and any other user of this mesh seen on a node (one no longer desired, kept by
 * a plan without --prune), out of every `_security` read (a database the node no longer carries too).
 */
export function planUserRemoval(
  desired: DesiredState,
  byNode: Map<string, ObservedNode>,
  usable: (node: string) => boolean,
): { security: SetSecurityAction[]; users: DeleteUserAction[] } {
  const wanted = desired.users ?? [];
  const ours = [...byNode.values()]
    .filter((o) => usable(o.node))
    .flatMap((o) =>
      Object.entries(o.users ?? {})
        .filter(([, u]) => u.mesh === desired.mesh)
        .map(([name, u]) => ({ node: o.node, name, ...u })),
    );
  const names = new Set([...wanted, ...ours].map((u) => u.name));
  const roles = new Set([...wanted, ...ours].flatMap((u) => u.roles));
  const security: SetSecurityAction[] = [];
  const pairs = new Set((desired.security ?? []).map(({ node, db }) => `${node}\0${db}`));
  for (const o of byNode.values())
    for (const db of Object.keys(o.security ?? {}).sort()) pairs.add(`${o.node}\0${db}`);
  if (names.size)
    for (const pair of pairs) {
      const [node, db] = pair.split('\0') as [string, string];
      if (!usable(node)) continue;
      const observed = byNode.get(node)?.security?.[db];
      if (observed === undefined) continue; // the database is not there: nothing to take out
      const removal = memberRemoval(node, db, observed, names, roles);
      if (removal) security.push(removal);
    }
  const users = ours
    .sort((a, b) => (a.node === b.node ? (a.name < b.name ? -1 : 1) : a.node < b.node ? -1 : 1))
    .map(
      (u): DeleteUserAction => ({
        kind: 'delete-user',
        node: u.node,
        name: u.name,
        rev: u.rev,
        reason: 'destroy',
      }),
    );
  return { security, users };
}

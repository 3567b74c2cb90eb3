/**
 * Stale replication users (least privilege): a user this mesh's apply created (its `_users` doc
 * carries `couchmesh.mesh`) that no desired replication needs any more (`per: node` <-> `per:
 * link`, a link or node removed, a store-and-forward route given up) can still authenticate and
 * read/write the mesh's databases. They are pruned as managed `_replicator` docs are: with
 * --prune (or the controller's prune policy) their `_security` entries go, then the user; without
 * it they are listed as kept. A leg's user whose route was given up goes without --prune, as the
 * leg docs do (`unrouted`). A user without this mesh's marker is never touched.
 */
import { canaryOf } from '../spec/canary.ts';
import type { MeshSpec } from '../spec/types.ts';
import type {
  Action,
  DeleteUserAction,
  DesiredState,
  DesiredUser,
  ObservedNode,
  Plan,
  SetSecurityAction,
} from './types.ts';
import { memberRemoval } from './users-destroy.ts';

/** What observe needs to find this mesh's users and the databases their entries may be in. */
export interface MeshUsers {
  mesh: string;
  /** the mesh's databases (declared, and the canary's) */
  dbs: readonly string[];
}

/** Only a mesh with replication users reads `_users` (the others observe in 2 requests per node). */
export function meshUsersOf(spec: MeshSpec): MeshUsers | undefined {
  if (!spec.replication_users) return undefined;
  const canary = canaryOf(spec)?.database;
  const dbs = new Set([...spec.databases.map((d) => d.name), ...(canary ? [canary] : [])]);
  return { mesh: spec.mesh, dbs: [...dbs].sort() };
}

/**
 * The mesh databases on the node whose `_security` was not read yet, when it holds a user of this
 * mesh no longer desired there: that user may be a member of a database this node no longer
 * carries (the declared ones are read already).
 */
export function staleSecurityDbs(
  m: MeshUsers,
  desired: readonly DesiredUser[],
  seen: NonNullable<ObservedNode['users']>,
  dbs: readonly string[],
  secured: readonly string[],
): string[] {
  const names = new Set(desired.map((u) => u.name));
  const stale = Object.entries(seen).some(([name, u]) => u.mesh === m.mesh && !names.has(name));
  if (!stale) return [];
  const present = new Set(dbs);
  return m.dbs.filter((db) => present.has(db) && !secured.includes(db));
}

/** The users named by the leg docs this plan deletes because their route was given up. */
export function unroutedUsers(actions: readonly Action[], byNode: Map<string, ObservedNode>): Set<string> {
  const out = new Set<string>();
  for (const a of actions) {
    if (a.kind !== 'delete-doc' || a.reason !== 'unrouted') continue;
    const body = byNode.get(a.node)?.replicator.find((d) => d.id === a.id)?.body as
      | Record<string, { auth?: { basic?: { username?: unknown } } } | undefined>
      | undefined;
    for (const end of [body?.source, body?.target]) {
      const name = end?.auth?.basic?.username;
      if (typeof name === 'string') out.add(name);
    }
  }
  return out;
}

/**
 * For each usable node: this mesh's observed users not desired there. Pruned (or unrouted) ones:
 * their names, and their roles no user still kept on the node needs (the shared role stays while
 * a desired per-node user holds it), out of the `_security` of every mesh database the desired
 * state does not set (planSecurity puts the declared object on the others, which lists only
 * desired users); then the user. Security goes first (apply's phase 1, the user in phase 2): a
 * member name without a user is harmless, a user still granted is not.
 */
export function planStaleUsers(
  desired: DesiredState,
  byNode: Map<string, ObservedNode>,
  usable: (node: string) => boolean,
  prune: boolean,
  unrouted: ReadonlySet<string>,
): { security: SetSecurityAction[]; users: DeleteUserAction[]; kept: NonNullable<Plan['kept_users']> } {
  const security: SetSecurityAction[] = [];
  const users: DeleteUserAction[] = [];
  const kept: NonNullable<Plan['kept_users']> = [];
  const declared = new Set((desired.security ?? []).map((s) => `${s.node}\0${s.db}`));
  for (const [node, o] of [...byNode].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!usable(node)) continue;
    const wanted = (desired.users ?? []).filter((u) => u.node === node);
    const names = new Set(wanted.map((u) => u.name));
    const stale = Object.entries(o.users ?? {})
      .filter(([name, u]) => u.mesh === desired.mesh && !names.has(name))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const gone = stale.filter(([name]) => prune || unrouted.has(name));
    for (const [name] of stale) if (!gone.some(([g]) => g === name)) kept.push({ node, name });
    if (!gone.length) continue;
    const stays = new Set([
      ...wanted.flatMap((u) => u.roles),
      ...stale.filter((s) => !gone.includes(s)).flatMap(([, u]) => u.roles),
    ]);
    const goneNames = new Set(gone.map(([name]) => name));
    const goneRoles = new Set(gone.flatMap(([, u]) => u.roles).filter((r) => !stays.has(r)));
    for (const [db, observed] of Object.entries(o.security ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (declared.has(`${node}\0${db}`)) continue;
      const removal = memberRemoval(node, db, observed, goneNames, goneRoles);
      if (removal) security.push(removal);
    }
    for (const [name, u] of gone)
      users.push({
        kind: 'delete-user',
        node,
        name,
        rev: u.rev,
        reason: unrouted.has(name) ? 'unrouted' : 'pruned',
      });
  }
  return { security, users, kept };
}

/**
 * `_security` as code: the declared object per (node, database), compared with what the node holds.
 * CouchDB treats `names` and `roles` as sets (couch_db:check_is_member tests membership), so the
 * comparison is order- and duplicate-insensitive; fields of the observed object other than
 * admins/members are not ours and are not compared.
 */
import { canaryOf } from '../spec/canary.ts';
import { replicationMembers } from '../spec/replication-users.ts';
import type { SecurityGroup, SecurityObject } from '../spec/security.ts';
import type { MeshSpec } from '../spec/types.ts';
import type { Action, DesiredDoc, DesiredState, FieldChange, ObservedNode, Plan } from './types.ts';

const GROUPS = ['admins', 'members'] as const;
const LISTS = ['names', 'roles'] as const;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? [...new Set(v.filter((x): x is string => typeof x === 'string'))].sort() : [];

function group(v: unknown): SecurityGroup {
  const g = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  return { names: strings(g.names), roles: strings(g.roles) };
}

/** The canonical form of a `_security` object (CouchDB's `{}`, the default, is both groups empty). */
export function canonicalSecurity(raw: unknown): SecurityObject {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return { admins: group(o.admins), members: group(o.members) };
}

/** The lists that differ, as `members.roles: [] -> [readers]` changes (canonical order). */
export function securityDiff(observed: unknown, declared: SecurityObject): FieldChange[] {
  const from = canonicalSecurity(observed);
  const to = canonicalSecurity(declared);
  const out: FieldChange[] = [];
  for (const g of GROUPS)
    for (const l of LISTS)
      if (from[g][l].join('\0') !== to[g][l].join('\0'))
        out.push({ path: `${g}.${l}`, from: from[g][l], to: to[g][l] });
  return out;
}

/** The databases of `node` that declare a `_security` object (those its links carry). */
export function securedDbsOf(spec: MeshSpec, node: string): string[] {
  // with replication users every mesh database gets a `_security` (their role as members)
  const secured = new Set(
    spec.databases.filter((d) => d.security || spec.replication_users).map((d) => d.name),
  );
  const out = new Set<string>();
  for (const l of spec.links)
    if (l.nodes.includes(node)) for (const db of l.databases) if (secured.has(db)) out.add(db);
  // the canary database (on every link) is secured as the mesh's undeclared databases are
  const canary = canaryOf(spec)?.database;
  if (canary && spec.replication_users && spec.links.some((l) => l.nodes.includes(node))) out.add(canary);
  return [...out].sort();
}

/** Desired `_security` objects: one per (node, database) pair carrying a database that declares one. */
export function desiredSecurity(
  spec: MeshSpec,
  databases: DesiredState['databases'],
): NonNullable<DesiredState['security']> {
  const declared = new Map(spec.databases.map((d) => [d.name, d.security]));
  const repl = spec.replication_users !== undefined;
  return databases.flatMap(({ node, db }) => {
    const security = declared.get(db) ?? (repl ? canonicalSecurity({}) : undefined);
    if (!security) return [];
    const out = canonicalSecurity(security);
    // replication users must read and write the database: members by role (per node) or by name
    // (per link: only its link's users), as couch_db:check_is_member checks both
    const add = replicationMembers(spec, node, db);
    out.members.names = [...new Set([...out.members.names, ...add.names])].sort();
    out.members.roles = [...new Set([...out.members.roles, ...add.roles])].sort();
    return [{ node, db, security: out }];
  });
}

/**
 * `_security` once FAILOVER's store-and-forward legs are in (#15): every (node, database) pair as
 * `desiredSecurity` has it (the relay's database included), and per link, each leg's user a member
 * by name of the database on both ends of its leg (the relay holds the database for a link it is not
 * on, so `replicationMembers` alone would leave the leg's user out: couch_db:check_is_member 403s).
 * Per node the shared role already covers the legs' users.
 */
export function routedSecurity(
  spec: MeshSpec,
  databases: DesiredState['databases'],
  legs: readonly DesiredDoc[],
): NonNullable<DesiredState['security']> {
  const out = desiredSecurity(spec, databases);
  if (spec.replication_users?.per !== 'link') return out;
  const at = new Map(out.map((s) => [`${s.node}\0${s.db}`, s]));
  for (const leg of legs) {
    const name = leg.body.source.auth?.basic?.username;
    const { from, to, db } = leg.body.couchmesh;
    for (const node of [from, to]) {
      const s = name ? at.get(`${node}\0${db}`) : undefined;
      if (s && name && !s.security.members.names.includes(name))
        s.security.members.names = [...s.security.members.names, name].sort();
    }
  }
  return out;
}

type SetSecurity = Extract<Action, { kind: 'set-security' }>;

/**
 * What a database's `_security` is when nobody set it: `{}` (CouchDB 2, `default_security =
 * everyone`) or what CouchDB 3 writes at creation under `default_security = admin_only`.
 */
const DEFAULTS: readonly SecurityObject[] = [
  canonicalSecurity({}),
  canonicalSecurity({ members: { roles: ['_admin'] }, admins: { roles: ['_admin'] } }),
];

export const isDefaultSecurity = (observed: unknown): boolean =>
  DEFAULTS.some((d) => securityDiff(observed, d).length === 0);

/**
 * set-security actions for the usable nodes. A database missing on the node (created by the same
 * apply) gets its object right after creation. An existing database whose object differs from the
 * declared one and is not one of CouchDB's defaults (someone set it by hand, or another tool did)
 * is drift.
 */
export function planSecurity(
  desired: DesiredState,
  byNode: Map<string, ObservedNode>,
  usable: (node: string) => boolean,
): { actions: SetSecurity[]; drift: Plan['drift']; noop: number } {
  const actions: SetSecurity[] = [];
  const drift: Plan['drift'] = [];
  let noop = 0;
  for (const { node, db, security } of desired.security ?? []) {
    if (!usable(node)) continue;
    const observed = byNode.get(node)?.security?.[db];
    const diff = securityDiff(observed, security);
    if (!diff.length) {
      noop++;
      continue;
    }
    const edited = observed !== undefined && !isDefaultSecurity(observed);
    if (edited)
      drift.push({
        node,
        id: `${db}/_security`,
        fields: [...new Set(diff.map((c) => c.path.split('.')[0] as string))],
        diff,
      });
    actions.push({ kind: 'set-security', node, db, security, diff, drift: edited });
  }
  return { actions, drift, noop };
}

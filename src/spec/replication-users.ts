/**
 * Least-privilege replication users (`replication_users:` in mesh.yaml). Opt-in, two shapes:
 * - `per: node` (the default): one user per driving node, `couchmesh-repl-<node>`, with the role
 *   `couchmesh-replicator`, which every mesh database lists as a member;
 * - `per: link`: one user per link, `couchmesh-repl-<a>--<b>` (the link's key), no role, listed by
 *   name as a member of exactly the databases that link carries, on its two nodes.
 * Either way never `_admin`, and the replication docs authenticate to both endpoints as that user,
 * so a stolen `_replicator` doc (or gateway) holds no node's admin password. A link's two directions
 * share its user: CouchDB's `_security` has no read-only member (both ends of a replication need a
 * member: the source for reads and its `_local` checkpoint, the target for writes), so a user per
 * direction would hold exactly the same rights twice.
 * The password is a reference, like a node's own: one template, `{node}`/`{link}` replaced by the
 * node name or link key, `{NODE}`/`{LINK}` by the same in upper case with `-` as `_` (an environment
 * variable name cannot hold `-`).
 */
import { z } from 'zod';
import { canaryOf } from './canary.ts';
import { type ResolveContext, resolvePath } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import { checkReplicationRefs } from './replication-users-refs.ts';
import type { AuthRef, LinkSpec, MeshSpec, NodeSpec, ReplicationUsersSpec } from './types.ts';
import { parseAt } from './zod-issues.ts';

export const REPLICATOR_ROLE = 'couchmesh-replicator';

/** The user a node's (per node) or a link's (per link: its key `a--b`) replications authenticate as. */
export const replicationUserName = (owner: string) => `couchmesh-repl-${owner}`;

export const ReplicationUsersSchema = z
  .strictObject({
    per: z.enum(['node', 'link']).default('node').meta({
      description:
        'node: one user per driving node (couchmesh-repl-<node>, member of every mesh database by role); link: one user per link (couchmesh-repl-<a>--<b>, member by name of only the databases that link carries)',
    }),
    password_env: z
      .string()
      .regex(/^[A-Za-z_{][A-Za-z0-9_{}]*$/, 'an environment variable name, {NODE} or {LINK} for the owner')
      .optional()
      .meta({
        description:
          'environment variable holding the password; {NODE} = node name (per node) or {LINK} = link key (per link), upper case',
      }),
    password_file: z.string().min(1).optional().meta({
      description:
        'file holding only the password (relative to the mesh file); {node} = node name, {link} = link key',
    }),
  })
  .refine((r) => (r.password_env === undefined) !== (r.password_file === undefined), {
    message: 'exactly one of password_env or password_file',
  })
  .meta({
    description:
      'least-privilege replication users: { password_env: REPL_{NODE} }, { per: link, password_env: REPL_{LINK} } or { password_file: repl-{node}.txt }; replication docs then carry these users, never admin credentials',
  });

export type ReplicationUsersInput = z.output<typeof ReplicationUsersSchema>;

/** `{node}`/`{link}` -> the name, `{NODE}`/`{LINK}` -> the name as an environment variable part. */
export function fillTemplate(template: string, owner: string): string {
  const upper = owner.toUpperCase().replaceAll('-', '_');
  return template
    .replaceAll('{node}', owner)
    .replaceAll('{link}', owner)
    .replaceAll('{NODE}', upper)
    .replaceAll('{LINK}', upper);
}

/** Each owner's (node or link key) replication user, as a credentials reference (resolved like `auth`). */
export function replicationUsers(
  input: ReplicationUsersInput,
  owners: readonly string[],
): Record<string, AuthRef> {
  return Object.fromEntries(
    owners.map((o): [string, AuthRef] => [
      o,
      {
        username: replicationUserName(o),
        ...(input.password_env !== undefined
          ? { password_env: fillTemplate(input.password_env, o) }
          : { password_file: fillTemplate(input.password_file as string, o) }),
      },
    ]),
  );
}

const PLACEHOLDERS = { node: /\{(node|NODE)\}/, link: /\{(link|LINK)\}/ } as const;

/**
 * Parses `replication_users:` (its path: `replication_users`), checks that the template names the
 * right owner, and resolves one reference per owner: every node, or every link. With `references`,
 * the passwords the mesh needs must be reachable (see replication-users-refs.ts).
 */
export function resolveReplicationUsers(
  raw: unknown,
  nodes: ReadonlyMap<string, NodeSpec>,
  links: readonly LinkSpec[],
  ctx: ResolveContext,
): ReplicationUsersSpec | undefined {
  const path: PathSeg[] = ['replication_users'];
  const input = parseAt(ReplicationUsersSchema, raw, path, ctx.sink);
  if (!input) return undefined;
  const key = input.password_env !== undefined ? 'password_env' : 'password_file';
  const template = (input.password_env ?? input.password_file) as string;
  const other = input.per === 'node' ? 'link' : 'node';
  if (PLACEHOLDERS[other].test(template)) {
    ctx.sink.error(
      'E_REPLICATION_USERS',
      [...path, key],
      `{${other.toUpperCase()}} used with per: ${input.per}`,
      {
        expected: `a template naming the ${input.per}: {${input.per.toUpperCase()}} (or {${input.per}} in a file path)`,
        hint: `write per: ${other} for one user per ${other}, or use {${input.per.toUpperCase()}}`,
      },
    );
    return undefined;
  }
  const owners = input.per === 'node' ? [...nodes.keys()] : links.map((l) => l.key);
  const users = replicationUsers(input, owners);
  for (const u of Object.values(users))
    if (u.password_file !== undefined) u.password_file = resolvePath(ctx, u.password_file);
  const out: ReplicationUsersSpec = { per: input.per, users };
  if (owners.length > 1 && !PLACEHOLDERS[input.per].test(template))
    ctx.sink.warning(
      'W_REPL_SHARED_PASSWORD',
      [...path, key],
      `every replication user gets the same password`,
      {
        hint: `put {${input.per.toUpperCase()}} in the ${key === 'password_env' ? 'variable name' : 'file path'}: one password per ${input.per}`,
      },
    );
  if (ctx.references && ctx.references.replicationUsers !== false)
    checkReplicationRefs(out, usedOwners(out.per, nodes, links), [...path, key], ctx);
  return out;
}

/**
 * The owners whose users replication docs will carry: every link; per node, the nodes that drive a
 * direction. A direction is driven by its target when the source is reachable (pull), else by its
 * source (push): either way a node drives some direction of a link exactly when its peer is reachable.
 */
export function usedOwners(
  per: ReplicationUsersSpec['per'],
  nodes: ReadonlyMap<string, NodeSpec>,
  links: readonly LinkSpec[],
): string[] {
  if (per === 'link') return links.map((l) => l.key);
  const out = new Set<string>();
  for (const l of links) {
    const [a, b] = l.nodes;
    if (nodes.get(b)?.reachable) out.add(a);
    if (nodes.get(a)?.reachable) out.add(b);
  }
  return [...nodes.keys()].filter((n) => out.has(n));
}

/** The replication user a direction's doc carries (driven by `driver`, on `link`). */
export function replicationUserOf(spec: MeshSpec, link: LinkSpec, driver: string): AuthRef | undefined {
  const r = spec.replication_users;
  return r && (r.per === 'link' ? r.users[link.key] : r.users[driver]);
}

/**
 * What replication users need in a database's `_security` members on `node`: per node, the
 * shared role; per link, the names of the users of the links of `node` that carry `db`.
 */
export function replicationMembers(
  spec: MeshSpec,
  node: string,
  db: string,
): { names: string[]; roles: string[] } {
  const r = spec.replication_users;
  if (!r) return { names: [], roles: [] };
  if (r.per === 'node') return { names: [], roles: [REPLICATOR_ROLE] };
  const names = spec.links
    // every link carries the canary database (canary.ts) besides its own
    .filter((l) => l.nodes.includes(node) && (l.databases.includes(db) || db === canaryOf(spec)?.database))
    .map((l) => r.users[l.key]?.username)
    .filter((n): n is string => n !== undefined);
  return { names: [...new Set(names)].sort(), roles: [] };
}

/** The roles of a replication user's `_users` doc: the shared role per node, none per link. */
export const replicationRoles = (per: ReplicationUsersSpec['per']): string[] =>
  per === 'node' ? [REPLICATOR_ROLE] : [];

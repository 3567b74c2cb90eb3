/**
 * Least-privilege replication users (`replication_users:` in mesh.yaml). Opt-in: one user per node,
 * `couchmesh-repl-<node>`, with the role `couchmesh-replicator` (never `_admin`). Replication docs
 * driven by a node authenticate to both endpoints as that node's user, so a stolen `_replicator`
 * doc (or gateway) no longer holds any node's admin password. The password is a reference, like a
 * node's own: one template for every node, `{node}` replaced by the node name, `{NODE}` by the name
 * in upper case with `-` as `_` (an environment variable name cannot hold `-`).
 */
import { z } from 'zod';
import type { AuthRef } from './types.ts';

export const REPLICATOR_ROLE = 'couchmesh-replicator';

/** The user a node's replications authenticate as, on every node they reach. */
export const replicationUserName = (node: string) => `couchmesh-repl-${node}`;

export const ReplicationUsersSchema = z
  .strictObject({
    per: z
      .literal('node')
      .default('node')
      .meta({ description: 'one user per driving node (couchmesh-repl-<node>)' }),
    password_env: z
      .string()
      .regex(/^[A-Za-z_{][A-Za-z0-9_{}]*$/, 'an environment variable name, {NODE} for the node')
      .optional()
      .meta({ description: 'environment variable holding the password; {NODE} = node name, upper case' }),
    password_file: z.string().min(1).optional().meta({
      description: 'file holding only the password (relative to the mesh file); {node} = node name',
    }),
  })
  .refine((r) => (r.password_env === undefined) !== (r.password_file === undefined), {
    message: 'exactly one of password_env or password_file',
  })
  .meta({
    description:
      'least-privilege replication users: { password_env: REPL_{NODE} } or { password_file: repl-{node}.txt }; replication docs then carry these users, never admin credentials',
  });

export type ReplicationUsersInput = z.output<typeof ReplicationUsersSchema>;

/** `{node}` -> the name, `{NODE}` -> the name as an environment variable part. */
export function fillTemplate(template: string, node: string): string {
  return template.replaceAll('{node}', node).replaceAll('{NODE}', node.toUpperCase().replaceAll('-', '_'));
}

/** Each node's replication user, as a credentials reference (resolved like a node's `auth`). */
export function replicationUsers(
  input: ReplicationUsersInput,
  nodes: readonly string[],
): Record<string, AuthRef> {
  return Object.fromEntries(
    nodes.map((n): [string, AuthRef] => [
      n,
      {
        username: replicationUserName(n),
        ...(input.password_env !== undefined
          ? { password_env: fillTemplate(input.password_env, n) }
          : { password_file: fillTemplate(input.password_file as string, n) }),
      },
    ]),
  );
}

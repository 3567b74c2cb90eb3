/**
 * Writes the planner withholds, and why. Two causes, one mechanism (a `plan.errors` entry naming the
 * node it `waits_for`, with a hint): the direction's other endpoint is unreachable and may still
 * drive it, or an endpoint of the doc refused couchmesh's credentials while being observed. CouchDB's
 * replicator uses the credentials in a `_replicator` doc as they are; a password its node just
 * refused would only make the job crash with 401 on every retry (and spread a wrong, perhaps
 * someone else's, password into more nodes' `_replicator`), so such a doc is not written anywhere.
 */
import type { NodeSpec } from '../spec/types.ts';
import type { DesiredDoc, ObservedNode, Plan } from './types.ts';

type Blocked = Plan['errors'][number];

/** Where a node's credentials come from, for the fix a refusal names (never a value). */
export function credentialsRef(node: NodeSpec): string {
  const a = node.auth;
  if (!a) return `the auth of ${node.name} in the mesh file (none is declared)`;
  return a.password_env !== undefined
    ? `the password of '${a.username}' in env ${a.password_env}`
    : `the password of '${a.username}' in file ${a.password_file}`;
}

/** Is this observed node one that answered and refused couchmesh's credentials? */
export const isRefused = (o: ObservedNode | undefined): boolean =>
  o?.reachable === true && o.refused === true;

/** The refused nodes of an observation, each with the fix (the reference to check). */
export function refusedNodes(observed: ObservedNode[]): Plan['refused'] {
  return observed.filter(isRefused).map((o) => {
    const code = o.error?.code ?? 'E_COUCH_AUTH';
    const ref = o.credentials_ref ?? `the credentials of ${o.node}`;
    return {
      node: o.node,
      code,
      message: o.error?.message ?? 'credentials refused',
      hint:
        code === 'E_COUCH_FORBIDDEN'
          ? `${o.node} knows the user but does not let it read its state (403): couchmesh needs a server admin there; check ${ref}, then apply again`
          : `check ${ref} (${o.node} answered 401: wrong or missing password), then apply again`,
    };
  });
}

/** The endpoint of `d` (its direction's from or to node) that refused its credentials, if any. */
export function refusedEndpoint(d: DesiredDoc, refused: ReadonlyMap<string, unknown>): string | undefined {
  const { from, to } = d.body.couchmesh;
  return refused.has(from) ? from : refused.has(to) ? to : undefined;
}

/** The blocked entry of a create withheld while the direction's other endpoint is unreachable. */
export function withheldUnseen(d: DesiredDoc, other: string): Blocked {
  return {
    node: d.node,
    id: d.id,
    message: `not created: ${other} is unreachable and may still run this direction (a doc there cannot be seen); creating it here could run it twice`,
    hint: `bring ${other} back (or fix the network to it) and apply again: the doc is then moved or created`,
    waits_for: other,
    withheld: 'unreachable',
  };
}

/** The blocked entry of a write withheld because the doc carries credentials `other` just refused. */
export function withheldRefused(d: DesiredDoc, other: string, fix: Plan['refused'][number]): Blocked {
  return {
    node: d.node,
    id: d.id,
    message: `not written: the doc carries ${other}'s credentials, which ${other} refused (${fix.code}); they are written nowhere`,
    hint: fix.hint,
    waits_for: other,
    withheld: 'refused',
  };
}

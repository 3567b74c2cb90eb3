/**
 * `rotate-credentials`: after the operator changed the replication users' passwords at their
 * references (env vars or files), set the new passwords on every node and update the replication
 * docs that carry them — and nothing else of the plan. CouchDB's replication id excludes the
 * credentials (couch_replicator_ids, mirrored by the embedded node), so each job restarts from its
 * `_local` checkpoint: no re-scan.
 */
import { userError } from '../core/errors.ts';
import type { Action, Plan } from '../plan/types.ts';
import { type ApplyResultView, executePlan, type Review } from './apply.ts';
import type { MeshDeps } from './deps.ts';
import { MeshInvalidError } from './mesh.ts';
import { preparePlan } from './plan.ts';

export interface RotateFlags {
  file?: string;
}

/** The rotation's share of a plan: new passwords of users, credentials-only doc updates. */
export const isRotation = (a: Action): boolean =>
  (a.kind === 'set-user' && a.change === 'password') ||
  (a.kind === 'update-doc' && a.change === 'credentials');

/** Keeps only the rotation's actions (other changes wait for `couchmesh apply`). */
export function rotationPlan(plan: Plan): Plan {
  return { ...plan, actions: plan.actions.filter(isRotation) };
}

export async function rotateOperation(
  flags: RotateFlags,
  deps: MeshDeps,
  review: Review,
): Promise<ApplyResultView> {
  const prep = await preparePlan({ file: flags.file }, deps);
  if (!prep.ok) throw new MeshInvalidError(prep.validation);
  try {
    if (!prep.spec.replication_users)
      throw userError('E_NO_REPLICATION_USERS', 'the mesh declares no replication_users');
    const outcome = await executePlan({ ...prep, plan: rotationPlan(prep.plan) }, review, deps);
    return { validation: prep.validation, outcome };
  } finally {
    await prep.close();
  }
}

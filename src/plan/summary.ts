/** What a plan amounts to, in counts (the summary line, `--json`'s `summary`), and whether it is whole. */
import type { Action, Plan } from './types.ts';

export function hasChanges(plan: Plan): boolean {
  return plan.actions.length > 0;
}

export interface PlanSummary {
  create_db: number;
  add: number;
  /** updates of anything but credentials */
  change: number;
  /** updates whose only change is credentials (rotation) */
  rotate: number;
  /** docs moved to the direction's new driving node (delete there + create here) */
  move: number;
  /** `_security` objects set (declared in mesh.yaml, different on the node) */
  security: number;
  /** replication users created or updated (`replication_users:`) */
  users: number;
  /** `_config` values set (`nodes[].couch_tls`) */
  config: number;
  destroy: number;
  unchanged: number;
  drift: number;
  orphans: number;
  unreachable: number;
  /** nodes that refused couchmesh's credentials */
  refused: number;
  blocked: number;
}

export function summarize(plan: Plan): PlanSummary {
  const count = (k: Action['kind']) => plan.actions.filter((a) => a.kind === k).length;
  return {
    create_db: count('create-db'),
    add: count('create-doc'),
    change: count('update-doc') - rotations(plan),
    rotate: rotations(plan),
    move: count('move'),
    security: count('set-security'),
    users: count('set-user'),
    config: count('set-config'),
    destroy: count('delete-doc') + count('delete-user'),
    unchanged: plan.noop,
    drift: plan.drift.length,
    orphans: plan.orphans.length,
    unreachable: plan.unreachable.length,
    refused: plan.refused.length,
    blocked: plan.errors.length,
  };
}

const rotations = (plan: Plan) =>
  plan.actions.filter((a) => a.kind === 'update-doc' && a.change === 'credentials').length;

/** A plan that covers every node and every desired document (nothing unreachable, refused or blocked). */
export function isComplete(plan: Plan): boolean {
  return plan.unreachable.length === 0 && plan.refused.length === 0 && plan.errors.length === 0;
}

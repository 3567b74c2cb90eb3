/**
 * Remediation policy: which action a finding kind asks for (mesh.yaml `controller.remediation`),
 * whether the rate limit allows it now (at most `max_actions_per_hour` per direction, counted from
 * the store's action history, so a restart does not reset the count), and the action's
 * deterministic id (one id per finding episode and target: a controller restarted mid-action
 * records the same action again, never a second one).
 */
import { createHash } from 'node:crypto';
import type { ControllerSpec } from '../spec/controller.ts';
import {
  DEFAULT_CONTROLLER,
  REMEDIABLE_KINDS,
  type RemediableKind,
  type Remediation,
} from '../spec/controller.ts';

export const HOUR_MS = 3_600_000;

export type Decision =
  | { act: false; why: 'no-policy' }
  | { act: false; why: 'rate-limited'; remediation: Remediation; count: number; limit: number }
  | { act: true; remediation: Remediation };

export const isRemediable = (kind: string): kind is RemediableKind =>
  (REMEDIABLE_KINDS as readonly string[]).includes(kind);

export function remediationFor(spec: ControllerSpec | undefined, kind: string): Remediation {
  if (!isRemediable(kind)) return 'none';
  return (spec ?? DEFAULT_CONTROLLER).remediation?.[kind] ?? 'none';
}

/** What to do about `kind` on `target` now, given how many actions it had in the last hour. */
export function decide(spec: ControllerSpec | undefined, kind: string, actionsLastHour: number): Decision {
  const remediation = remediationFor(spec, kind);
  if (remediation === 'none') return { act: false, why: 'no-policy' };
  const limit = (spec ?? DEFAULT_CONTROLLER).max_actions_per_hour;
  if (actionsLastHour >= limit)
    return { act: false, why: 'rate-limited', remediation, count: actionsLastHour, limit };
  return { act: true, remediation };
}

/** A stable id: the same (loop, kind, target, episode) is always the same action. */
export function actionId(loop: string, kind: string, target: string, episode: string): string {
  const h = createHash('sha256').update(`${loop}\n${kind}\n${target}\n${episode}`).digest('hex');
  return `a-${h.slice(0, 20)}`;
}

/** `direction:n1->n2/sensors`: the work-queue key (and action target) of a direction. */
export const directionTarget = (direction: string, db: string) => `direction:${direction}/${db}`;

export function parseDirectionTarget(key: string): { from: string; to: string; db: string } | null {
  const m = /^direction:([^>]+)->([^/]+)\/(.+)$/.exec(key);
  return m ? { from: m[1] as string, to: m[2] as string, db: m[3] as string } : null;
}

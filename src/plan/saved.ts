/**
 * Saved plans (`couchmesh plan --out plan.json`, `couchmesh apply plan.json`), pure: the plan as
 * shown (secrets replaced by `(sensitive)`), the hash of the mesh file it was made from and the
 * fingerprint of what was observed. Apply re-resolves credentials from the mesh at apply time and
 * refuses the saved plan when the file, the nodes or the resulting plan changed since.
 */
import { userError } from '../core/errors.ts';
import { stableJson } from './desired.ts';
import { fingerprintNode, type PlanOptions } from './plan.ts';
import { redact } from './redact.ts';
import type { ObservedNode, Plan } from './types.ts';

export const PLAN_FORMAT = 'couchmesh-plan/1';

export interface SavedPlan {
  format: typeof PLAN_FORMAT;
  created_at: string;
  mesh: string;
  /** absolute path of the mesh file the plan was made from */
  file: string;
  /** sha256 of the mesh file's bytes */
  mesh_sha256: string;
  options: { prune: boolean; destroy: boolean };
  /** fingerprint of the whole observation (= plan.observed) */
  observed: string;
  /** per-node fingerprints, to say which node changed */
  observed_nodes: Record<string, string>;
  /** the plan, redacted: no password is ever stored */
  plan: Plan;
}

export function toSavedPlan(
  plan: Plan,
  observed: ObservedNode[],
  meta: { file: string; meshSha256: string; options: PlanOptions; now: Date },
): SavedPlan {
  return {
    format: PLAN_FORMAT,
    created_at: meta.now.toISOString(),
    mesh: plan.mesh,
    file: meta.file,
    mesh_sha256: meta.meshSha256,
    options: { prune: meta.options.prune === true, destroy: meta.options.destroy === true },
    observed: plan.observed,
    observed_nodes: Object.fromEntries(observed.map((o) => [o.node, fingerprintNode(o)])),
    plan: redact(plan),
  };
}

/** Parses a saved plan file's text; a wrong or foreign file is a user error naming the file. */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw userError(
      'E_PLAN_FILE',
      `${file} is not a saved couchmesh plan (not JSON: ${(e as Error).message})`,
      "make one with 'couchmesh plan --out plan.json'",
    );
  }
  const s = v as Partial<SavedPlan> | null;
  if (!s || typeof s !== 'object' || s.format !== PLAN_FORMAT)
    throw userError(
      'E_PLAN_FILE',
      `${file} is not a saved couchmesh plan (expected "format": "${PLAN_FORMAT}")`,
      "make one with 'couchmesh plan --out plan.json'",
    );
  for (const k of ['file', 'mesh', 'mesh_sha256', 'observed'] as const)
    if (typeof s[k] !== 'string')
      throw userError(
        'E_PLAN_FILE',
        `${file}: field ${k} is missing`,
        "make a new one with 'couchmesh plan --out'",
      );
  if (!s.plan || !Array.isArray(s.plan.actions) || !s.options || typeof s.observed_nodes !== 'object')
    throw userError(
      'E_PLAN_FILE',
      `${file}: the plan is incomplete`,
      "make a new one with 'couchmesh plan --out'",
    );
  return s as SavedPlan;
}

/**
 * Why a saved plan no longer applies (empty when it still does): the mesh file changed, a node's
 * databases or `_replicator` documents changed, or planning now gives other actions.
 */
export function staleness(
  saved: SavedPlan,
  now: { meshSha256: string; observed: ObservedNode[]; plan: Plan },
): string[] {
  const reasons: string[] = [];
  if (saved.mesh !== now.plan.mesh) reasons.push(`it is for mesh '${saved.mesh}', not '${now.plan.mesh}'`);
  if (saved.mesh_sha256 !== now.meshSha256) reasons.push(`the mesh file changed since the plan was made`);
  const nodes = new Map(now.observed.map((o) => [o.node, o]));
  const changed: string[] = [];
  for (const [node, fp] of Object.entries(saved.observed_nodes)) {
    const o = nodes.get(node);
    if (!o || fingerprintNode(o) !== fp) changed.push(node);
  }
  for (const node of nodes.keys()) if (!(node in saved.observed_nodes)) changed.push(node);
  if (changed.length)
    reasons.push(
      `${changed.length === 1 ? 'node' : 'nodes'} ${changed.join(', ')} changed since the plan was made (databases, _replicator documents or reachability)`,
    );
  else if (saved.observed !== now.plan.observed)
    reasons.push('the observed state changed since the plan was made');
  if (!reasons.length && stableJson(redact(now.plan.actions)) !== stableJson(saved.plan.actions))
    reasons.push('planning again now gives other actions (credentials or couchmesh itself changed)');
  return reasons;
}

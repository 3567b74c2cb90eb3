/**
 * The drift loop (key `mesh`): plan against the live nodes (re-read every time: never a stale
 * event) and, when the mesh is not as declared, apply the plan (`executePlan`, one `_bulk_docs`
 * per node), pruning orphans only when mesh.yaml's `controller.prune` says so. With --dry-run the
 * plan is recorded as what would have been done.
 */
import { executePlan } from '../ops/apply.ts';
import { MeshInvalidError } from '../ops/mesh.ts';
import { preparePlan } from '../ops/plan.ts';
import type { PlanView } from '../ops/plan-view.ts';
import type { Ctx } from './context.ts';
import { failIntent } from './intents.ts';
import { actionId } from './policy.ts';
import type { Intent } from './store.ts';

/** Pending changes by plan action kind (empty: as declared). */
export function changesByKind(view: PlanView): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of view.actions) out[a.kind] = (out[a.kind] ?? 0) + 1;
  return out;
}

const whatOf = (changes: Record<string, number>) =>
  Object.entries(changes)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');

/** The node an interrupted apply's audit record goes to (the first declared). */
const auditNode = (ctx: Ctx): { node?: string } => {
  const node = ctx.m.spec.nodes[0]?.name;
  return node ? { node } : {};
};

export async function driftOnce(ctx: Ctx): Promise<void> {
  const prep = await preparePlan(
    { file: ctx.m.file, prune: ctx.spec.prune },
    { ...ctx.deps, env: ctx.deps.env },
  );
  if (!prep.ok) throw new MeshInvalidError(prep.validation);
  let intent: Intent | undefined;
  try {
    const outcome = await executePlan(
      prep,
      async (view) => {
        if (ctx.dryRun) return false;
        // write-ahead: what this pass is about to apply is on disk before any node is written
        if (view.changes)
          intent = ctx.intend({
            id: actionId('drift', 'apply', 'mesh', `${view.observed}|${ctx.clock.now()}`),
            loop: 'drift',
            kind: 'apply',
            target: 'mesh',
            detail: `apply ${whatOf(changesByKind(view))}`,
            ...auditNode(ctx),
          });
        return true;
      },
      ctx.deps,
    ).catch(async (e) => {
      await failIntent(ctx, intent, e);
      throw e;
    });
    const view = outcome.plan;
    const changes = changesByKind(view);
    const at = ctx.clock.now();
    ctx.state.drift({ at: new Date(at).toISOString(), changes });
    if (!view.changes) return;
    // an unreachable node is the observe loop's finding, not a failure of this repair
    const failed = outcome.nodes
      .filter((n) => n.status === 'failed' || n.status === 'blocked')
      .map((n) => n.node);
    const unseen = outcome.nodes
      .filter((n) => n.status === 'unreachable' || n.status === 'refused')
      .map((n) => n.node);
    const what = whatOf(changes);
    await ctx.record(
      {
        id: actionId('drift', 'apply', 'mesh', `${view.observed}|${at}`),
        ...(intent ? { intent } : {}),
        loop: 'drift',
        kind: 'apply',
        target: 'mesh',
        outcome: ctx.dryRun ? 'dry-run' : failed.length ? 'failed' : 'done',
        detail: ctx.dryRun
          ? `would apply ${what}`
          : `applied ${outcome.applied} change(s) (${what})${failed.length ? `; failed on ${failed.join(', ')}` : ''}${unseen.length ? `; not observed: ${unseen.join(', ')}` : ''}`,
      },
      undefined,
      outcome.nodes.find((n) => n.applied > 0)?.node ?? ctx.m.spec.nodes[0]?.name,
    );
  } finally {
    await prep.close();
  }
}

/**
 * The operator's commands (view.ts ControllerCommands), each recorded as an `operator` action:
 * a checkpoint reset (ops/checkpoint-reset.ts), a one-shot reconcile (ops/reconcile.ts) and the
 * undo of a conflict resolution (ops/conflicts.ts through resolve-loop.ts). A refused or failed
 * command is an action too (`declined` / `failed`), returned rather than thrown.
 */
import { userError } from '../core/errors.ts';
import { resetDirection } from '../ops/checkpoint-reset.ts';
import { directionJob } from '../ops/direction-job.ts';
import { reconcileDirection } from '../ops/reconcile.ts';
import type { Ctx } from './context.ts';
import { directionTarget } from './policy.ts';
import { findDirection } from './remediate.ts';
import { conflictPolicies, undoOn } from './resolve-loop.ts';
import type { ControllerAction, ControllerCommands } from './view.ts';

async function run(
  ctx: Ctx,
  kind: string,
  target: string,
  node: string | undefined,
  fn: () => Promise<string>,
): Promise<ControllerAction> {
  if (ctx.dryRun)
    return ctx.record(
      { loop: 'operator', kind, target, outcome: 'dry-run', detail: `would ${kind} ${target}` },
      undefined,
      node,
    );
  // write-ahead: the command is on disk before it touches a node (store.ts Intent)
  const intent = ctx.intend({
    loop: 'operator',
    kind,
    target,
    detail: `${kind} ${target}`,
    ...(node ? { node } : {}),
  });
  try {
    const detail = await fn();
    return ctx.record({ loop: 'operator', kind, target, outcome: 'done', detail, intent }, undefined, node);
  } catch (e) {
    const declined =
      !!e && typeof e === 'object' && 'code' in e && String((e as { code: unknown }).code).startsWith('E_');
    return ctx.record(
      {
        loop: 'operator',
        kind,
        target,
        outcome: declined ? 'declined' : 'failed',
        detail: e instanceof Error ? e.message : String(e),
        intent,
      },
      undefined,
      node,
    );
  }
}

function direction(ctx: Ctx, dir: string, db: string) {
  const d = findDirection(ctx.m, dir.replace(/\s+/g, ''), db);
  if (!d)
    throw userError(
      'E_NO_SUCH_LINK',
      `the mesh has no direction ${dir} for database ${db}`,
      'see the snapshot for the directions',
    );
  return d;
}

export function commandsOf(ctx: Ctx): ControllerCommands {
  return {
    resetCheckpoint: async (dir, db) => {
      const d = direction(ctx, dir, db);
      return run(ctx, 'reset-checkpoints', directionTarget(dir, db), d.ref.docNode, async () => {
        const j = await directionJob(ctx.m, d.link.link, db, d.ref);
        const r = await resetDirection(ctx.m, j, ctx.deps);
        return `reset _local/${r.base} on ${d.ref.from} and ${d.ref.to}, job recreated (rev ${r.recreated_rev})`;
      });
    },
    reconcile: async (dir, db) => {
      const d = direction(ctx, dir, db);
      return run(ctx, 'reconcile', directionTarget(dir, db), d.ref.docNode, async () => {
        const r = await reconcileDirection(
          ctx.m,
          { link: d.link.link, db, ref: d.ref },
          {},
          ctx.deps,
          () => {},
        );
        return `one-shot pass: ${r.stats.docs_written} docs written, ${r.stats.missing_revisions_found} missing revisions found`;
      });
    },
    undoResolution: (db, auditId) => {
      const node =
        ctx.state.snapshot().resolutions.find((r) => r.audit_id === auditId)?.node ??
        conflictPolicies(ctx.m).find((p) => p.db === db)?.nodes[0] ??
        ctx.m.spec.nodes[0]?.name;
      return run(ctx, 'undo', `db:${db}@${node}`, node, async () => {
        const r = await undoOn(ctx.m, db, node as string, auditId, ctx.deps);
        ctx.state.markUndone(auditId);
        return `restored ${r.docId} at ${r.restoredRev} (new rev ${r.newRev}; audit ${r.entry})`;
      });
    },
  };
}

/**
 * The conflicts loop (keys `conflicts:<db>`): a resolution pass of the database on each node its
 * mesh.yaml block names (resolve-loop.ts), the per-node counts, every resolution as an event with
 * its audit entry, and one action per pass that changed (or, dry-run, would change) something.
 */
import type { Ctx } from './context.ts';
import { actionId } from './policy.ts';
import { conflictCount, conflictPolicies, resolveOn } from './resolve-loop.ts';

export const conflictsKey = (db: string) => `conflicts:${db}`;

export async function conflictsOnce(ctx: Ctx, db: string): Promise<void> {
  const policy = conflictPolicies(ctx.m).find((p) => p.db === db);
  if (!policy) return;
  for (const node of policy.nodes) {
    const res = await resolveOn(ctx.m, policy, node, ctx.stateDir, ctx.deps, ctx.dryRun);
    const at = ctx.clock.now();
    const iso = new Date(at).toISOString();
    let resolved = 0;
    let declined = 0;
    let planned = 0;
    for (const e of res.events) {
      if (e.type === 'resolved') {
        resolved++;
        ctx.state.resolution({
          at: iso,
          db,
          node,
          doc_id: e.docId,
          strategy: e.strategy,
          winner: e.resultRev,
          losers: e.losers,
          audit_id: e.entry,
          undone: false,
        });
      } else if (e.type === 'declined') declined++;
      else if (e.type === 'planned') planned++;
    }
    const prev = ctx.state.counts(db, node);
    const conflicted = await conflictCount(ctx.m, db, node, ctx.deps).catch(() => -1);
    ctx.state.conflicts({
      db,
      node,
      conflicted: Math.max(0, conflicted),
      resolved_total: (prev?.resolved_total ?? 0) + resolved,
      declined_total: (prev?.declined_total ?? 0) + declined,
      at: iso,
    });
    if (!resolved && !declined && !planned) continue;
    const target = `db:${db}@${node}`;
    await ctx.record(
      {
        id: actionId('resolve', 'resolve', target, `${String(res.lastSeq)}|${at}`),
        loop: 'resolve',
        kind: 'resolve',
        target,
        outcome: ctx.dryRun ? 'dry-run' : 'done',
        detail: ctx.dryRun
          ? `would resolve ${planned} conflicted document(s) (${res.audit})`
          : `resolved ${resolved}, declined ${declined} conflicted document(s); audit in ${res.audit}`,
      },
      undefined,
      node,
    );
  }
}

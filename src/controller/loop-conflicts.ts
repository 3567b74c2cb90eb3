/**
 * The conflicts loop (keys `conflicts:<db>`): a resolution pass of the database on each node its
 * mesh.yaml block names (resolve-loop.ts), the per-node counts, every resolution as an event with
 * its audit entry, and one action per pass that changed (or, dry-run, would change) something.
 */
import type { Ctx } from './context.ts';
import { failIntent } from './intents.ts';
import { actionId } from './policy.ts';
import { conflictCount, conflictPolicies, resolveOn } from './resolve-loop.ts';
import type { Intent } from './store.ts';
import type { ControllerAction } from './view.ts';

export const conflictsKey = (db: string) => `conflicts:${db}`;

export async function conflictsOnce(ctx: Ctx, db: string): Promise<void> {
  const policy = conflictPolicies(ctx.m).find((p) => p.db === db);
  if (!policy) return;
  for (const node of policy.nodes) {
    // counted before resolving too: counted only after, a conflict the pass resolves never shows
    const seen = await conflictCount(ctx.m, db, node, ctx.deps).catch(() => -1);
    const before = ctx.state.counts(db, node);
    // conflicts that just appeared (none counted last pass) settle for one pass: the API and the
    // dashboard show them for an interval, and leaves still arriving from a healing partition are
    // resolved together next pass. A count that stays above 0 never waits (no starvation).
    const appeared = seen > 0 && !((before?.conflicted ?? 0) > 0);
    if (seen > 0 && before?.conflicted !== seen)
      ctx.state.conflicts({
        db,
        node,
        conflicted: seen,
        resolved_total: before?.resolved_total ?? 0,
        declined_total: before?.declined_total ?? 0,
        at: new Date(ctx.clock.now()).toISOString(),
      });
    if (appeared) continue;
    const target = `db:${db}@${node}`;
    // write-ahead: a pass that may write (conflicts counted, or the count unreadable) notes it first
    const intent =
      ctx.dryRun || seen === 0
        ? undefined
        : ctx.intend({
            loop: 'resolve',
            kind: 'resolve',
            target,
            detail: `resolve ${seen > 0 ? `${seen} ` : ''}conflicted document(s) of ${db} on ${node}`,
            node,
          });
    const res = await resolveOn(ctx.m, db, node, ctx.deps, ctx.dryRun).catch(async (e) => {
      await failIntent(ctx, intent, e);
      throw e;
    });
    const at = ctx.clock.now();
    const iso = new Date(at).toISOString();
    for (const r of res.resolutions) ctx.state.resolution(r);
    const stats = res.nodes[0]?.stats;
    const resolved = res.counts.resolved;
    const declined = res.counts.declined;
    const planned = ctx.dryRun ? (stats?.seen ?? 0) : 0;
    if (res.nodes[0]?.error) {
      // nothing written (the node unreachable, most often: the observe loop's finding): no action
      if (!resolved && !declined) ctx.forget(intent);
      else
        await recordPass(ctx, intent, target, node, {
          outcome: 'failed',
          detail: `resolved ${resolved}, declined ${declined} conflicted document(s), then: ${res.nodes[0].error}; audit in ${res.audit}`,
        });
      throw new Error(`resolving ${db} on ${node}: ${res.nodes[0].error}`);
    }
    const prev = ctx.state.counts(db, node);
    // what the pass left in conflict (declined + failed; a dry run: every conflict it saw), not a second
    // count: counting reads `_changes` and `_bulk_get`s every document with more than one leaf, and a
    // resolved document keeps its tombstoned leaves, so a recount re-read the whole pass. A conflict
    // that arrives after the pass's last read is counted by the next pass's first count.
    const conflicted = res.nodes[0]?.conflicted ?? -1;
    if (conflicted >= 0) ctx.metrics.conflicts.set({ db, node, conflicted });
    ctx.state.conflicts({
      db,
      node,
      conflicted: Math.max(0, conflicted),
      resolved_total: (prev?.resolved_total ?? 0) + resolved,
      declined_total: (prev?.declined_total ?? 0) + declined,
      at: iso,
    });
    if (!resolved && !declined && !planned) {
      ctx.forget(intent);
      continue;
    }
    await recordPass(ctx, intent, target, node, {
      outcome: ctx.dryRun ? 'dry-run' : 'done',
      detail: ctx.dryRun
        ? `would resolve ${planned} conflicted document(s) (${res.audit})`
        : `resolved ${resolved}, declined ${declined} conflicted document(s); audit in ${res.audit}`,
      episode: `${resolved}|${declined}|${planned}|${at}`,
    });
  }
}

/** One action per pass that changed (or would change) something; it completes the pass's intent. */
function recordPass(
  ctx: Ctx,
  intent: Intent | undefined,
  target: string,
  node: string,
  a: { outcome: ControllerAction['outcome']; detail: string; episode?: string },
) {
  return ctx.record(
    {
      id: actionId('resolve', 'resolve', target, a.episode ?? String(ctx.clock.now())),
      ...(intent ? { intent } : {}),
      loop: 'resolve',
      kind: 'resolve',
      target,
      outcome: a.outcome,
      detail: a.detail,
    },
    undefined,
    node,
  );
}

/**
 * The deep-check loop (key `deep`): every replicated database's identity on every node against
 * the store's baseline (a recreation queues the directions into and out of it, see
 * loop-remediate.ts), and both checkpoints of every direction handed to the poller, whose
 * checkpoint-integrity rule judges them at the next poll (as `doctor` and `checkpoint verify` do).
 */
import type { CouchClient } from '../couch/client.ts';
import { mapLimit } from '../plan/observe.ts';
import { type Ctx, dbKey } from './context.ts';
import { identityChange, readAllCheckpoints, readDbIdentity, replicatedDbs } from './deep-check.ts';
import { directionTarget } from './policy.ts';

export async function deepOnce(ctx: Ctx): Promise<void> {
  const at = ctx.clock.now();
  await mapLimit(replicatedDbs(ctx.m), 8, async ({ node, db }) => {
    const k = dbKey(node, db);
    if (ctx.recreated.has(k)) return; // being handled: its baseline moves once it is
    const now = await readDbIdentity(ctx.m.clients.get(node) as CouchClient, node, db, at, ctx.deps.signal);
    if (!now) return;
    const before = ctx.store.dbIdentity(node, db);
    const why = before ? identityChange(before, now) : null;
    if (!before || !why) {
      ctx.store.setDbIdentity(now);
      return;
    }
    const pending = new Set<string>();
    for (const l of ctx.m.links)
      if (l.db === db)
        for (const d of l.directions)
          if (d.to === node || d.from === node) pending.add(directionTarget(`${d.from}->${d.to}`, db));
    ctx.recreated.set(k, {
      node,
      db,
      reason: why,
      episode: `${before.update_seq}|${before.instance_start_time}|${before.docs_total}`,
      now,
      pending,
    });
    ctx.log.warn(
      { node, db, reason: why, directions: [...pending] },
      `${db} on ${node} was recreated: ${why}`,
    );
    for (const key of pending) ctx.queue.add(key);
  });
  const pairs = (await readAllCheckpoints(ctx.m, ctx.poller.views, ctx.deps.signal))
    .map((r) => r.pair)
    .filter((p) => p !== null);
  ctx.poller.addCheckpoints(pairs, ctx.clock.now());
}

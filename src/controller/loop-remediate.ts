/**
 * The remediation loop (keys `direction:<from>-><to>/<db>`): level-based. It never trusts the
 * event that queued the key: it re-reads what is wrong with the direction now (the latest poll's
 * findings, the recreations the deep check found) and applies mesh.yaml's policy for the first
 * problem that has one, at most one action per finding episode (deterministic action ids: a
 * restarted controller finds the action already recorded) and `max_actions_per_hour` per direction.
 */
import type { CouchClient } from '../couch/client.ts';
import { findingKey } from '../health/diff.ts';
import type { Finding } from '../health/types.ts';
import { type Ctx, dbKey, type Recreation } from './context.ts';
import { readDbIdentity } from './deep-check.ts';
import { actionId, decide, HOUR_MS, isRemediable, parseDirectionTarget, remediationFor } from './policy.ts';
import { findDirection, remediate } from './remediate.ts';

/** A rate-limited remediation is looked at again after this long. */
export const RATE_LIMIT_RECHECK_MS = 60_000;

interface Reason {
  kind: string;
  episode: string;
  finding?: Finding;
  rec?: Recreation;
}

/** One direction of a recreation is handled: once all are, the database's baseline moves on. */
async function finish(ctx: Ctx, rec: Recreation, key: string): Promise<void> {
  rec.pending.delete(key);
  if (rec.pending.size) return;
  const client = ctx.m.clients.get(rec.node) as CouchClient;
  const now = await readDbIdentity(client, rec.node, rec.db, ctx.clock.now(), ctx.deps.signal);
  ctx.store.setDbIdentity(now ?? rec.now);
  ctx.recreated.delete(dbKey(rec.node, rec.db));
}

function reasonsFor(ctx: Ctx, key: string, direction: string, db: string): Reason[] {
  const out: Reason[] = [];
  for (const rec of ctx.recreated.values())
    if (rec.pending.has(key))
      out.push({ kind: 'db-recreated', episode: `${rec.node}/${rec.db}@${rec.episode}`, rec });
  for (const f of ctx.poller.last?.findings ?? [])
    if (f.direction === direction && f.db === db && isRemediable(f.rule))
      out.push({ kind: f.rule, episode: String(ctx.episodes.get(findingKey(f)) ?? 0), finding: f });
  return out;
}

/** Returns a requeue delay when a remediation waits for the rate limit. */
export async function remediateOnce(ctx: Ctx, key: string): Promise<number | undefined> {
  const t = parseDirectionTarget(key);
  if (!t) return;
  let waiting = false;
  const direction = `${t.from}->${t.to}`;
  const dir = findDirection(ctx.m, direction, t.db);
  if (!dir) return;
  for (const r of reasonsFor(ctx, key, direction, t.db)) {
    const what = r.rec
      ? `${r.rec.db} on ${r.rec.node} recreated (${r.rec.reason})`
      : (r.finding?.message ?? r.kind);
    const rem = remediationFor(ctx.spec, r.kind);
    const id = actionId('remediate', rem, key, `${r.kind}|${r.episode}`);
    const prior = ctx.store.action(id);
    // an interrupted one is done again: it may not have acted (restart-job and reset-checkpoints
    // are safe to repeat), and its completion takes the same id (one record)
    if (prior && !['failed', 'rate-limited', 'interrupted'].includes(prior.outcome)) {
      if (r.rec) await finish(ctx, r.rec, key);
      continue;
    }
    const base = {
      id,
      loop: 'remediate' as const,
      target: key,
      finding: r.finding ? findingKey(r.finding) : r.kind,
    };
    if (rem === 'none') {
      // only recreations are queued without a policy: tell the operator once, then move on
      await ctx.record(
        {
          ...base,
          kind: 'none',
          outcome: 'declined',
          detail: `${what}; no remediation policy for ${r.kind}`,
        },
        r.finding,
        dir.ref.docNode,
      );
      if (r.rec) await finish(ctx, r.rec, key);
      continue;
    }
    const dec = decide(ctx.spec, r.kind, ctx.store.countActions(key, ctx.clock.now() - HOUR_MS));
    if (!dec.act) {
      if (!prior && dec.why === 'rate-limited')
        await ctx.record(
          {
            ...base,
            kind: rem,
            outcome: 'rate-limited',
            detail: `${what}; ${dec.count} actions in the last hour (limit ${dec.limit})`,
          },
          r.finding,
          dir.ref.docNode,
        );
      waiting = true;
      continue;
    }
    if (ctx.dryRun) {
      await ctx.record(
        { ...base, kind: rem, outcome: 'dry-run', detail: `${what}; would ${rem} ${direction}` },
        r.finding,
        dir.ref.docNode,
      );
      if (r.rec) await finish(ctx, r.rec, key);
      return;
    }
    let detail: string;
    const intent = ctx.intend({
      ...base,
      kind: rem,
      detail: `${what}; ${rem} ${direction}`,
      ...(dir.ref.docNode ? { node: dir.ref.docNode } : {}),
    });
    try {
      detail = await remediate(ctx.m, dir, dec.remediation as Exclude<typeof rem, 'none'>, ctx.deps);
    } catch (e) {
      if (ctx.deps.signal?.aborted) throw e; // stopping: the intent stays, recorded interrupted
      await ctx.record(
        {
          ...base,
          intent,
          kind: rem,
          outcome: 'failed',
          detail: `${what}; ${e instanceof Error ? e.message : String(e)}`,
        },
        r.finding,
        dir.ref.docNode,
      );
      throw e; // retried after the key's backoff
    }
    await ctx.record(
      { ...base, intent, kind: rem, outcome: 'done', detail: `${what}; ${detail}` },
      r.finding,
      dir.ref.docNode,
    );
    if (r.rec) await finish(ctx, r.rec, key);
    return; // one action per pass: the next pass re-reads the direction
  }
  return waiting ? RATE_LIMIT_RECHECK_MS : undefined;
}

/**
 * The observe loop (key `observe`): one poll of every node (src/watch's poller: observe + health),
 * the status report and metrics, the findings diff as events, alerts (src/alerts' Alerter through
 * sinks that remember across restarts), and the direction keys whose findings have a remediation
 * policy. A database's update_seq going back or a new instance_start_time between two polls
 * queues the deep check at once.
 */
import { redactDeep } from '../core/redact.ts';
import { seqNumber } from '../couchdb/seq.ts';
import { findingKey } from '../health/diff.ts';
import { statusReport } from '../ops/status.ts';
import { type Ctx, dbKey } from './context.ts';
import { openDivergence, withDivergence } from './loop-verify.ts';
import { directionTarget, remediationFor } from './policy.ts';

export async function observeOnce(ctx: Ctx): Promise<void> {
  const r = await ctx.poller.pollOnce(ctx.deps.signal);
  const report = redactDeep(statusReport(ctx.m, r, new Map(), ctx.views), ctx.redact);
  ctx.views = r.views;
  ctx.metrics.update(r);
  // the verify loop's open divergence findings stay in every poll's list (they are already redacted)
  const findings = [...redactDeep(r.findings, ctx.redact), ...openDivergence(ctx)];
  const d = redactDeep(r.diff, ctx.redact);
  ctx.state.poll(report);
  // the router's findings (rerouted, no-relay) stay open until its own pass says otherwise
  const routed = ctx.state.openFindings.filter((f) => f.rule === 'rerouted' || f.rule === 'no-relay');
  ctx.state.findings(
    [...findings, ...routed],
    [
      ...d.raised.map((finding) => ({ change: 'raised' as const, finding })),
      ...d.changed.map((c) => ({ change: 'changed' as const, finding: c.to })),
      ...d.resolved.map((finding) => ({ change: 'resolved' as const, finding })),
    ],
  );
  const episodes = ctx.store.syncFindings(
    findings.map((f) => ({ key: findingKey(f), json: JSON.stringify(f) })),
    r.at,
  );
  ctx.episodes.clear();
  for (const [k, v] of episodes) ctx.episodes.set(k, v);
  for (const f of d.raised) ctx.log.warn({ finding: f }, `raised: ${f.message}`);
  for (const f of d.resolved) ctx.log.info({ finding: findingKey(f) }, `resolved: ${f.message}`);
  ctx.alerter.handle(withDivergence(r.diff, ctx), r.at);
  // after a restart the alerter knows nothing: what sinks were told and is over now gets resolved,
  // once the alerter's own resolve delay has passed (a finding may come back within it)
  if (r.poll === ctx.alerter.resolveAfterPolls) {
    const open = new Set([...findings, ...routed].map(findingKey));
    for (const s of ctx.sinks) await s.sweepStale(open, r.at).catch(() => 0);
  }
  for (const f of findings)
    if (f.direction && f.db && remediationFor(ctx.spec, f.rule) !== 'none')
      ctx.queue.add(directionTarget(f.direction, f.db));
  let regressed = false;
  for (const s of r.snapshots)
    for (const [db, info] of Object.entries(s.dbInfo)) {
      const k = dbKey(s.node, db);
      const now = { seq: seqNumber(info.updateSeq), instance: info.instanceStartTime };
      const before = ctx.pollSeen.get(k);
      if (
        before &&
        ((before.instance !== '0' && now.instance !== '0' && before.instance !== now.instance) ||
          (before.seq !== null && now.seq !== null && now.seq < before.seq))
      )
        regressed = true;
      ctx.pollSeen.set(k, now);
    }
  if (regressed) ctx.queue.add('deep');
}

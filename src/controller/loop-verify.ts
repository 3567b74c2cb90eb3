/**
 * The verify loop (key `verify`, opt-in: `controller.verify_interval_ms`): `couchmesh verify` of
 * every mesh database on a slow cadence, since every job can say `running` with lag ~0 while a node
 * misses documents. Each divergent linked pair is a `divergence` finding with its evidence; the
 * observe loop merges the open ones into every poll's findings (snapshot, store, API) and their
 * changes into the poll's diff the alerter sees (so its hold and sinks treat them like the poller's
 * findings); this loop emits their raised / resolved events and log lines when a pass changes them.
 */

import { redactDeep } from '../core/redact.ts';
import { diffFindings, type FindingDiff } from '../health/diff.ts';
import type { Finding } from '../health/types.ts';
import { verifyOpenMesh } from '../ops/verify.ts';
import { divergenceFindings } from '../ops/verify-finding.ts';
import type { Ctx } from './context.ts';

const OPEN = new WeakMap<Ctx, Finding[]>();
/** what the observe loop last handed the alerter */
const ALERTED = new WeakMap<Ctx, Finding[]>();

/** The divergence findings of the latest verify pass (none before the first). */
export const openDivergence = (ctx: Ctx): Finding[] => OPEN.get(ctx) ?? [];

export async function verifyOnce(ctx: Ctx): Promise<void> {
  const report = await verifyOpenMesh(ctx.m, {}, ctx.deps.signal);
  const next = redactDeep(divergenceFindings(report), ctx.redact);
  const d = diffFindings(openDivergence(ctx), next);
  OPEN.set(ctx, next);
  const others = ctx.state.snapshot().findings.filter((f) => f.rule !== 'divergence');
  ctx.state.findings(
    [...others, ...next],
    [
      ...d.raised.map((finding) => ({ change: 'raised' as const, finding })),
      ...d.resolved.map((finding) => ({ change: 'resolved' as const, finding })),
    ],
  );
  for (const f of d.raised) ctx.log.warn({ finding: f }, `raised: ${f.message}`);
  for (const f of d.resolved) ctx.log.info({ finding: f.link }, `resolved: ${f.message}`);
  const s = report.summary;
  ctx.log.info(
    { verify: s },
    `verify: ${s.identical} identical, ${s.divergent} divergent, ${s.not_compared} not compared`,
  );
}

/** A poll's findings diff plus the divergence findings' changes since the previous poll. */
export function withDivergence(diff: FindingDiff, ctx: Ctx): FindingDiff {
  const now = openDivergence(ctx);
  const d = diffFindings(ALERTED.get(ctx) ?? [], now);
  ALERTED.set(ctx, now);
  return {
    raised: [...diff.raised, ...d.raised],
    resolved: [...diff.resolved, ...d.resolved],
    unchanged: [...diff.unchanged, ...d.unchanged],
    changed: [...diff.changed, ...d.changed],
  };
}

/**
 * State rules: what `_scheduler/docs` `state` says (REFERENCE A2). `crashing` and `error` back off
 * and retry; `failed` is terminal; `pending` waits for a `max_jobs` slot.
 */
import { crashBackoffMs, crashStreakMinMs } from '../observe/backoff.ts';
import type { DirectionState } from '../observe/snapshot.ts';
import { type DirectionContext, dirFinding, dur, iso, label, last, trailingRun } from './finding.ts';
import { PLAYBOOK, reasonHint } from './playbook.ts';
import { handoffSince } from './rules-cluster.ts';
import type { Finding } from './types.ts';

const withHint = (reason: string | null, generic: string) => {
  const hint = reasonHint(reason);
  return hint && hint !== generic ? `${hint}; then ${generic}` : generic;
};

/** Since when the direction has been in `state`: the first point of the trailing run (a lower bound). */
function inStateSince(series: readonly DirectionState[], state: string): number | null {
  return trailingRun(series, (s) => s.state === state)[0]?.at ?? null;
}

/** `crashing`: the last run errored; restarts back off 30 s × 2^min(n-1, 10) (A2, A7 "Crash loops"). */
export function crashingRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (s?.state !== 'crashing') return null;
  // a job moving between cluster members within the quiet period is a handoff (rules-cluster.ts)
  if (handoffSince(ctx.series, ctx.now, ctx.t) !== null) return null;
  const since = inStateSince(ctx.series, 'crashing');
  // observed duration, or what error_count implies (the backoffs already waited), whichever is longer
  const forMs = Math.max(since === null ? 0 : ctx.now - since, crashStreakMinMs(s.errorCount));
  const severity = forMs >= ctx.t.crashingCriticalMs ? 'critical' : 'warning';
  const evidence = {
    errorCount: s.errorCount,
    crashingForMs: forMs,
    lastCrashAt: s.lastCrashAt,
    nextRetryAt: s.nextRetryAt,
    backoffMs: crashBackoffMs(Math.max(1, s.errorCount)),
    reason: s.reason,
  };
  const msg =
    `${label(s)} is crashing: ${s.reason ?? 'no reason reported'} — ${s.errorCount} consecutive ` +
    `crash(es), crashing for ≥ ${dur(forMs)}, next retry not before ${iso(s.nextRetryAt)}`;
  return dirFinding(s, 'crashing', severity, evidence, msg, withHint(s.reason, PLAYBOOK.inspectReason));
}

/** `failed`: terminal, needs the user (malformed doc, duplicate, bad endpoint; A2). */
export function failedRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (s?.state !== 'failed') return null;
  const evidence = { errorCount: s.errorCount, failedAt: s.stateSince, reason: s.reason };
  const msg = `${label(s)} failed (terminal, will not retry): ${s.reason ?? 'no reason reported'}`;
  return dirFinding(s, 'failed', 'critical', evidence, msg, PLAYBOOK.fixFailed);
}

/** `error`: the doc could not become a job yet, mainly a filter fetch failing (A2). */
export function errorRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (s?.state !== 'error') return null;
  const since = inStateSince(ctx.series, 'error');
  const forMs = since === null ? null : ctx.now - since;
  const severity = forMs !== null && forMs >= ctx.t.crashingCriticalMs ? 'critical' : 'warning';
  const evidence = { errorCount: s.errorCount, inErrorForMs: forMs, reason: s.reason };
  const msg = `${label(s)} is in error (not yet a job) for ${dur(forMs)}: ${s.reason ?? 'no reason reported'}`;
  return dirFinding(s, 'error', severity, evidence, msg, withHint(s.reason, PLAYBOOK.fixError));
}

/**
 * `pending` too long: waiting for a slot because jobs exceed `max_jobs` (A2, A5). `last_updated`
 * is the time of the job's newest event (`added` / `stopped`), so it dates the wait when present.
 */
export function pendingRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (s?.state !== 'pending') return null;
  const since = s.stateSince ?? inStateSince(ctx.series, 'pending');
  const forMs = since === null ? null : ctx.now - since;
  if (forMs === null || forMs < ctx.t.pendingMaxAgeMs) return null;
  // on a cluster, the gauges of the member that owns the doc (a member's _stats is its own, not the cluster's)
  const member = s.clusterNode ? ctx.docNode?.memberStats?.[s.clusterNode] : undefined;
  const jobs = (member ?? ctx.docNode?.stats)?.jobs;
  const evidence = {
    pendingForMs: forMs,
    pendingMaxAgeMs: ctx.t.pendingMaxAgeMs,
    jobsRunning: jobs?.running ?? null,
    jobsPending: jobs?.pending ?? null,
    maxJobs: ctx.t.maxJobs,
  };
  const where = member ? `${s.docNode} member ${s.clusterNode}` : s.docNode;
  const counts = jobs ? ` (${jobs.running} running, ${jobs.pending} pending on ${where})` : '';
  const msg = `${label(s)} has been pending for ${dur(forMs)}: the scheduler is starved${counts} (more jobs than max_jobs, default ${ctx.t.maxJobs})`;
  return dirFinding(s, 'pending', 'warning', evidence, msg, PLAYBOOK.starved);
}

/** The doc node answered with full confidence and holds no doc for this direction. */
export function docMissingRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (s?.state !== 'missing' || s.confidence !== 'full') return null;
  const evidence = { docNode: ctx.ref.docNode, docId: s.docId };
  const msg = `${label(s)} has no _replicator document (${s.docId} on ${ctx.ref.docNode}): nothing replicates this way`;
  return dirFinding(s, 'doc-missing', 'warning', evidence, msg, PLAYBOOK.missingDoc);
}

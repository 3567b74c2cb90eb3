/**
 * Progress rules over a direction's time series: stalled, writes failing, lag, re-scan storm.
 * Seq arithmetic uses numeric prefixes and is labelled as a heuristic (couchdb/seq.ts); equality of
 * two seqs from the same producer is exact.
 */
import { type Seq, seqDistance, seqEquals, seqNumber } from '../couchdb/seq.ts';
import type { DirectionState } from '../observe/snapshot.ts';
import { type DirectionContext, dirFinding, dur, label, last, trailingRun } from './finding.ts';
import { PLAYBOOK } from './playbook.ts';
import { risen, within } from './series.ts';
import type { Finding } from './types.ts';

const observed = (series: readonly DirectionState[]) => series.filter((s) => s.observed);

/** Did the source advance from `a` to `b`? Only seqs of the same origin are compared. */
function sourceAdvance(a: DirectionState, b: DirectionState): { advanced: boolean; by: number | null } {
  if (a.sourceSeqOrigin === null || a.sourceSeqOrigin !== b.sourceSeqOrigin)
    return { advanced: false, by: null };
  const by = seqDistance(b.sourceSeq, a.sourceSeq);
  if (by !== null) return { advanced: by > 0, by };
  return { advanced: !seqEquals(a.sourceSeq, b.sourceSeq), by: null };
}

/**
 * Stalled (seed: "checkpointed_source_seq must advance over time; if it stops while source_seq
 * keeps climbing, writes are failing"; A7 "Stall detection"), two ways:
 *  - checkpoint flat: the checkpoint stayed equal for at least `stallIntervals` × checkpoint_interval
 *    (checkpoints lag by up to one interval by design; `stallFloorMs`, spec `stall_after_ms`, is a
 *    floor) while the source advanced; warning, critical at twice that;
 *  - no progress: nothing moved at all (through_seq, checkpoint, revisions checked, docs read /
 *    written / failed) for `noProgressMs` (default: one poll interval, at least 1 s) although the source was already
 *    ahead of through_seq at the start: a hung job, seen within 2 polls whatever the checkpoint
 *    interval; a warning until the checkpoint-flat window makes it the above.
 * A continuous job idle on its feed (source flat, nothing pending) is not stalled.
 */
export function stalledRule(ctx: DirectionContext): Finding | null {
  return checkpointFlat(ctx) ?? noProgress(ctx);
}

function checkpointFlat(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (!s?.observed || s.state !== 'running' || s.checkpointedSeq === null || s.at === null) return null;
  // contiguous observations of the same job run: an unobserved gap (doc node down) or a restart ends it
  const run = trailingRun(
    ctx.series,
    (x) => sameRun(x, s) && seqEquals(x.checkpointedSeq, s.checkpointedSeq),
  );
  const first = run[0];
  if (!first || first.at === null || run.length < 2) return null;
  const flatFor = s.at - first.at;
  const windowMs = Math.max(ctx.t.stallIntervals * s.checkpointIntervalMs, ctx.t.stallFloorMs);
  const adv = sourceAdvance(first, s);
  const behind = seqDistance(s.sourceSeq, s.checkpointedSeq);
  if (flatFor < windowMs || !adv.advanced || (behind !== null && behind <= 0)) return null;
  const evidence = {
    kind: 'checkpoint-flat',
    checkpointedSeq: seqNumber(s.checkpointedSeq),
    sourceSeqStart: seqNumber(first.sourceSeq),
    sourceSeqNow: seqNumber(s.sourceSeq),
    sourceAdvance: adv.by,
    flatForMs: flatFor,
    windowMs,
    checkpointIntervalMs: s.checkpointIntervalMs,
    intervalsFlat: Math.round((flatFor / s.checkpointIntervalMs) * 10) / 10,
    changesPending: s.changesPending,
    docsWrittenRisen: risen(run, (x) => x.docsWritten),
    docWriteFailuresRisen: risen(run, (x) => x.docWriteFailures),
    seqHeuristic: true,
  };
  const severity = flatFor >= 2 * windowMs ? 'critical' : 'warning';
  const msg =
    `${label(s)} is stalled: checkpointed_source_seq flat for ${dur(flatFor)} ` +
    `(${evidence.intervalsFlat} checkpoint intervals) while the source advanced` +
    (adv.by !== null ? ` by ~${adv.by} (seq prefix, heuristic)` : '');
  return dirFinding(s, 'stalled', severity, evidence, msg, PLAYBOOK.stalled);
}

/** Observed, running, and the same job (replication id and start time) as `s`. */
const sameRun = (x: DirectionState, s: DirectionState) =>
  x.observed && x.state === 'running' && x.repId === s.repId && x.jobStart === s.jobStart;

/** Every progress counter of a point, as one comparable text. */
const progressOf = (x: DirectionState) =>
  [
    x.throughSeq ?? '',
    x.checkpointedSeq ?? '',
    x.revisionsChecked,
    x.docsRead,
    x.docsWritten,
    x.docWriteFailures,
  ].join('|');

function noProgress(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (!s?.observed || s.state !== 'running' || s.at === null) return null;
  const basis = (x: DirectionState) => x.throughSeq ?? x.checkpointedSeq;
  if (basis(s) === null) return null;
  const sig = progressOf(s);
  const run = trailingRun(ctx.series, (x) => sameRun(x, s) && progressOf(x) === sig);
  const ahead = (x: DirectionState) => {
    const d = seqDistance(x.sourceSeq, basis(x));
    return d !== null && d > 0;
  };
  // the earliest point of the flat run at which the source already had changes not yet processed
  const start = run.find((x) => x !== s && x.at !== null && ahead(x));
  if (!start || start.at === null || !ahead(s)) return null;
  const flatFor = s.at - start.at;
  // default: one poll interval (a little less, for poll-time jitter), at least 1 s
  const windowMs =
    ctx.t.noProgressMs > 0 ? ctx.t.noProgressMs : Math.max(1000, Math.round(0.9 * ctx.t.pollIntervalMs));
  if (flatFor < windowMs) return null;
  const behind = seqDistance(s.sourceSeq, basis(s));
  const evidence = {
    kind: 'no-progress',
    throughSeq: seqNumber(s.throughSeq),
    checkpointedSeq: seqNumber(s.checkpointedSeq),
    sourceSeqNow: seqNumber(s.sourceSeq),
    behind,
    flatForMs: flatFor,
    windowMs,
    checkpointIntervalMs: s.checkpointIntervalMs,
    changesPending: s.changesPending,
    seqHeuristic: true,
  };
  const msg =
    `${label(s)} is stalled: no progress for ${dur(flatFor)} (through_seq, checkpoint and doc counters ` +
    `all flat) while the source is ~${behind} changes ahead (seq prefix, heuristic)`;
  return dirFinding(s, 'stalled', 'warning', evidence, msg, PLAYBOOK.stalled);
}

/** Writes failing: `doc_write_failures` rose within the window (seed; A2 "Doc write failures"). */
export function writesFailingRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (!s?.observed) return null;
  const pts = within(observed(ctx.series), ctx.now, ctx.t.windowMs);
  const failures = risen(pts, (x) => x.docWriteFailures);
  if (failures < ctx.t.writeFailuresMin) return null;
  const written = risen(pts, (x) => x.docsWritten);
  const evidence = {
    docWriteFailures: s.docWriteFailures,
    failuresRisen: failures,
    docsWrittenRisen: written,
    windowMs: ctx.t.windowMs,
  };
  const msg =
    `${label(s)}: doc_write_failures rose by ${failures} in the last ${dur(ctx.t.windowMs)}` +
    (written === 0 ? ' and nothing was written: every write is refused' : ` (${written} docs written)`);
  return dirFinding(
    s,
    'writes-failing',
    written === 0 ? 'critical' : 'warning',
    evidence,
    msg,
    PLAYBOOK.writesFailing,
  );
}

/**
 * Lag over threshold: CouchDB's `changes_pending` when it reports one (it may be null, A3), else
 * the seq-prefix distance from the job's `through_seq` (or checkpoint) to the source (heuristic).
 */
export function lagRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (!s?.observed || (s.state !== 'running' && s.state !== 'pending')) return null;
  const basis: Seq | null = s.throughSeq ?? s.checkpointedSeq;
  const estimate = seqDistance(s.sourceSeq, basis);
  const lag = s.changesPending ?? (estimate === null ? null : Math.max(0, estimate));
  if (lag === null || lag < ctx.t.lagWarning) return null;
  const evidence = {
    lag,
    basis:
      s.changesPending !== null
        ? 'changes_pending'
        : s.throughSeq !== null
          ? 'through_seq'
          : 'checkpointed_source_seq',
    seqHeuristic: s.changesPending === null,
    changesPending: s.changesPending,
    sourceSeq: seqNumber(s.sourceSeq),
    throughSeq: seqNumber(s.throughSeq),
    checkpointedSeq: seqNumber(s.checkpointedSeq),
    lagWarning: ctx.t.lagWarning,
    lagCritical: ctx.t.lagCritical,
  };
  const how = evidence.seqHeuristic ? ' (estimated from seq prefixes)' : '';
  const msg = `${label(s)} lags ${lag} changes behind the source${how}`;
  return dirFinding(s, 'lag', lag >= ctx.t.lagCritical ? 'critical' : 'warning', evidence, msg, PLAYBOOK.lag);
}

const TOO_MANY = /max_backoff|\b429\b|too many requests/i;

/** Crash reasons seen within the window (current reason + `_scheduler/jobs` history), deduplicated. */
function recentReasons(pts: readonly DirectionState[], since: number): string[] {
  const seen = new Set<string>();
  for (const p of pts) {
    if (p.reason && p.state === 'crashing') seen.add(`${p.lastCrashAt}|${p.reason}`);
    for (const c of p.crashes)
      if (c.reason && (c.at === null || c.at >= since)) seen.add(`${c.at}|${c.reason}`);
  }
  return [...seen].map((k) => k.slice(k.indexOf('|') + 1));
}

/**
 * Re-scan storm (seed: "Excessive revisions_checked and 429 Too Many Requests responses on
 * constrained gateways usually indicate an over-aggressive full re-scan"; A2 429 handling; A7):
 * revisions_checked rising much faster than the source itself advanced while docs_written stays
 * flat, and/or 429 / `max_backoff` crash reasons. In a full mesh every write is offered through every
 * path, so the checked/found ratio alone is normal (A7): the source's advance is the yardstick.
 */
export function rescanStormRule(ctx: DirectionContext): Finding | null {
  const since = ctx.now - ctx.t.windowMs;
  const pts = within(observed(ctx.series), ctx.now, ctx.t.windowMs);
  const s = last(pts);
  const first = pts[0];
  if (!s || !first) return null;
  const checked = risen(pts, (x) => x.revisionsChecked);
  const written = risen(pts, (x) => x.docsWritten);
  const adv = pts.length >= 2 ? sourceAdvance(first, s).by : null;
  const rescan =
    adv !== null &&
    checked >= ctx.t.rescanMinChecked &&
    checked > ctx.t.rescanCheckedPerSourceChange * Math.max(adv, 0) &&
    written <= ctx.t.rescanWrittenRatio * checked;
  const tooMany = recentReasons(pts, since).filter((r) => TOO_MANY.test(r));
  if (!rescan && tooMany.length === 0) return null;
  const evidence = {
    revisionsCheckedRisen: checked,
    docsWrittenRisen: written,
    missingFoundRisen: risen(pts, (x) => x.missingFound),
    sourceAdvance: adv,
    rateLimitedCrashes: tooMany.length,
    maxBackoff: tooMany.some((r) => /max_backoff/.test(r)),
    windowMs: ctx.t.windowMs,
  };
  const parts = [
    rescan
      ? `revisions_checked +${checked} while the source advanced ~${adv} and docs_written +${written}`
      : '',
    tooMany.length ? `${tooMany.length} crash(es) from 429 / max_backoff` : '',
  ].filter(Boolean);
  const msg = `${label(s)} looks like an over-aggressive re-scan: ${parts.join('; ')} in ${dur(ctx.t.windowMs)}`;
  const severity = rescan && tooMany.length ? 'critical' : 'warning';
  return dirFinding(s, 'rescan-storm', severity, evidence, msg, PLAYBOOK.rescanStorm);
}

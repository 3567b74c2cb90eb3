/**
 * Sequence regression (seed: "automated alerting on sequence regression"): a checkpoint or a
 * source `update_seq` going backwards, a source `instance_start_time` change (db recreated — only
 * meaningful off clusters, where it is not "0"; REFERENCE A3), or a checkpoint ahead of its source.
 * Numeric comparisons use seq prefixes: a heuristic, stated in the evidence.
 */
import type { Seq } from '../couchdb/seq.ts';
import { seqNumber } from '../couchdb/seq.ts';
import type { DirectionState } from '../observe/snapshot.ts';
import { type DirectionContext, dirFinding, iso, label, last } from './finding.ts';
import { PLAYBOOK } from './playbook.ts';
import { within } from './series.ts';
import type { Finding } from './types.ts';

export type RegressionKind = 'checkpoint' | 'checkpoint-reset' | 'source' | 'instance' | 'checkpoint-ahead';

export interface RegressionEvent {
  kind: RegressionKind;
  at: number;
  before: string | number | null;
  after: string | number | null;
  repIdChanged: boolean;
}

/**
 * Decreases of a numeric seq prefix between successive known values. A checkpoint back at 0 on a
 * job that was recreated in between (new `start_time`, or the doc seen gone) is `checkpoint-reset`:
 * what `couchmesh checkpoint reset` does on purpose (delete the `_local` docs, recreate the job).
 */
function decreases(
  pts: readonly DirectionState[],
  kind: RegressionKind,
  pick: (s: DirectionState) => Seq | null,
): RegressionEvent[] {
  const out: RegressionEvent[] = [];
  let prev: { n: number; s: DirectionState } | null = null;
  let gone = false;
  for (const s of pts) {
    const n = seqNumber(pick(s));
    if (s.state === 'missing') gone = true;
    if (n === null) continue;
    if (prev && n < prev.n && s.at !== null) {
      const recreated =
        gone || (s.jobStart !== null && prev.s.jobStart !== null && s.jobStart !== prev.s.jobStart);
      const reset = kind === 'checkpoint' && n === 0 && recreated;
      out.push({
        kind: reset ? 'checkpoint-reset' : kind,
        at: s.at,
        before: prev.n,
        after: n,
        repIdChanged: prev.s.repId !== s.repId,
      });
    }
    prev = { n, s };
    gone = false;
  }
  return out;
}

function instanceChanges(pts: readonly DirectionState[]): RegressionEvent[] {
  const out: RegressionEvent[] = [];
  let prev: string | null = null;
  for (const s of pts) {
    const cur = s.sourceInstance;
    if (cur === null || cur === '0') continue;
    if (prev !== null && cur !== prev && s.at !== null)
      out.push({ kind: 'instance', at: s.at, before: prev, after: cur, repIdChanged: false });
    prev = cur;
  }
  return out;
}

/** Checkpoint numerically beyond the source db's update_seq on the last two observations. */
function checkpointAhead(pts: readonly DirectionState[]): RegressionEvent[] {
  const tail = pts.slice(-2);
  const ahead = (s: DirectionState) => {
    const c = seqNumber(s.checkpointedSeq);
    const src = s.sourceSeqOrigin === 'db-info' ? seqNumber(s.sourceSeq) : null;
    return c !== null && src !== null && c > src;
  };
  const s = last(tail);
  if (tail.length < 2 || !tail.every(ahead) || !s || s.at === null) return [];
  return [
    {
      kind: 'checkpoint-ahead',
      at: s.at,
      before: seqNumber(s.checkpointedSeq),
      after: seqNumber(s.sourceSeq),
      repIdChanged: false,
    },
  ];
}

/** Every regression event of a series, oldest first. */
export function regressionEvents(pts: readonly DirectionState[]): RegressionEvent[] {
  const obs = pts.filter((s) => s.observed);
  const sourceFromDb = (s: DirectionState) => (s.sourceSeqOrigin === 'db-info' ? s.sourceSeq : null);
  return [
    ...decreases(obs, 'checkpoint', (s) => s.checkpointedSeq),
    ...decreases(obs, 'source', sourceFromDb),
    ...instanceChanges(obs),
    ...checkpointAhead(obs),
  ].sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind));
}

const WHAT: Record<RegressionKind, string> = {
  checkpoint: 'checkpointed_source_seq went backwards',
  'checkpoint-reset': 'the checkpoint was reset and the job recreated: a clean re-scan from 0',
  source: 'the source update_seq went backwards (database recreated or restored?)',
  instance: 'the source instance_start_time changed (database recreated)',
  'checkpoint-ahead': 'the checkpoint is ahead of the source update_seq (source recreated or restored?)',
};

/** Raised while a regression happened within the window; the newest event is the evidence. */
export function seqRegressionRule(ctx: DirectionContext): Finding | null {
  const pts = within(ctx.series, ctx.now, ctx.t.windowMs);
  const events = regressionEvents(pts);
  const e = last(events);
  const s = last(ctx.series);
  if (!e || !s) return null;
  const evidence = {
    kind: e.kind,
    before: e.before,
    after: e.after,
    at: e.at,
    repIdChanged: e.repIdChanged,
    eventsInWindow: events.length,
    seqHeuristic: e.kind !== 'instance',
  };
  const kinds = [...new Set(events.map((x) => WHAT[x.kind]))].join('; ');
  // only deliberate resets in the window: worth knowing, not an incident
  const severity = events.every((x) => x.kind === 'checkpoint-reset') ? 'info' : 'critical';
  const msg = `${label(s)}: ${kinds} (newest at ${iso(e.at)}: ${e.before} -> ${e.after}${e.repIdChanged ? ', new replication id' : ''})`;
  const playbook = severity === 'info' ? PLAYBOOK.reset : PLAYBOOK.regression;
  return dirFinding(s, 'seq-regression', severity, evidence, msg, playbook);
}

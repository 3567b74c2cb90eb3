/**
 * What one controller pass says about each direction's DIRECT path, as rule samples (rule.ts):
 * every canary sample not seen before (latency over the link's threshold, or lost: bad), then the
 * pass's own verdict from the observation: the direction's job crashing / failed / in error, or an
 * endpoint unreachable: bad. A running job counts as good only while no canary speaks for the
 * direction (canaries measure latency, a running job does not) and only when the job runs the
 * direct path: in proxy mode a rerouted job runs through the relay and says nothing about the
 * direct path (store-and-forward leaves the direct doc retrying, so its state still does).
 */
import type { CanarySample, RuleSample } from './types.ts';

/** The observed job states of a direction's docs (one per database; the canary db left out). */
export interface DirectionObservation {
  /** `_scheduler/docs` states: running, pending, crashing, failed, error, completed, missing, unknown */
  states: readonly string[];
  /** endpoints the controller could not reach this pass */
  unreachable: readonly string[];
}

export interface EvidenceInput {
  now: number;
  thresholdMs: number;
  /** canary samples newer than the cursor (the previous pass's newest `at`), oldest first */
  canary: readonly CanarySample[];
  /** the source has ever had a sample of this direction */
  hasCanary: boolean;
  observation: DirectionObservation | undefined;
  /** false while a proxy route carries the direction's job (its state is the relay path's) */
  jobIsDirect: boolean;
}

const BAD_STATES = new Set(['crashing', 'failed', 'error']);
const GOOD_STATES = new Set(['running', 'completed']);

export function canaryVerdict(s: CanarySample, thresholdMs: number): RuleSample {
  if (s.latencyMs === null) return { at: s.at, bad: true, why: 'canary lost (not seen within its timeout)' };
  const bad = s.latencyMs > thresholdMs;
  return {
    at: s.at,
    bad,
    why: bad ? `canary ${s.latencyMs} ms > ${thresholdMs} ms` : `canary ${s.latencyMs} ms`,
  };
}

export function evidence(i: EvidenceInput): RuleSample[] {
  const out = i.canary.map((s) => canaryVerdict(s, i.thresholdMs));
  const o = i.observation;
  if (!o) return out;
  if (o.unreachable.length) {
    out.push({ at: i.now, bad: true, why: `${o.unreachable.join(', ')} unreachable` });
    return out;
  }
  if (!i.jobIsDirect) return out;
  const bad = o.states.find((s) => BAD_STATES.has(s));
  if (bad) out.push({ at: i.now, bad: true, why: `job ${bad}` });
  else if (!i.hasCanary && o.states.length && o.states.every((s) => GOOD_STATES.has(s)))
    out.push({ at: i.now, bad: false, why: 'job running' });
  return out;
}

/** The samples of `all` newer than `cursor` (null: all), oldest first. */
export function newSince(all: readonly CanarySample[], cursor: number | null): CanarySample[] {
  return all.filter((s) => cursor === null || s.at > cursor).sort((a, b) => a.at - b.at);
}

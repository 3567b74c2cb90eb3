/**
 * The degradation rule (#15), per direction: a pure state machine over samples of the DIRECT path.
 * Healthy -> degraded after `degradeAfter` (k) consecutive bad samples; degraded -> healthy after
 * `recoverAfter` (m) consecutive good ones. The counters reset on every sample of the other kind,
 * so with k, m >= 2 a direction alternating good and bad never switches (hysteresis: a flapping
 * link does not churn routes). Time is the samples' own (`at`, couchmesh's clock): no clock here.
 */
import type { RuleSample, RuleState } from './types.ts';

export interface RuleConfig {
  degradeAfter: number;
  recoverAfter: number;
}

export const initialRule = (now: number): RuleState => ({
  status: 'healthy',
  bad: 0,
  good: 0,
  since: now,
  reason: '',
  lastAt: null,
});

/** One sample (each counts once: the caller hands every sample over once, evidence.ts). */
export function stepRule(s: RuleState, sample: RuleSample, c: RuleConfig): RuleState {
  const lastAt = sample.at;
  if (s.status === 'healthy') {
    if (!sample.bad) return { ...s, bad: 0, lastAt };
    const bad = s.bad + 1;
    if (bad < c.degradeAfter) return { ...s, bad, lastAt };
    return { status: 'degraded', bad: 0, good: 0, since: sample.at, reason: sample.why, lastAt };
  }
  if (sample.bad) return { ...s, good: 0, reason: sample.why, lastAt };
  const good = s.good + 1;
  if (good < c.recoverAfter) return { ...s, good, lastAt };
  return { status: 'healthy', bad: 0, good: 0, since: sample.at, reason: '', lastAt };
}

/** Samples in the order given (evidence.ts orders them). */
export function stepAll(s: RuleState, samples: readonly RuleSample[], c: RuleConfig): RuleState {
  let out = s;
  for (const x of samples) out = stepRule(out, x, c);
  return out;
}

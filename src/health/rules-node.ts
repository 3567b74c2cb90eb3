/**
 * Node rules: unreachable (issue 6: "an unreachable node is itself a finding"), stale telemetry,
 * and reduced confidence (no scheduler API).
 */
import { isNoAnswer } from '../couch/errors.ts';
import { dur, iso, last, nodeFinding, trailingRun } from './finding.ts';
import { PLAYBOOK } from './playbook.ts';
import type { NodeMark } from './series-book.ts';
import type { Finding, HealthThresholds } from './types.ts';

/**
 * A node down for the trailing polls: `node-unreachable` when no answer came (couch/errors.ts `isNoAnswer`),
 * `node-erroring` when it answered its main telemetry read with an error. `series`: this node's polls
 * (snapshots, or their marks), oldest first.
 */
export function unreachableRule(node: string, series: readonly NodeMark[], now: number): Finding | null {
  const s = last(series);
  if (!s || s.reachable) return null;
  const answered = s.error !== undefined && !isNoAnswer(s.error.code);
  const run = trailingRun(series, (x) => !x.reachable);
  const since = run[0]?.at ?? s.at;
  const lastSeen = [...series].reverse().find((x) => x.reachable)?.at ?? null;
  const evidence = {
    failedPolls: run.length,
    [answered ? 'failingForMs' : 'unreachableForMs']: now - since,
    lastSeenAt: lastSeen,
    code: s.error?.code ?? null,
  };
  const what = answered ? 'answers its telemetry reads with errors' : 'is unreachable';
  const msg =
    `node ${node} ${what} (${s.error?.code ?? 'no answer'}: ${s.error?.message ?? ''}) for ` +
    `${dur(now - since)}, ${run.length} poll(s); last ${answered ? 'good poll' : 'seen'} ${iso(lastSeen)}`;
  return answered
    ? nodeFinding(node, 'node-erroring', 'critical', evidence, msg, PLAYBOOK.erroring)
    : nodeFinding(node, 'node-unreachable', 'critical', evidence, msg, PLAYBOOK.unreachable);
}

/** The newest snapshot is older than `staleAfterPolls` poll intervals, or there is none at all. */
export function staleRule(
  node: string,
  series: readonly NodeMark[],
  now: number,
  t: HealthThresholds,
): Finding | null {
  const s = last(series);
  const maxAge = t.staleAfterPolls * t.pollIntervalMs;
  const age = s ? now - s.at : null;
  if (age !== null && age <= maxAge) return null;
  const evidence = { ageMs: age, maxAgeMs: maxAge, lastPollAt: s?.at ?? null };
  const msg = s
    ? `telemetry of node ${node} is ${dur(age)} old (expected a poll every ${dur(t.pollIntervalMs)})`
    : `node ${node} has never been observed`;
  return nodeFinding(node, 'stale-telemetry', 'warning', evidence, msg, PLAYBOOK.stale);
}

export function reducedRule(node: string, series: readonly NodeMark[]): Finding | null {
  const s = last(series);
  if (!s?.reachable || s.confidence !== 'reduced') return null;
  const msg = `node ${node} has no _scheduler API: link health is judged from _replicator states only`;
  return nodeFinding(node, 'reduced-confidence', 'info', { docs: s.docs.length }, msg, PLAYBOOK.reduced);
}

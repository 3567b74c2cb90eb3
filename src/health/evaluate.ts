/**
 * Runs every health rule over a series of node snapshots: pure, with an injected `now`. The result
 * is sorted by finding key, so it does not depend on the order of the snapshots, links or nodes.
 */
import type { MeshLink } from '../observe/links.ts';
import type { NodeSnapshot } from '../observe/snapshot.ts';
import type { CheckpointPair } from '../observe/types.ts';
import { findingKey } from './diff.ts';
import type { DirectionRule } from './finding.ts';
import { checkpointIntegrityRule } from './rules-checkpoint.ts';
import { reducedRule, staleRule, unreachableRule } from './rules-node.ts';
import { lagRule, rescanStormRule, stalledRule, writesFailingRule } from './rules-progress.ts';
import { seqRegressionRule } from './rules-regression.ts';
import { crashingRule, docMissingRule, errorRule, failedRule, pendingRule } from './rules-state.ts';
import { byNode, directionSeries, type SeriesCache } from './series.ts';
import { type Finding, type HealthThresholds, withDefaults } from './types.ts';

export interface HealthInput {
  /** snapshots of every node, any number of polls, any order (keep at least `windowMs` of them) */
  snapshots: readonly NodeSnapshot[];
  links: readonly MeshLink[];
  /** checkpoint docs read on demand (doctor, checkpoint verify, or after a finding asked for them) */
  checkpoints?: readonly CheckpointPair[];
  /** reuse of direction states across calls (watch/poller.ts); results are the same without it */
  cache?: SeriesCache;
}

/** Direction rules, in the order `doctor` lists them. */
export const DIRECTION_RULES: readonly DirectionRule[] = [
  crashingRule,
  failedRule,
  errorRule,
  pendingRule,
  docMissingRule,
  stalledRule,
  writesFailingRule,
  seqRegressionRule,
  rescanStormRule,
  lagRule,
];

function nodeNames(input: HealthInput): string[] {
  const names = new Set(input.snapshots.map((s) => s.node));
  for (const l of input.links) for (const d of l.directions) names.add(d.from).add(d.to).add(d.docNode);
  return [...names].sort();
}

export function evaluateHealth(
  input: HealthInput,
  now: number,
  thresholds: Partial<HealthThresholds> = {},
): Finding[] {
  const t = withDefaults(thresholds);
  const nodes = byNode(input.snapshots, now);
  const out = new Map<string, Finding>();
  const add = (f: Finding | null) => {
    if (f) out.set(findingKey(f), f);
  };
  for (const name of nodeNames(input)) {
    const series = nodes.get(name) ?? [];
    add(unreachableRule(name, series, now));
    add(staleRule(name, series, now, t));
    add(reducedRule(name, series));
  }
  for (const link of input.links) {
    for (const ref of link.directions) {
      const series = directionSeries(nodes, link, ref, t.pollIntervalMs / 2, input.cache);
      if (series.length === 0) continue;
      const docNode = nodes.get(ref.docNode)?.at(-1);
      for (const rule of DIRECTION_RULES) add(rule({ link, ref, series, docNode, now, t }));
    }
  }
  for (const pair of input.checkpoints ?? []) add(checkpointIntegrityRule(pair));
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
}

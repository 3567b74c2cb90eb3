/**
 * Runs every health rule over a series of node snapshots: pure, with an injected `now`. The result
 * is sorted by finding key, so it does not depend on the order of the snapshots, links or nodes.
 * `judgeSeries` is the same over series already built (the poller's SeriesBook keeps them between
 * polls instead of raw snapshots).
 */
import type { DirectionRef, MeshLink } from '../observe/links.ts';
import type { DirectionState, NodeSnapshot } from '../observe/snapshot.ts';
import type { CheckpointPair } from '../observe/types.ts';
import { findingKey } from './diff.ts';
import type { DirectionRule } from './finding.ts';
import { checkpointIntegrityRule } from './rules-checkpoint.ts';
import { handoffRule, memberDownRule, unassignedRule } from './rules-cluster.ts';
import { reducedRule, staleRule, unreachableRule } from './rules-node.ts';
import { lagRule, rescanStormRule, stalledRule, writesFailingRule } from './rules-progress.ts';
import { seqRegressionRule } from './rules-regression.ts';
import { crashingRule, docMissingRule, errorRule, failedRule, pendingRule } from './rules-state.ts';
import { byNode, directionSeries } from './series.ts';
import type { NodeMark } from './series-book.ts';
import { type Finding, type HealthThresholds, withDefaults } from './types.ts';

export interface HealthInput {
  /** snapshots of every node, any number of polls, any order (keep at least `windowMs` of them) */
  snapshots: readonly NodeSnapshot[];
  links: readonly MeshLink[];
  /** checkpoint docs read on demand (doctor, checkpoint verify, or after a finding asked for them) */
  checkpoints?: readonly CheckpointPair[];
}

/** Series already built: what every rule reads. */
export interface SeriesView {
  /** every node to judge, sorted */
  nodeNames: readonly string[];
  /** a node's polls up to now, oldest first */
  marks(node: string): readonly NodeMark[];
  /** every direction of the mesh, in link order */
  directions: Iterable<{
    link: MeshLink;
    ref: DirectionRef;
    series: readonly DirectionState[];
    /** latest snapshot of the planned doc node */
    docNode: NodeSnapshot | undefined;
  }>;
  checkpoints?: readonly CheckpointPair[];
}

/** Direction rules, in the order `doctor` lists them. */
export const DIRECTION_RULES: readonly DirectionRule[] = [
  crashingRule,
  failedRule,
  errorRule,
  pendingRule,
  docMissingRule,
  unassignedRule,
  handoffRule,
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
  function* directions() {
    for (const link of input.links)
      for (const ref of link.directions) {
        const series = directionSeries(nodes, link, ref, t.pollIntervalMs / 2);
        yield { link, ref, series, docNode: nodes.get(ref.docNode)?.at(-1) };
      }
  }
  const view: SeriesView = {
    nodeNames: nodeNames(input),
    marks: (name) => nodes.get(name) ?? [],
    directions: directions(),
    ...(input.checkpoints ? { checkpoints: input.checkpoints } : {}),
  };
  return judgeSeries(view, now, t);
}

/** Every rule over built series; sorted by finding key. */
export function judgeSeries(view: SeriesView, now: number, t: HealthThresholds): Finding[] {
  const out = new Map<string, Finding>();
  const add = (f: Finding | null) => {
    if (f) out.set(findingKey(f), f);
  };
  for (const name of view.nodeNames) {
    const series = view.marks(name);
    add(unreachableRule(name, series, now));
    add(staleRule(name, series, now, t));
    add(reducedRule(name, series));
    add(memberDownRule(name, series, now));
  }
  for (const { link, ref, series, docNode } of view.directions) {
    if (series.length === 0) continue;
    for (const rule of DIRECTION_RULES) add(rule({ link, ref, series, docNode, now, t }));
  }
  for (const pair of view.checkpoints ?? []) add(checkpointIntegrityRule(pair));
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
}

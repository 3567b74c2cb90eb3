import type { DirectionRef, MeshLink } from '../observe/links.ts';
import type { DirectionState, NodeSnapshot } from '../observe/snapshot.ts';
import type { Evidence, Finding, HealthThresholds, RuleId, Severity } from './types.ts';

/** What a direction rule sees: the direction's time series (oldest first) and the clock. */
export interface DirectionContext {
  link: MeshLink;
  ref: DirectionRef;
  /** observations of this direction, oldest first; the last one is the current state */
  series: readonly DirectionState[];
  /** latest snapshot of the node holding the doc (for its `_stats` gauges) */
  docNode: NodeSnapshot | undefined;
  now: number;
  t: HealthThresholds;
}

export type DirectionRule = (ctx: DirectionContext) => Finding | null;

export function dirFinding(
  s: DirectionState,
  rule: RuleId,
  severity: Severity,
  evidence: Evidence,
  message: string,
  playbook: string,
): Finding {
  return {
    rule,
    severity,
    link: s.link,
    direction: s.direction,
    db: s.db,
    node: null,
    evidence,
    message,
    playbook,
  };
}

export function nodeFinding(
  node: string,
  rule: RuleId,
  severity: Severity,
  evidence: Evidence,
  message: string,
  playbook: string,
): Finding {
  return { rule, severity, link: null, direction: null, db: null, node, evidence, message, playbook };
}

/** The last element, typed. */
export const last = <T>(xs: readonly T[]): T | undefined => xs[xs.length - 1];

/** The longest suffix of `xs` whose elements all satisfy `pred`. */
export function trailingRun<T>(xs: readonly T[], pred: (x: T) => boolean): T[] {
  let i = xs.length;
  while (i > 0 && pred(xs[i - 1] as T)) i--;
  return xs.slice(i);
}

/** `2026-11-27T15:30:32Z` for messages; `?` when unknown. */
export const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '?' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Human duration for messages: 45s, 12m, 3.5h. */
export function dur(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '?';
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

/** `n1->n2 (sensors)`: how messages name a direction. */
export const label = (s: DirectionState) => `${s.direction} (${s.db})`;

import { sortByWinner, winnerOrder } from '../../couchdb/winner.ts';
import { getPath } from '../json.ts';
import type { Leaf } from '../leaf.ts';
import { decline, merged, type StrategyOutcome } from '../strategy.ts';
import { toTime } from './time.ts';

export interface LwwSettings {
  /** Dotted path of the timestamp field (ISO string or epoch number). */
  timestamp: string;
  /** A leaf without a usable timestamp: counts as the oldest (default), or makes the strategy decline. */
  missing: 'oldest' | 'decline';
}

const inWinnerOrder = (leaves: readonly Leaf[]) => {
  for (let i = 1; i < leaves.length; i++)
    if (winnerOrder(leaves[i - 1] as Leaf, leaves[i] as Leaf) > 0) return false;
  return true;
};

/** The last writer, or why there is none (see {@link lww}). */
export function latestLeaf(leaves: readonly Leaf[], s: LwwSettings): { leaf: Leaf } | { reason: string } {
  let best: { leaf: Leaf; t: number } | undefined;
  let timed = 0;
  let untimed: Leaf | undefined;
  // in winner order, replacing only on a strictly later time: ties go to CouchDB's winner. The resolver
  // hands leaves over in that order already: checked (one comparison per pair), not sorted again
  for (const leaf of inWinnerOrder(leaves) ? leaves : sortByWinner(leaves)) {
    let t = toTime(getPath(leaf.body, s.timestamp));
    if (t === undefined) {
      untimed ??= leaf;
      t = Number.NEGATIVE_INFINITY;
    } else timed++;
    if (!best || t > best.t) best = { leaf, t };
  }
  if (!best) return { reason: 'no live leaves' };
  // a field no leaf has is a mistyped setting, not a conflict between writers: falling back to
  // CouchDB's winner would silently delete every other leaf
  if (timed === 0)
    return {
      reason: `no leaf has a usable timestamp in '${s.timestamp}' (ISO string or epoch number): is the field name right?`,
    };
  if (untimed && s.missing === 'decline')
    return { reason: `leaf ${untimed.rev} has no usable '${s.timestamp}'` };
  return { leaf: best.leaf };
}

/**
 * Last writer wins: the leaf with the latest timestamp; equal (or missing) timestamps are broken by
 * CouchDB's winner order (higher rev position, then greater rev id), so the choice is the same on
 * every node whatever order the leaves come in.
 */
export function lww(leaves: readonly Leaf[], s: LwwSettings): StrategyOutcome {
  const r = latestLeaf(leaves, s);
  return 'leaf' in r ? merged(r.leaf.body) : decline(r.reason);
}

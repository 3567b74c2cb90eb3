/**
 * CouchDB's winning revision (couch_doc:to_doc_info_path/1): leaves sorted descending by
 * {not deleted, pos, rev-id bytes}, so a live leaf beats any deleted one, then the longer path
 * (higher pos), then the greater rev id. The one order for the node's trees and the resolver's leaves.
 */
import { compareRevs } from './rev.ts';

/** A leaf as the order needs it: its `N-id` rev and whether it is a tombstone. */
export interface WinnerCandidate {
  rev: string;
  deleted?: boolean;
}

/** Negative when `a` wins over `b` (sort with it: winner first). */
export function winnerOrder(a: WinnerCandidate, b: WinnerCandidate): number {
  if (!!a.deleted !== !!b.deleted) return a.deleted ? 1 : -1;
  return compareRevs(b.rev, a.rev);
}

/** The leaves sorted winner first (a copy). */
export function sortByWinner<T extends WinnerCandidate>(leaves: readonly T[]): T[] {
  return [...leaves].sort(winnerOrder);
}

/** The winner of a leaf set (undefined when empty). */
export function winnerOf<T extends WinnerCandidate>(leaves: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const l of leaves) if (!best || winnerOrder(l, best) < 0) best = l;
  return best;
}

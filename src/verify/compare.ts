/**
 * The diff of two nodes' documents (in a bucket whose digests differ), and the per-pair tally a
 * report shows: counts plus the first N ids of each kind, and — for `--repair` — every id that each
 * direction has to carry.
 *
 * Kinds are disjoint: `missing` (one node has no revision of the id at all, tombstones included),
 * `winner` (both hold the id, their winning revision or its deleted flag differ: readers see
 * different documents), `leaves` (same winner, different leaf sets: a conflict or a deleted branch
 * on one node only). CouchDB picks the winner from the leaves alone (live before deleted, higher
 * position, higher rev id), so equal leaf sets always mean an equal winner.
 */
import type { DocLeaves } from './digest.ts';

export type DiffKind = 'missing_on_a' | 'missing_on_b' | 'winners' | 'leaves';

export interface DocDiff {
  id: string;
  kind: DiffKind;
  /** a holds a leaf b does not (a -> b would carry something) */
  aToB: boolean;
  bToA: boolean;
}

const hasLeafNotIn = (x: DocLeaves, y: DocLeaves) => x.leaves.some((r) => !y.leaves.includes(r));

/** How two nodes' versions of one id differ, or undefined when they agree. */
export function diffDoc(id: string, a: DocLeaves | undefined, b: DocLeaves | undefined): DocDiff | undefined {
  if (!a && !b) return undefined;
  if (!a) return { id, kind: 'missing_on_a', aToB: false, bToA: true };
  if (!b) return { id, kind: 'missing_on_b', aToB: true, bToA: false };
  const winners = a.winner !== b.winner || a.deleted !== b.deleted;
  const leaves = a.leaves.length !== b.leaves.length || a.leaves.some((r, i) => r !== b.leaves[i]);
  if (!winners && !leaves) return undefined;
  // a leaf of one side may be an ancestor on the other (it is ahead): the replicator's _revs_diff
  // then finds nothing to send that way, so proposing the direction costs one empty pass at most
  return { id, kind: winners ? 'winners' : 'leaves', aToB: hasLeafNotIn(a, b), bToA: hasLeafNotIn(b, a) };
}

/** A count and the first ids (ascending within each pass-2 round; one round unless the divergence is large). */
export interface IdList {
  count: number;
  ids: string[];
}

export interface PairTally {
  missing_on_a: IdList;
  missing_on_b: IdList;
  winners: IdList;
  leaves: IdList;
}

/** Every id each direction has to carry (kept only for a repair: it grows with the divergence). */
export interface RepairIds {
  aToB: string[];
  bToA: string[];
}

export const emptyTally = (): PairTally => ({
  missing_on_a: { count: 0, ids: [] },
  missing_on_b: { count: 0, ids: [] },
  winners: { count: 0, ids: [] },
  leaves: { count: 0, ids: [] },
});

export const divergentCount = (t: PairTally): number =>
  t.missing_on_a.count + t.missing_on_b.count + t.winners.count + t.leaves.count;

/** Adds a diff to a tally (first `firstN` ids per kind) and, when given, to the repair lists. */
export function tally(t: PairTally, d: DocDiff, firstN: number, repair?: RepairIds): void {
  const list = t[d.kind];
  list.count++;
  if (list.ids.length < firstN) list.ids.push(d.id);
  if (repair) {
    if (d.aToB) repair.aToB.push(d.id);
    if (d.bToA) repair.bToA.push(d.id);
  }
}

/** Diffs two nodes' documents of the same buckets, ids ascending. */
export function diffMaps(
  a: ReadonlyMap<string, DocLeaves>,
  b: ReadonlyMap<string, DocLeaves>,
  keep: (id: string) => boolean = () => true,
): DocDiff[] {
  const ids = new Set<string>();
  for (const id of a.keys()) if (keep(id)) ids.add(id);
  for (const id of b.keys()) if (keep(id)) ids.add(id);
  const out: DocDiff[] = [];
  for (const id of [...ids].sort()) {
    const d = diffDoc(id, a.get(id), b.get(id));
    if (d) out.push(d);
  }
  return out;
}

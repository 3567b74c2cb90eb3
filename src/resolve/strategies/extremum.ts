import { sortByWinner } from '../../couchdb/winner.ts';
import { getPath, numericValue } from '../json.ts';
import type { Leaf } from '../leaf.ts';
import { decline, merged, type StrategyOutcome } from '../strategy.ts';

export interface ExtremumSettings {
  /** Dotted path of a numeric field. */
  field: string;
}

/**
 * `max` / `min`: the leaf whose numeric `field` is the largest / smallest (a version counter, a
 * high-water mark). Leaves without a number there cannot win; ties go to CouchDB's winner order.
 * Declines when no leaf has a number in the field.
 */
export function extremum(leaves: readonly Leaf[], s: ExtremumSettings, mode: 'max' | 'min'): StrategyOutcome {
  let best: { leaf: Leaf; v: number } | undefined;
  for (const leaf of sortByWinner(leaves)) {
    const v = numericValue(getPath(leaf.body, s.field));
    if (v === undefined || !Number.isFinite(v)) continue;
    if (!best || (mode === 'max' ? v > best.v : v < best.v)) best = { leaf, v };
  }
  if (!best) return decline(`no leaf has a number in '${s.field}'`);
  return merged(best.leaf.body);
}

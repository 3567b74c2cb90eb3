import { sortByWinner, winnerOf } from '../../couchdb/winner.ts';
import { canonicalText, copyJson, getPath, type Json, setPath } from '../json.ts';
import type { Leaf } from '../leaf.ts';
import { decline, merged, type StrategyOutcome } from '../strategy.ts';
import { latestLeaf } from './lww.ts';

export interface UnionSettings {
  /** Dotted paths of set-like arrays: the merged array holds every element of every leaf, once. */
  fields: string[];
  /** The other fields come from the last writer by this timestamp; without it, from CouchDB's winner. */
  timestamp?: string;
}

/**
 * Set-like arrays are unioned: the base leaf's elements first, then new elements from the other
 * leaves in CouchDB's winner order, each element once (equal JSON, any key order). `null` or a
 * missing field adds nothing. Removals cannot be expressed by a union: a removed element that another
 * leaf still holds comes back.
 */
export function union(leaves: readonly Leaf[], s: UnionSettings): StrategyOutcome {
  let base: Leaf | undefined;
  if (s.timestamp) {
    const r = latestLeaf(leaves, { timestamp: s.timestamp, missing: 'oldest' });
    if ('reason' in r) return decline(r.reason);
    base = r.leaf;
  } else base = winnerOf(leaves);
  if (!base) return decline('no live leaves');
  const ordered = [base, ...sortByWinner(leaves.filter((l) => l !== base))];
  const out = copyJson(base.body);
  for (const f of s.fields) {
    const items: Json[] = [];
    const seen = new Set<string>();
    let any = false;
    for (const leaf of ordered) {
      const v = getPath(leaf.body, f);
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v)) return decline(`'${f}' of leaf ${leaf.rev} is not an array`);
      any = true;
      for (const x of v) {
        const key = canonicalText(x);
        if (!seen.has(key)) {
          seen.add(key);
          items.push(x);
        }
      }
    }
    if (any) setPath(out, f, items);
  }
  return merged(out);
}

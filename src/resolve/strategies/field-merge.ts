import { sortByWinner } from '../../couchdb/winner.ts';
import { isObject, type Json, type JsonObject } from '../json.ts';
import type { Leaf } from '../leaf.ts';
import { decline, merged, type StrategyOutcome } from '../strategy.ts';
import { toTime } from './time.ts';

export interface FieldMergeSettings {
  /** Top-level field holding `{ field: timestamp }`: when each field was last written. */
  timestamps: string;
}

/**
 * Per-field last writer wins. For every top-level field, the value comes from the leaf with the
 * latest timestamp for that field in its timestamp map; ties (and fields no leaf timestamps) go to
 * CouchDB's winner order. Fields added on any side are kept (union of added keys). A leaf that has a
 * timestamp for a field but not the field removed it: when that timestamp is the latest, the field is
 * left out. The merged timestamp map holds the latest timestamp of every field.
 */
export function fieldMerge(leaves: readonly Leaf[], s: FieldMergeSettings): StrategyOutcome {
  if (leaves.length === 0) return decline('no live leaves');
  const ordered = sortByWinner(leaves);
  let anyMap = false;
  const maps = new Map<Leaf, JsonObject>();
  for (const leaf of ordered) {
    const m = leaf.body[s.timestamps];
    if (m === undefined) maps.set(leaf, {});
    else if (isObject(m)) {
      anyMap = true;
      maps.set(leaf, m);
    } else return decline(`'${s.timestamps}' of leaf ${leaf.rev} is not an object of timestamps`);
  }
  const keys = new Set<string>();
  for (const leaf of ordered) {
    for (const k of Object.keys(leaf.body)) if (k !== s.timestamps) keys.add(k);
    for (const k of Object.keys(maps.get(leaf) as JsonObject)) keys.add(k);
  }
  const out: JsonObject = {};
  const times: JsonObject = {};
  for (const k of [...keys].sort()) {
    let best: { leaf: Leaf; t: number; raw: Json | undefined } | undefined;
    for (const leaf of ordered) {
      const raw = (maps.get(leaf) as JsonObject)[k];
      const t = toTime(raw);
      if (!Object.hasOwn(leaf.body, k) && t === undefined) continue;
      const tt = t ?? Number.NEGATIVE_INFINITY;
      // strictly later only: on a tie the earlier leaf in winner order keeps the field
      if (!best || tt > best.t) best = { leaf, t: tt, raw: t === undefined ? undefined : raw };
    }
    if (!best) continue;
    if (Object.hasOwn(best.leaf.body, k)) out[k] = best.leaf.body[k] as Json;
    if (best.raw !== undefined) times[k] = best.raw;
  }
  if (anyMap) out[s.timestamps] = times;
  return merged(out);
}

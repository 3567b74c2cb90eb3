/**
 * Finding identity and the raised / resolved diff that alerting deduplicates on. A finding is the
 * same finding while its rule, link, database, direction and node are the same: its numbers and
 * message may change from poll to poll without re-alerting.
 */
import type { Finding } from './types.ts';

/** `rule|link|db|direction|node`, empty parts for what does not apply. */
export const findingKey = (f: Finding) =>
  [f.rule, f.link ?? '', f.db ?? '', f.direction ?? '', f.node ?? ''].join('|');

export interface FindingDiff {
  /** new keys */
  raised: Finding[];
  /** keys gone: the previous finding, for the "resolved" notification */
  resolved: Finding[];
  /** same key and severity (the next finding, with its fresh evidence) */
  unchanged: Finding[];
  /** same key, different severity (escalated or eased): the next finding */
  changed: Array<{ from: Finding; to: Finding }>;
}

const SORT = (a: Finding, b: Finding) => {
  const ka = findingKey(a);
  const kb = findingKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

export function diffFindings(prev: readonly Finding[], next: readonly Finding[]): FindingDiff {
  const before = new Map(prev.map((f) => [findingKey(f), f]));
  const after = new Map(next.map((f) => [findingKey(f), f]));
  const out: FindingDiff = { raised: [], resolved: [], unchanged: [], changed: [] };
  for (const [k, f] of after) {
    const old = before.get(k);
    if (!old) out.raised.push(f);
    else if (old.severity !== f.severity) out.changed.push({ from: old, to: f });
    else out.unchanged.push(f);
  }
  for (const [k, f] of before) if (!after.has(k)) out.resolved.push(f);
  out.raised.sort(SORT);
  out.resolved.sort(SORT);
  out.unchanged.sort(SORT);
  out.changed.sort((a, b) => SORT(a.to, b.to));
  return out;
}

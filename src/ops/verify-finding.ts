/**
 * The controller's `divergence` finding: one per divergent pair and database of a verify report,
 * with the evidence (counts per kind, the first ids) and the step that fixes it. A pair that could
 * not be compared raises nothing here: its unreachable node has the poller's own finding.
 */
import type { Finding } from '../health/types.ts';
import type { PairResult } from '../verify/database.ts';
import type { VerifyReport } from './verify.ts';

const firstIds = (p: PairResult) =>
  [...p.missing_on_a.ids, ...p.missing_on_b.ids, ...p.winners.ids, ...p.leaves.ids].slice(0, 10).join(', ');

export function divergenceFindings(r: VerifyReport): Finding[] {
  const out: Finding[] = [];
  for (const d of r.databases)
    for (const p of d.pairs) {
      if (p.state !== 'divergent') continue;
      const link = [p.a, p.b].sort().join('--');
      const parts = [
        p.missing_on_b.count ? `${p.missing_on_b.count} missing on ${p.b}` : '',
        p.missing_on_a.count ? `${p.missing_on_a.count} missing on ${p.a}` : '',
        p.winners.count ? `${p.winners.count} with other winners` : '',
        p.leaves.count ? `${p.leaves.count} with other leaf sets` : '',
      ].filter(Boolean);
      out.push({
        rule: 'divergence',
        severity: 'warning',
        link,
        direction: null,
        db: d.db,
        node: null,
        evidence: {
          [`missing_on_${p.a}`]: p.missing_on_a.count,
          [`missing_on_${p.b}`]: p.missing_on_b.count,
          winners_differ: p.winners.count,
          leaves_differ: p.leaves.count,
          first_ids: firstIds(p),
        },
        message: `${d.db} differs between ${p.a} and ${p.b}: ${parts.join(', ')}`,
        playbook: `couchmesh verify --db ${d.db} --nodes ${p.a},${p.b} names the documents; --repair replicates exactly those along the mesh's directions`,
      });
    }
  return out;
}

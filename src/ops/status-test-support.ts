/**
 * Status reports for the view and filter tests: the seed-like mesh n1..n4 with `n` links, each a
 * direction pair on `sensors`; directions listed in `states` get that state (and a crashing one a
 * critical finding, as the crashing rule reports it).
 */
import type { Finding } from '../health/types.ts';
import type { DirectionRow, StatusReport } from './status.ts';

export function row(
  link: string,
  direction: string,
  state = 'running',
  reason: string | null = null,
): DirectionRow {
  const [from, to] = direction.split('->') as [string, string];
  return {
    link,
    db: 'sensors',
    direction,
    from,
    to,
    doc_node: to,
    state,
    reason,
    error_count: state === 'crashing' ? 3 : 0,
    next_retry_at: null,
    lag_estimate: 0,
    lag_heuristic: true,
    changes_pending: 0,
    docs_written: 1200,
    docs_written_per_s: 3.5,
    doc_write_failures: 0,
    checkpointed_seq: '12-g1AAAAB',
    checkpoint_age_ms: 4000,
    checkpoint_age_basis: 'checkpoint-doc',
    rep_id: 'abc+continuous',
    confidence: 'full',
  };
}

export const finding = (
  d: Pick<DirectionRow, 'link' | 'db' | 'direction'> | { node: string },
  rule: Finding['rule'],
  severity: Finding['severity'],
): Finding => ({
  rule,
  severity,
  link: 'link' in d ? d.link : null,
  db: 'db' in d ? d.db : null,
  direction: 'direction' in d ? d.direction : null,
  node: 'node' in d ? d.node : null,
  evidence: {},
  message: `${rule} ${'direction' in d ? d.direction : d.node}`,
  playbook: 'look',
});

/** Links n1--n2, n1--n3, ... among `nodes` nodes (all pairs), both directions each. */
export function meshReport(nodes: number, states: Record<string, string> = {}): StatusReport {
  const names = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const directions: DirectionRow[] = [];
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [names[i] as string, names[j] as string];
      for (const dir of [`${a}->${b}`, `${b}->${a}`]) {
        const st = states[dir] ?? 'running';
        directions.push(
          row(
            `${a}--${b}`,
            dir,
            st,
            st === 'crashing' ? 'db_not_found: could not open target database' : null,
          ),
        );
      }
    }
  const findings = directions
    .filter((d) => d.state === 'crashing')
    .map((d) => finding(d, 'crashing', 'critical'));
  const byState: Record<string, number> = {};
  for (const d of directions) byState[d.state] = (byState[d.state] ?? 0) + 1;
  return {
    mesh: 'seed',
    file: 'mesh.yaml',
    at: '2026-11-27T16:00:00.000Z',
    poll: 3,
    summary: {
      nodes: names.length,
      nodes_reachable: names.length,
      directions: directions.length,
      by_state: byState,
      findings: { critical: findings.length, warning: 0, info: 0 },
      requests: names.length * 3,
      poll_ms: 12,
    },
    nodes: names.map((node) => ({ node, reachable: true, confidence: 'full', docs: 3, requests: 3 })),
    directions,
    findings,
  };
}

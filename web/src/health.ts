/**
 * The colour of an arrow: one word per direction from its status row, its endpoints' reachability
 * and its open findings. Red (`bad`) for a job that is crashing / failed / in error, a critical
 * finding, or an endpoint that does not answer; amber (`warn`) for warnings, pending or missing
 * jobs; green (`ok`) running or completed; grey (`unknown`) before the first poll.
 */
import type { GraphDirection } from '../../src/controller/view.ts';
import type { Finding } from '../../src/health/types.ts';
import type { DirectionRow, StatusReport } from '../../src/ops/status.ts';

export type Health = 'ok' | 'warn' | 'bad' | 'unknown';

const BAD_STATES = new Set(['crashing', 'failed', 'error']);
const OK_STATES = new Set(['running', 'completed']);

const rowIndex = new WeakMap<StatusReport, Map<string, DirectionRow>>();

/** The status row of a direction (indexed once per report: big meshes have 10,000 directions). */
export function rowOf(status: StatusReport | null, d: GraphDirection): DirectionRow | null {
  if (!status) return null;
  let index = rowIndex.get(status);
  if (!index) {
    index = new Map(status.directions.map((r) => [`${r.direction}|${r.db}`, r]));
    rowIndex.set(status, index);
  }
  return index.get(`${d.direction}|${d.db}`) ?? null;
}

export function findingsOf(findings: readonly Finding[], d: GraphDirection): Finding[] {
  return findings.filter((f) => f.direction === d.direction && (f.db === null || f.db === d.db));
}

/** The direction's findings and those of the nodes it runs through (the diagnosis of its panel). */
export function diagnosisOf(findings: readonly Finding[], d: GraphDirection): Finding[] {
  const nodes = new Set([d.from, d.to, ...d.via]);
  return [...findingsOf(findings, d), ...findings.filter((f) => f.node !== null && nodes.has(f.node))];
}

/** What the panel's badge says. */
export const HEALTH_WORD: Record<Health, string> = {
  ok: 'healthy',
  warn: 'warning',
  bad: 'critical',
  unknown: 'unknown',
};

export function unreachableNodes(status: StatusReport | null, findings: readonly Finding[]): Set<string> {
  const out = new Set(status?.nodes.filter((n) => !n.reachable).map((n) => n.node));
  for (const f of findings)
    if ((f.rule === 'node-unreachable' || f.rule === 'node-erroring') && f.node) out.add(f.node);
  return out;
}

/** How a down node is named: `failing` when it answers with errors, `unreachable` otherwise (no answer). */
export function downWord(findings: readonly Finding[], node: string): string {
  return findings.some((f) => f.rule === 'node-erroring' && f.node === node) ? 'failing' : 'unreachable';
}

export function directionHealth(
  d: GraphDirection,
  row: DirectionRow | null,
  findings: readonly Finding[],
  unreachable: ReadonlySet<string>,
): Health {
  if ([d.from, d.to, ...d.via].some((n) => unreachable.has(n))) return 'bad';
  const own = findingsOf(findings, d);
  if (own.some((f) => f.severity === 'critical') || (row && BAD_STATES.has(row.state))) return 'bad';
  if (!row) return own.length ? 'warn' : 'unknown';
  if (own.some((f) => f.severity === 'warning') || !OK_STATES.has(row.state)) return 'warn';
  return 'ok';
}

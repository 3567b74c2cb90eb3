/** Human view of a status report (one line per link direction) and of alert transitions. */
import type { AlertEvent } from '../../alerts/types.ts';
import { dur, iso } from '../../health/finding.ts';
import type { DirectionRow, StatusReport } from '../../ops/status.ts';
import { findingLine, type Paint, stateColour, table } from './paint.ts';

const num = (n: number | null, prefix = '') => (n === null ? '?' : `${prefix}${n}`);

/** The first line: nodes up, directions by state, findings (always the whole mesh). */
export function summaryLine(r: StatusReport, p: Paint): string {
  return summaryParts(r, p).join('');
}

/** The summary in three parts: mesh + nodes + directions by state, findings, the poll's cost. */
export function summaryParts(r: StatusReport, p: Paint): [string, string, string] {
  const s = r.summary;
  const states = Object.entries(s.by_state)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => stateColour(p, k)(`${n} ${k}`))
    .join(', ');
  const f = s.findings;
  const findings = [
    f.critical ? p.red(`${f.critical} critical`) : '0 critical',
    f.warning ? p.yellow(`${f.warning} warning`) : '0 warning',
    `${f.info} info`,
  ].join(', ');
  const down = r.nodes.filter((n) => !n.reachable).map((n) => n.node);
  return [
    `${p.bold(`mesh ${r.mesh}: ${s.nodes_reachable}/${s.nodes} nodes up${down.length ? ` (down: ${down.join(', ')})` : ''}, ${s.directions} directions: `)}${states || 'none'}`,
    ` — findings: ${findings}`,
    p.grey(`  (poll #${r.poll} at ${iso(Date.parse(r.at))}: ${s.requests} requests, ${s.poll_ms} ms)`),
  ];
}

/** What a filter hid, one line (null when nothing was filtered). */
export function filterLine(r: StatusReport, p: Paint): string | null {
  const f = r.filtered;
  if (!f) return null;
  const by = [
    f.problems ? 'problems' : '',
    f.links.length ? `link ${f.links.join(', ')}` : '',
    f.states.length ? `state ${f.states.join(', ')}` : '',
  ].filter(Boolean);
  return p.grey(
    `filtered (${by.join('; ')}): ${f.shown.directions} of ${r.summary.directions} directions, ${f.shown.findings} findings shown; the summary counts everything`,
  );
}

export const STATUS_HEADER = [
  'LINK',
  'DB',
  'DIRECTION',
  'STATE',
  'LAG',
  'PENDING',
  'WRITTEN',
  'FAILURES',
  'CKPT AGE',
  'REASON',
] as const;

/** The plain-text cells of one direction, in STATUS_HEADER order. */
export function directionCells(d: DirectionRow): string[] {
  const written =
    d.docs_written === null
      ? '?'
      : `${d.docs_written}${d.docs_written_per_s !== null ? ` (${d.docs_written_per_s}/s)` : ''}`;
  const age =
    d.checkpoint_age_ms === null
      ? '?'
      : `${d.checkpoint_age_basis === 'observed' ? '≥' : ''}${dur(d.checkpoint_age_ms)}`;
  const reason = d.reason
    ? `${d.reason}${d.error_count ? ` (${d.error_count} crash${d.error_count === 1 ? '' : 'es'}${d.next_retry_at ? `, retry ≥ ${iso(Date.parse(d.next_retry_at))}` : ''})` : ''}`
    : d.confidence === 'reduced'
      ? 'reduced confidence (no _scheduler API)'
      : '';
  return [
    d.link,
    d.db,
    d.direction,
    d.state,
    num(d.lag_estimate, '~'),
    num(d.changes_pending),
    written,
    num(d.doc_write_failures),
    age,
    reason,
  ];
}

/** Colour of a cell of column `header` (applied after padding). */
export function cellColour(p: Paint, d: DirectionRow, header: string, text: string): string {
  if (header === 'STATE') return stateColour(p, d.state)(text);
  if (header === 'FAILURES' && (d.doc_write_failures ?? 0) > 0) return p.yellow(text);
  if (header === 'REASON') return p.red(text);
  return text;
}

export const LAG_LEGEND =
  'LAG ~: source update_seq − checkpointed_source_seq by seq prefix (a heuristic); ≥: a lower bound';

/** Findings worth a line (stale telemetry at info level is the poll's own noise). */
export const shownFindings = (r: StatusReport) =>
  r.findings.filter((x) => x.severity !== 'info' || x.rule !== 'stale-telemetry');

/** The CANARY cell (FAILOVER): the newest canary latency of the direction's node pair, `lost` when it did not arrive. */
const canaryCell = (d: DirectionRow) =>
  d.canary_ms === undefined ? '' : d.canary_ms === null ? 'lost' : `${Math.round(d.canary_ms)} ms`;

/** The MEMBER cell: the cluster member running the direction's job; who should, when its owner is down. */
export const memberCell = (d: DirectionRow) =>
  d.cluster_node ?? (d.state === 'unassigned' ? '(owner down)' : '');

/** A MEMBER column (after STATE) only when a direction's doc lives on a cluster node. */
export const hasMemberColumn = (r: StatusReport) =>
  r.directions.some((d) => d.cluster_node !== undefined || d.state === 'unassigned');

/** One line per cluster node: its members, the one that answered, those down, and side reads dropped this poll (any node). */
export function clusterLines(r: StatusReport, p: Paint): string[] {
  const out: string[] = [];
  for (const n of r.nodes) {
    // a node with `members:`: the member URL the control plane's reads went to (it fails over)
    const by = n.member ? `reads answered by ${n.member}` : '';
    if (n.cluster_members) {
      const down = n.members_down?.length ? p.red(`, down: ${n.members_down.join(', ')}`) : '';
      out.push(
        `${n.node}: cluster of ${n.cluster_members.length} members (${n.cluster_members.join(', ')})${by ? `, ${by}` : ''}${down}`,
      );
    } else if (by) out.push(`${n.node}: ${by}`);
    for (const x of n.notes ?? [])
      out.push(
        p.yellow(`${n.node}: ${x.read} not read this poll (${x.code}: ${x.message}); its data is left out`),
      );
  }
  return out;
}

export function renderStatus(r: StatusReport, p: Paint): string {
  const filtered = filterLine(r, p);
  const cluster = clusterLines(r, p);
  const lines = [summaryLine(r, p), ...(filtered ? [filtered] : []), ...cluster, ''];
  // with the mesh's canary on, a CANARY column before REASON; with a cluster node, MEMBER after STATE
  const canary = r.directions.some((d) => d.canary_ms !== undefined);
  const member = hasMemberColumn(r);
  const at = STATUS_HEADER.indexOf('STATE') + 1;
  const shape = (cells: string[], extra: { member: string; canary: string }) => {
    const out = canary ? [...cells.slice(0, -1), extra.canary, cells.at(-1) as string] : [...cells];
    if (member) out.splice(at, 0, extra.member);
    return out;
  };
  const header = shape([...STATUS_HEADER], { member: 'MEMBER', canary: 'CANARY' });
  const body = r.directions.map((d) =>
    shape(directionCells(d), { member: memberCell(d), canary: canaryCell(d) }),
  );
  lines.push(
    ...table([header, ...body], (ri, ci, text) => {
      if (ri === 0) return p.bold(text);
      const d = r.directions[ri - 1] as DirectionRow;
      if (header[ci] === 'CANARY' && d.canary_ms === null) return p.red(text);
      return cellColour(p, d, header[ci] as string, text);
    }),
  );
  lines.push(p.grey(LAG_LEGEND));
  const shown = shownFindings(r);
  if (shown.length) {
    lines.push('', p.bold('findings:'));
    for (const x of shown) lines.push(`  ${findingLine(x, p)}`);
    lines.push(p.grey("  run 'couchmesh doctor [LINK]' for evidence and next steps"));
  }
  return lines.join('\n');
}

export function alertLine(e: AlertEvent, p: Paint): string {
  const tag =
    e.event === 'resolved'
      ? p.green('RESOLVED')
      : e.event === 'changed'
        ? p.yellow('CHANGED ')
        : p.red('RAISED  ');
  const sev = e.event === 'changed' ? `${e.previous_severity} -> ${e.severity}` : e.severity;
  return `${tag} [${sev}] ${e.rule} ${e.direction ? `${e.link} ${e.direction}` : `node ${e.node}`}: ${e.message}`;
}

/** One line per poll of a --watch that is not on a terminal (a log, a pipe). */
export function watchLine(r: StatusReport): string {
  const s = r.summary;
  return `${r.at} poll #${r.poll}: ${s.nodes_reachable}/${s.nodes} nodes up, ${Object.entries(s.by_state)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')}; findings ${s.findings.critical} critical, ${s.findings.warning} warning`;
}

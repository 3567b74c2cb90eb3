/**
 * Filters of a status report (`--problems`, `--link A--B`, `--state S`) and its exit status. A filter
 * keeps rows (directions, nodes, findings) and never touches `summary`: the summary always counts the
 * whole mesh, so a filtered view still says how big the rest is. The exit status is that of what is
 * shown (Nagios-style: 0 ok, 1 warning, 2 critical), so `--link n1--n2 --exit-status` checks one link.
 */
import type { Finding } from '../health/types.ts';
import { noSuchLink } from './select-errors.ts';
import type { DirectionRow, NodeRow, StatusFiltered, StatusReport } from './status.ts';

export interface StatusFilter {
  /** only directions / nodes with a finding, or not `running` (nodes: unreachable or reduced) */
  problems?: boolean;
  /** only these links (`a--b`, either order) */
  links?: readonly string[];
  /** only directions in these states */
  states?: readonly string[];
}

/**
 * `status --exit-status` codes, the Nagios plugin convention a monitoring check expects: OK, WARNING,
 * CRITICAL, and UNKNOWN when the status could not be read at all (a user error, which exits 1 — the
 * CLI's usual code, core/codes.ts EXIT — without the flag; a bug stays 70 either way).
 */
export const STATUS_EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

export const isFiltering = (f: StatusFilter | undefined): f is StatusFilter =>
  f !== undefined && (f.problems === true || (f.links?.length ?? 0) > 0 || (f.states?.length ?? 0) > 0);

const pair = (link: string) => link.split('--').sort().join('--');

/**
 * The links of `wanted` as the mesh names them; an unknown link is a user error naming the choices
 * (checked once, before the first poll, so a typo never reads as "nothing to report").
 */
export function resolveLinks(wanted: readonly string[], known: readonly string[]): string[] {
  const byPair = new Map(known.map((k) => [pair(k), k]));
  return wanted.map((w) => {
    const k = byPair.get(pair(w));
    if (k === undefined) throw noSuchLink(w, known);
    return k;
  });
}

const hasRealFinding = (fs: readonly Finding[]) =>
  fs.some((f) => !(f.severity === 'info' && f.rule === 'stale-telemetry'));

export function filterReport(r: StatusReport, f: StatusFilter | undefined): StatusReport {
  if (!isFiltering(f)) return r;
  const links = new Set(f.links ?? []);
  const states = new Set(f.states ?? []);
  const dirFindings = (d: DirectionRow) =>
    r.findings.filter((x) => x.link === d.link && x.db === d.db && x.direction === d.direction);
  const nodeFindings = (n: NodeRow) => r.findings.filter((x) => x.direction === null && x.node === n.node);
  const directions = r.directions.filter(
    (d) =>
      (links.size === 0 || links.has(d.link)) &&
      (states.size === 0 || states.has(d.state)) &&
      (!f.problems || d.state !== 'running' || hasRealFinding(dirFindings(d))),
  );
  // a node belongs to the view when a kept direction touches it (or, unfiltered by link/state, always)
  const touched = new Set(directions.flatMap((d) => [d.from, d.to, ...(d.doc_node ? [d.doc_node] : [])]));
  const narrowed = links.size > 0 || states.size > 0;
  const nodes = r.nodes.filter(
    (n) =>
      (!narrowed || touched.has(n.node)) &&
      (!f.problems || !n.reachable || n.confidence === 'reduced' || hasRealFinding(nodeFindings(n))),
  );
  const keptDirs = new Set(directions.map((d) => `${d.link}|${d.db}|${d.direction}`));
  const keptNodes = new Set(nodes.map((n) => n.node));
  const findings = r.findings.filter((x) =>
    x.direction !== null
      ? keptDirs.has(`${x.link}|${x.db}|${x.direction}`)
      : x.node !== null && (keptNodes.has(x.node) || !narrowed),
  );
  const filtered: StatusFiltered = {
    problems: f.problems === true,
    links: [...links],
    states: [...states],
    shown: { directions: directions.length, nodes: nodes.length, findings: findings.length },
  };
  return { ...r, directions, nodes, findings, filtered };
}

/** 2 when a shown finding is critical, 1 when one is a warning, else 0 (info never fails a check). */
export function statusExitCode(r: Pick<StatusReport, 'findings'>): number {
  if (r.findings.some((x) => x.severity === 'critical')) return STATUS_EXIT.critical;
  if (r.findings.some((x) => x.severity === 'warning')) return STATUS_EXIT.warning;
  return STATUS_EXIT.ok;
}

/**
 * `status --watch` on a terminal: the report fitted to the screen, a pure function of (report, size).
 * The summary line comes first and the frame never exceeds `height - 1` lines (the trailing newline
 * would scroll it away), no line exceeds `width` (a wrapped row costs two lines). Columns go by
 * priority (the last ones first), the reason is elided to the room left, and the rows that do not
 * fit collapse into "… N more" — problem rows (not running, or with a finding) are kept first.
 */
import type { DirectionRow, StatusReport } from '../../ops/status.ts';
import { findingLine, type Paint } from './paint.ts';
import {
  cellColour,
  clusterLines,
  directionCells,
  filterLine,
  hasMemberColumn,
  memberCell,
  STATUS_HEADER,
  shownFindings,
  summaryParts,
} from './status.ts';

export interface Screen {
  width: number;
  height: number;
}

/** Column drop order, first dropped first; LINK, DIRECTION and STATE always stay. */
const DROP = ['CKPT AGE', 'FAILURES', 'WRITTEN', 'DB', 'MEMBER', 'PENDING', 'LAG', 'REASON'];
/** Columns are dropped until the reason has this much room (or all of it); then it is elided. */
const REASON_MIN = 32;
const GAP = 2;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI SGR sequences is the point
const SGR = /\x1b\[[0-9;]*m/y;

/** Visible length (ANSI colour sequences take no room). */
export function visibleLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

/** `s` cut to `width` visible characters, ending with `…` when cut (colours kept, then reset). */
export function clip(s: string, width: number): string {
  if (visibleLength(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let seen = 0;
  let coloured = false;
  for (let i = 0; i < s.length; ) {
    SGR.lastIndex = i;
    const m = SGR.exec(s);
    if (m) {
      out += m[0];
      coloured = m[0] !== '\x1b[0m';
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i) as number);
    if (seen === width - 1) break;
    out += ch;
    seen++;
    i += ch.length;
  }
  return `${out}…${coloured ? '\x1b[0m' : ''}`;
}

const isProblem = (r: StatusReport, d: DirectionRow) =>
  d.state !== 'running' ||
  r.findings.some(
    (f) =>
      f.link === d.link &&
      f.db === d.db &&
      f.direction === d.direction &&
      !(f.severity === 'info' && f.rule === 'stale-telemetry'),
  );

/** Columns kept for `width`: [header index, width]; the reason takes the room left. */
function columns(cells: string[][], width: number, header: readonly string[]): Array<[number, number]> {
  const natural = header.map((_, ci) => Math.max(...cells.map((row) => (row[ci] ?? '').length)));
  let keep = header.map((_, ci) => ci);
  const need = (k: number[]) =>
    k.reduce(
      (n, ci) => n + (header[ci] === 'REASON' ? Math.min(natural[ci] ?? 0, REASON_MIN) : (natural[ci] ?? 0)),
      0,
    ) +
    GAP * (k.length - 1);
  for (const name of DROP) {
    if (need(keep) <= width) break;
    keep = keep.filter((ci) => header[ci] !== name);
  }
  const fixed = keep.filter((ci) => header[ci] !== 'REASON').reduce((n, ci) => n + (natural[ci] ?? 0), 0);
  return keep.map((ci) => [
    ci,
    header[ci] === 'REASON'
      ? Math.max(0, Math.min(natural[ci] ?? 0, width - fixed - GAP * (keep.length - 1)))
      : (natural[ci] ?? 0),
  ]);
}

/** The summary on one line when it fits, else on two (states, then findings and the poll's cost). */
function summary(r: StatusReport, p: Paint, width: number): string[] {
  const [head, findings, cost] = summaryParts(r, p);
  if (visibleLength(head + findings + cost) <= width) return [head + findings + cost];
  if (visibleLength(head + findings) <= width) return [head + findings];
  return [head, `${findings.slice(' — '.length)}${cost}`];
}

export function renderStatusFit(r: StatusReport, p: Paint, screen: Screen): string {
  const width = Math.max(20, Math.floor(screen.width));
  const budget = Math.max(4, Math.floor(screen.height) - 1);
  const top = [
    ...summary(r, p, width),
    ...(r.filtered ? [filterLine(r, p) as string] : []),
    ...clusterLines(r, p),
  ];
  const room = budget - top.length - 2; // blank line + table header
  const findings = shownFindings(r);
  // findings get at most a third of the room (a header line + one line each), the rows the rest
  const fLines = findings.length ? Math.min(1 + findings.length, Math.max(2, Math.floor(room / 3))) : 0;
  const rowRoom = Math.max(0, room - fLines - (fLines ? 1 : 0));
  let rows = r.directions;
  let hidden = 0;
  if (rows.length > rowRoom) {
    const take = Math.max(0, rowRoom - 1);
    const problems = new Set(rows.filter((d) => isProblem(r, d)).slice(0, take));
    const rest = rows.filter((d) => !problems.has(d)).slice(0, take - problems.size);
    const kept = new Set([...problems, ...rest]);
    rows = r.directions.filter((d) => kept.has(d));
    hidden = r.directions.length - rows.length;
  }
  // a cluster node's directions get a MEMBER column after STATE (status.ts renderStatus)
  const member = hasMemberColumn(r);
  const at = STATUS_HEADER.indexOf('STATE') + 1;
  const withMember = (c: string[], m: string) => (member ? [...c.slice(0, at), m, ...c.slice(at)] : c);
  const header = withMember([...STATUS_HEADER], 'MEMBER');
  const cells = [header, ...rows.map((d) => withMember(directionCells(d), memberCell(d)))];
  const cols = columns(cells, width, header);
  const line = (cellsOf: string[], colour: (h: string, t: string) => string) =>
    cols
      .map(([ci, w], i) => {
        const text = clip(cellsOf[ci] ?? '', w);
        return colour(header[ci] as string, i === cols.length - 1 ? text : text.padEnd(w));
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const out = [...top, ''];
  out.push(line(cells[0] as string[], (_h, t) => p.bold(t)));
  rows.forEach((d, i) => {
    out.push(line(cells[i + 1] as string[], (h, t) => cellColour(p, d, h, t)));
  });
  if (hidden)
    out.push(
      p.grey(
        `… ${hidden} more${r.filtered?.problems ? ' (narrow with --link / --state)' : ' (use --problems)'}`,
      ),
    );
  if (fLines) {
    out.push('', p.bold('findings:'));
    const n = fLines - 1;
    const cut = findings.length > n ? n - 1 : n;
    for (const f of findings.slice(0, cut)) out.push(`  ${findingLine(f, p)}`);
    if (findings.length > cut)
      out.push(p.grey(`  … ${findings.length - cut} more findings (couchmesh doctor)`));
  }
  return out
    .slice(0, budget)
    .map((l) => clip(l, width))
    .join('\n');
}

/** Terminal rendering shared by the telemetry views: colours (TTY only, never with NO_COLOR), tables, findings. */
import type { Finding, Severity } from '../../health/types.ts';

export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  grey(s: string): string;
  bold(s: string): string;
}

const sgr = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const plain = (s: string) => s;

/** ANSI colours on a terminal only (and never with NO_COLOR set). */
export function paint(tty: boolean, env: Readonly<Record<string, string | undefined>> = process.env): Paint {
  if (!tty || env.NO_COLOR)
    return { red: plain, green: plain, yellow: plain, cyan: plain, grey: plain, bold: plain };
  return {
    red: sgr('31'),
    green: sgr('32'),
    yellow: sgr('33'),
    cyan: sgr('36'),
    grey: sgr('90'),
    bold: sgr('1'),
  };
}

export function stateColour(p: Paint, state: string): (s: string) => string {
  switch (state) {
    case 'running':
      return p.green;
    case 'completed':
      return p.cyan;
    case 'pending':
    case 'initializing':
      return p.yellow;
    case 'crashing':
    case 'error':
    case 'failed':
      return p.red;
    default:
      return p.grey;
  }
}

export const severityColour = (p: Paint, s: Severity) =>
  s === 'critical' ? p.red : s === 'warning' ? p.yellow : p.grey;

/** Left-aligned columns; `cells` are plain text (colour applied after padding via `colour`). */
export function table(
  rows: string[][],
  colour: (row: number, col: number, text: string) => string = (_r, _c, t) => t,
): string[] {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  return rows.map((r, ri) =>
    r
      .map((c, ci) => colour(ri, ci, ci === r.length - 1 ? c : c.padEnd(widths[ci] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function findingLine(f: Finding, p: Paint): string {
  const where = f.direction ? `${f.link} ${f.direction} (${f.db})` : `node ${f.node}`;
  return `${severityColour(p, f.severity)(f.severity.toUpperCase().padEnd(8))} ${f.rule.padEnd(20)} ${where}: ${f.message}`;
}

// The one table of `npm run bench`: bench, figure, ours, baseline, ratio, goal, met? (a failed bench is
// one row with its reason), then the headline line, printed last.
import type { BenchOutcome } from './all-run.ts';
import type { Figure } from './emit.ts';

/** A number as the table shows it: thousands separated, decimals by magnitude. */
export function num(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  const a = Math.abs(x);
  if (Number.isInteger(x) || a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

const withUnit = (x: number | undefined, unit: string) => (x === undefined ? '-' : `${num(x)} ${unit}`);
const met = (f: Figure) => (f.met === undefined ? '-' : f.met ? 'yes' : 'NO');

export function tableRows(outcomes: BenchOutcome[]): string[][] {
  const rows: string[][] = [];
  for (const o of outcomes) {
    if (o.status === 'failed') {
      rows.push([o.bench, 'FAILED', o.reason ?? '', '', '', '', 'NO']);
      continue;
    }
    for (const [i, f] of o.figures.entries())
      rows.push([
        i === 0 ? o.bench : '',
        f.figure,
        withUnit(f.ours, f.unit),
        f.baseline === undefined
          ? '-'
          : `${withUnit(f.baseline, f.unit)}${f.baselineLabel ? ` (${f.baselineLabel})` : ''}`,
        f.ratio === undefined || !Number.isFinite(f.ratio) ? '-' : `${f.ratio.toFixed(2)}x`,
        f.goal ?? '-',
        met(f),
      ]);
  }
  return rows;
}

export function renderTable(outcomes: BenchOutcome[]): string {
  const head = ['bench', 'figure', 'ours', 'baseline', 'ratio', 'goal', 'met?'];
  const rows = tableRows(outcomes);
  // a failed row's reason spans the columns after `figure`: it does not widen them
  const sized = rows.filter((r) => r[1] !== 'FAILED');
  const widths = head.map((h, i) => Math.max(h.length, ...sized.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r[1] === 'FAILED'
      ? `${(r[0] as string).padEnd(widths[0] as number)}  ${'FAILED'.padEnd(widths[1] as number)}  ${r[2]}`
      : r
          .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
          .join('  ')
          .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface Totals {
  benches: number;
  failed: string[];
  figures: number;
  goals: number;
  goalsMet: number;
  missed: string[];
}

export function totals(outcomes: BenchOutcome[]): Totals {
  const figs = outcomes.flatMap((o) => o.figures.map((f) => ({ bench: o.bench, f })));
  const withGoal = figs.filter((x) => x.f.met !== undefined);
  return {
    benches: outcomes.length,
    failed: outcomes.filter((o) => o.status === 'failed').map((o) => o.bench),
    figures: figs.length,
    goals: withGoal.length,
    goalsMet: withGoal.filter((x) => x.f.met).length,
    missed: withGoal.filter((x) => !x.f.met).map((x) => `${x.bench}: ${x.f.figure}`),
  };
}

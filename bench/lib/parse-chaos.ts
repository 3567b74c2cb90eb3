// bench/chaos.ts (owned by the fault suite) prints, with --json, one pretty-printed object on stdout:
// `{ first_seed, rows: [{ scenario, runs, passed, acked, lost, violations, ... }], runs: [...] }`.
// `npm run bench` turns each scenario row into a figure: runs passed, goal every run and 0 lost.
import { type BenchResult, fig } from './emit.ts';

interface ChaosRow {
  scenario: string;
  runs: number;
  passed: number;
  acked: number;
  lost: number;
  violations: number;
}

export function parseChaos(stdout: string): BenchResult {
  const at = stdout.search(/^\{/m);
  if (at < 0) throw new Error('bench/chaos.ts printed no JSON object');
  const { rows } = JSON.parse(stdout.slice(at)) as { rows?: ChaosRow[] };
  if (!Array.isArray(rows) || !rows.length) throw new Error('bench/chaos.ts --json has no rows');
  return {
    bench: 'chaos',
    figures: rows.map((r) =>
      fig({
        figure: `${r.scenario}: runs passed of ${r.runs} (${r.acked} acked writes, ${r.lost} lost, ${r.violations} violations)`,
        ours: r.passed,
        unit: 'runs',
        goal: 'all, 0 lost',
        met: r.passed === r.runs && r.lost === 0 && r.violations === 0,
      }),
    ),
  };
}

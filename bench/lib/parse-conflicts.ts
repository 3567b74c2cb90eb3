// bench/conflicts.ts has no --json (another change owns that file): `npm run bench` reads its human
// output instead, the `headline:` line it prints last:
//   headline: couchmesh resolves 2,345 conflicted docs/s with its audit = 17.4x naive (135/s), 35% of
//   the raw write limit (6,700/s), toy batched 3,100/s - goals met
// Each figure is read on its own, so a reworded part loses that figure only; none read is an error.
import { type BenchResult, type Figure, fig } from './emit.ts';

const num = (s: string | undefined) => (s === undefined ? Number.NaN : Number(s.replaceAll(',', '')));

export function parseConflicts(stdout: string): BenchResult {
  const headline = stdout
    .split('\n')
    .reverse()
    .find((l) => /^headline:/i.test(l.trim()));
  if (!headline) throw new Error('bench/conflicts.ts printed no headline: line');
  const ours = num(/resolves ([\d,.]+) conflicted docs\/s/.exec(headline)?.[1]);
  const naive = num(/x naive \(([\d,.]+)\/s\)/.exec(headline)?.[1]);
  const limit = num(/raw write limit \(([\d,.]+)\/s\)/.exec(headline)?.[1]);
  const toy = num(/toy batched ([\d,.]+)\/s/.exec(headline)?.[1]);
  // [baseline label, its rate, goal as a ratio (ours / it), printed goal]
  const against: Array<[string, number, number | undefined, string | undefined]> = [
    ['naive', naive, 10, '>= 10x'],
    ['raw _bulk_docs limit', limit, 0.5, '>= 0.5x'],
    ['toy batched (no audit)', toy, undefined, undefined],
  ];
  const figures: Figure[] = [];
  if (Number.isFinite(ours))
    for (const [label, rate, goal, goalText] of against) {
      if (!Number.isFinite(rate)) continue;
      figures.push(
        fig({
          figure: `conflicts resolved with audit vs ${label}`,
          ours,
          unit: 'docs/s',
          baseline: rate,
          baselineLabel: label,
          ...(goal === undefined ? {} : { goal: goalText, met: ours / rate >= goal }),
        }),
      );
    }
  if (!figures.length) throw new Error(`no figure read from its headline: ${headline.trim()}`);
  return { bench: 'conflicts', headline: headline.trim(), figures };
}

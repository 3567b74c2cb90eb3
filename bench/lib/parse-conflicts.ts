// bench/conflicts.ts has no --json: `npm run bench` reads its human output instead, the `headline:`
// line it prints last:
//   headline: couchmesh resolves 1,423 conflicted docs/s with its audit from the CLI (16.0x naive, 27% of
//   the raw write limit) and 1,502/s from the controller (16.9x, 28%); naive 89/s, raw limit 5,308/s,
//   toy batched 1,220/s - GOALS NOT MET
// (the older one-resolver form, "… = 17.4x naive (135/s), 35% of the raw write limit (6,700/s) …", is
// read too). Each figure is read on its own, so a reworded part loses that figure only; none read is an
// error.
import { type BenchResult, type Figure, fig } from './emit.ts';

const num = (s: string | undefined) => (s === undefined ? Number.NaN : Number(s.replaceAll(',', '')));
const read = (line: string, ...res: RegExp[]) => {
  for (const re of res) {
    const v = num(re.exec(line)?.[1]);
    if (Number.isFinite(v)) return v;
  }
  return Number.NaN;
};

export function parseConflicts(stdout: string): BenchResult {
  const headline = stdout
    .split('\n')
    .reverse()
    .find((l) => /^headline:/i.test(l.trim()));
  if (!headline) throw new Error('bench/conflicts.ts printed no headline: line');
  const resolvers: Array<[string, number]> = [
    ['CLI', num(/resolves ([\d,.]+) conflicted docs\/s/.exec(headline)?.[1])],
    ['controller', num(/and ([\d,.]+)\/s from the controller/.exec(headline)?.[1])],
  ];
  const naive = read(headline, /; naive ([\d,.]+)\/s/, /x naive \(([\d,.]+)\/s\)/);
  const limit = read(headline, /raw limit ([\d,.]+)\/s/, /raw write limit \(([\d,.]+)\/s\)/);
  const toy = read(headline, /toy batched ([\d,.]+)\/s/);
  // [baseline label, its rate, goal as a ratio (ours / it), printed goal]
  const against: Array<[string, number, number | undefined, string | undefined]> = [
    ['naive', naive, 10, '>= 10x'],
    ['raw _bulk_docs limit', limit, 0.5, '>= 0.5x'],
    ['toy batched (no audit)', toy, undefined, undefined],
  ];
  const figures: Figure[] = [];
  for (const [who, ours] of resolvers) {
    if (!Number.isFinite(ours)) continue;
    for (const [label, rate, goal, goalText] of against) {
      if (!Number.isFinite(rate)) continue;
      figures.push(
        fig({
          figure: `conflicts resolved with audit (${who}) vs ${label}`,
          ours,
          unit: 'docs/s',
          baseline: rate,
          baselineLabel: label,
          ...(goal === undefined ? {} : { goal: goalText, met: ours / rate >= goal }),
        }),
      );
    }
  }
  if (!figures.length) throw new Error(`no figure read from its headline: ${headline.trim()}`);
  return { bench: 'conflicts', headline: headline.trim(), figures };
}

// Machine-readable figures of a benchmark program, for `npm run bench` (bench/all.ts): with `--json`,
// a bench prints, after its human output (unchanged), ONE last line: `{"bench":…,"figures":[…]}`.
// The aggregator runs each bench as a child process and reads that line.

/** One measured figure: ours beside its baseline (if any), the ratio, the goal and whether it is met. */
export interface Figure {
  figure: string;
  /** ours, in `unit` */
  ours: number;
  unit: string;
  /** what ours is compared with (another server, the floor, the plain variant), in the same unit */
  baseline?: number;
  baselineLabel?: string;
  /** ours / baseline unless the bench says otherwise */
  ratio?: number;
  /** e.g. ">= 10,000 docs/s", "<= 2x" */
  goal?: string;
  met?: boolean;
}

export interface BenchResult {
  bench: string;
  figures: Figure[];
  /** the bench's own headline line, as printed */
  headline?: string;
  /** the load average while it ran (2 shared CPUs: absolute figures move with it) */
  load?: number[];
}

export const JSON_PREFIX = '{"bench":';

export const wantsJson = (argv: string[] = process.argv) => argv.includes('--json');

/** A figure with its ratio computed (ours / baseline) when both are finite. */
export function fig(f: Figure): Figure {
  if (f.ratio === undefined && f.baseline !== undefined && f.baseline !== 0 && Number.isFinite(f.baseline))
    return { ...f, ratio: f.ours / f.baseline };
  return f;
}

/** Prints the figures as the last line when `--json` was given; does nothing otherwise. */
export function emitFigures(result: BenchResult, argv: string[] = process.argv): void {
  if (!wantsJson(argv)) return;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

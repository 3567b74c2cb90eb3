// What `npm run bench` (bench/all.ts) runs, in order: each benchmark program as a child process, with
// a reduced but meaningful size for the quick table (the default) and the sizes it uses alone for
// `--full`, and how its figures are read (its `--json` last line, bench/lib/emit.ts; conflicts and
// chaos are read from what they print, see bench/lib/parse-*.ts).
import type { BenchResult } from './emit.ts';
import { parseChaos } from './parse-chaos.ts';
import { parseConflicts } from './parse-conflicts.ts';

export interface BenchSpec {
  name: string;
  /** what it measures, one line for the table's legend */
  what: string;
  script: string;
  /** node flags before `--import tsx` */
  execArgv?: string[];
  quick: string[];
  full: string[];
  /** reads the figures from its stdout; default: the `--json` last line */
  read?: (stdout: string) => BenchResult;
  /** no `--json` flag is passed (the bench has none) */
  noJsonFlag?: boolean;
  /** minutes before it is stopped and marked failed */
  timeoutMin: { quick: number; full: number };
}

/** One entry: quick args, timeouts in minutes (quick, full); `--full` passes no size flag. */
const bench = (
  name: string,
  script: string,
  quick: string[],
  [q, f]: [number, number],
  what: string,
  more: Partial<BenchSpec> = {},
): BenchSpec => ({ name, script, quick, full: [], timeoutMin: { quick: q, full: f }, what, ...more });

export const BENCHES: BenchSpec[] = [
  bench(
    'ingest',
    'bench/node-ingest.ts',
    ['--rounds=1'],
    [10, 30],
    '_bulk_docs ingest: embedded node (data dir) vs express-pouchdb vs raw SQLite; idle RSS',
  ),
  bench(
    'replication',
    'bench/replication.ts',
    ['--rounds=1', '--writes=40'],
    [15, 40],
    'one-shot 10k-doc replication vs express-pouchdb / PouchDB; seed-mesh write-to-visible latency',
  ),
  bench(
    'conflicts',
    'bench/conflicts.ts',
    [],
    [10, 30],
    'conflicts resolved/s: ours (with audit) vs naive vs the raw write limit',
    { read: parseConflicts, noJsonFlag: true },
  ),
  bench('plan', 'bench/plan.ts', [], [10, 20], 'plan + apply of a 100-node full mesh (9,900 docs)'),
  bench(
    'telemetry',
    'bench/telemetry.ts',
    ['--nodes=20', '--fanout=5', '--fill=10', '--measure=5', '--trials=2'],
    [10, 30],
    "the poller's requests and CPU per poll on real nodes; stall -> finding",
  ),
  bench(
    'controller-scale',
    'bench/controller-scale.ts',
    ['--sizes=50,200,1000', '--polls=2', '--warmup=2'],
    [10, 40],
    "the controller's poller against the fleet simulator, growth with nodes",
  ),
  bench(
    'verify',
    'bench/verify.ts',
    ['--docs=10000', '--rounds=1'],
    [10, 40],
    'couchmesh verify vs reading each node _changes once; live heap; missing docs named',
    { execArgv: ['--expose-gc'] },
  ),
  bench(
    'failover',
    'bench/failover.ts',
    ['--runs=5'],
    [10, 20],
    'degraded link -> data through the relay; heal -> direct again',
  ),
  bench(
    'tls',
    'bench/tls.ts',
    ['--docs=2000', '--writes=20', '--nodes=20', '--rounds=1'],
    [10, 30],
    'mutual TLS vs plain: replication, seed-mesh latency, apply',
  ),
  bench(
    'vdu',
    'bench/vdu.ts',
    ['--rounds=1'],
    [10, 20],
    '_bulk_docs ingest with no / a trivial / a realistic validate_doc_update',
  ),
  bench(
    'chaos',
    'bench/chaos.ts',
    ['--runs=4', '--kills=2', '--lww=2'],
    [15, 120],
    'partition/heal and kill -9 runs on the seed mesh: invariants, documents lost',
    { read: parseChaos },
  ),
  bench(
    'soak',
    'bench/soak.ts',
    ['--minutes=2', '--warmup-s=30'],
    [6, 15],
    'seed mesh + controller at a fixed write rate: memory growth, lag, docs lost',
  ),
];

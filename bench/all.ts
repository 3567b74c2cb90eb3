// `npm run bench`: every benchmark of the project in one run, one table (a program, not a test).
//
// Each bench (bench/lib/all-benches.ts: ingest, replication + seed-mesh latency, conflicts, plan/apply at
// 100 nodes, telemetry, controller scale, verify, failover, tls, vdu, chaos, soak) runs as a child
// process, one after the other, with a reduced but meaningful size (the default, `--quick`) or the
// sizes it uses alone (`--full`), and hands its figures over as a `--json` last line
// (bench/lib/emit.ts); bench/conflicts.ts, owned elsewhere, is read from its printed headline
// (bench/lib/parse-conflicts.ts) and bench/chaos.ts from its own --json. Its output goes to a log file
// per bench (the folder is printed). Then ONE table (bench, figure, ours, baseline, ratio, goal, met?);
// a bench that fails is a row marked FAILED with its reason, the run goes on, and the exit code is 1 at
// the end. The headline is printed last. The machine's load is printed with it: on 2 shared CPUs the
// absolute figures move with it; ratios measured side by side hold up better.
//
//   npm run bench [-- --quick | --full] [--json FILE] [--only=ingest,plan] [--skip=chaos,soak]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHES } from './lib/all-benches.ts';
import { type BenchOutcome, runBench } from './lib/all-run.ts';
import { renderTable, totals } from './lib/all-table.ts';
import { loadNote } from './lib/format.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
  },
});
if (values.quick && values.full) throw new Error('--quick and --full exclude each other');
const mode = values.full ? 'full' : 'quick';
const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()) : undefined);
const only = list(values.only);
const skip = list(values.skip) ?? [];
for (const n of [...(only ?? []), ...skip])
  if (!BENCHES.some((b) => b.name === n))
    throw new Error(`no bench named ${n}: ${BENCHES.map((b) => b.name).join(', ')}`);
const chosen = BENCHES.filter((b) => (!only || only.includes(b.name)) && !skip.includes(b.name));

const logDir = join(tmpdir(), `couchmesh-bench-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(logDir, { recursive: true });
const say = (s: string) => process.stdout.write(`${s}\n`);
const started = new Date();
const loadStart = loadavg();
say(`npm run bench (${mode}): ${chosen.length} benchmarks, one after the other; their output in ${logDir}`);
say(loadNote());

const outcomes: BenchOutcome[] = [];
for (const [i, spec] of chosen.entries()) {
  say(`[${i + 1}/${chosen.length}] ${spec.name}: ${spec.what}`);
  const o = await runBench(spec, mode, logDir);
  outcomes.push(o);
  say(
    `      ${o.status === 'ok' ? `${o.figures.length} figures` : `FAILED: ${o.reason}`} in ${o.seconds.toFixed(0)} s${o.status === 'ok' && o.reason ? ` (${o.reason})` : ''}`,
  );
}

const t = totals(outcomes);
const minutes = (Date.now() - started.getTime()) / 60_000;
say('');
say(renderTable(outcomes));
say('');
if (t.missed.length) say(`goals not met: ${t.missed.join('; ')}`);
say(`logs: ${logDir}`);
say(loadNote());
if (values.json) {
  writeFileSync(
    values.json,
    `${JSON.stringify(
      {
        mode,
        started: started.toISOString(),
        minutes,
        cpus: cpus().length,
        load_start: loadStart,
        load_end: loadavg(),
        totals: t,
        benches: outcomes,
      },
      null,
      2,
    )}\n`,
  );
  say(`figures written to ${values.json}`);
}
say(
  `HEADLINE npm run bench (${mode}, ${minutes.toFixed(0)} min, load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs): ${t.benches - t.failed.length} of ${t.benches} benches ran, ${t.figures} figures; goals met ${t.goalsMet} of ${t.goals}; failed: ${t.failed.length ? t.failed.join(', ') : 'none'}`,
);
process.exitCode = t.failed.length ? 1 : 0;

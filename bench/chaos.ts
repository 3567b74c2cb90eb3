// `npm run chaos`: the long run of the fault suite (VERIFY-CHAOS #16). N partition/heal runs and M
// kill -9 runs on the seed mesh, each from its own seed (test/chaos/lib: the harness the short
// subset in `npm test` uses) and L partition/heal runs with lww configured (the resolver runs after the
// heal; every acked rev on a losing branch must be in the audit trail), then one summary table: scenario, runs, passed, acknowledged writes,
// documents lost, invariant violations. A failing run prints its seed and steps, so
// `npm run chaos -- --runs 1 --kills 0 --seed S` replays its schedule.
//
// Then the fault scenarios: --peer P runs per bad-peer mode (garbage, wrong-shape, truncate, hang,
// throttle: one node behind test/chaos/lib/bad-peer.ts, the request kind faulted drawn from the
// seed) and --controller C runs each of the controller SIGKILLed mid-apply and mid-resolution.
// --only picks scenarios by name (comma-separated, e.g. `--only peer-hang,controller-apply`).
//
//   npm run chaos [-- --runs 100 --kills 20 --lww 20 --peer 4 --controller 3 --seed 1 --only … --json]
import { parseArgs } from 'node:util';
import type { PeerFaultMode } from '../test/chaos/lib/bad-peer.ts';
import { killMidApply, killMidResolve } from '../test/chaos/lib/controller-kill.ts';
import { killRun } from '../test/chaos/lib/kill-run.ts';
import { partitionRun } from '../test/chaos/lib/partition-run.ts';
import { peerRun } from '../test/chaos/lib/peer-run.ts';

/** What every scenario's run reports (partition, kill -9, bad peer, controller kill). */
interface RunResult {
  scenario: string;
  seed: number;
  passed: boolean;
  acked?: number;
  lost: number;
  violations: string[];
  conflicted?: number;
  passes?: number;
  steps: string[];
}

import { loadNote } from './lib/format.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    kills: { type: 'string', default: '20' },
    lww: { type: 'string', default: '20' },
    peer: { type: 'string', default: '4' },
    controller: { type: 'string', default: '3' },
    only: { type: 'string' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});
const [runs, kills, lww, first, steps, peer, controller] = [
  values.runs,
  values.kills,
  values.lww,
  values.seed,
  values.steps,
  values.peer,
  values.controller,
].map(Number) as [number, number, number, number, number, number, number];
const only = values.only?.split(',').filter(Boolean);
const chosen = (scenario: string) => !only || only.includes(scenario);

interface Row {
  scenario: RunResult['scenario'];
  runs: number;
  passed: number;
  acked: number;
  lost: number;
  violations: number;
  conflicted: number;
  failed_seeds: number[];
}

const results: RunResult[] = [];
const say = (s: string) => {
  if (!values.json) process.stdout.write(`${s}\n`);
  else process.stderr.write(`${s}\n`);
};

async function series(
  scenario: RunResult['scenario'],
  n: number,
  run: (seed: number) => Promise<RunResult>,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const seed = first + i;
    let r: RunResult;
    if (!chosen(scenario)) return;
    try {
      r = await run(seed);
    } catch (e) {
      // a run that crashed is a failed run, not the end of the series
      r = {
        scenario,
        seed,
        passed: false,
        acked: 0,
        lost: 0,
        violations: [`the run crashed: ${(e as Error).message}`],
        conflicted: 0,
        passes: 0,
        steps: [],
      };
    }
    results.push(r);
    say(
      `${r.scenario} seed ${seed}: ${r.passed ? 'ok' : 'FAIL'} (${r.acked ?? '-'} acked, ${r.lost} lost, ${r.conflicted ?? '-'} in conflict, ${r.passes ?? '-'} verify passes)`,
    );
    // bad peer and controller kills: what the fault was and what the job or controller did
    if (/^(peer|controller)-/.test(r.scenario)) for (const s of r.steps) say(`  ${s}`);
    // kill -9: whether the victim's _bulk_docs was interrupted or answered before the kill
    if (r.scenario === 'kill-9' && r.steps[1]) say(`  ${r.steps[1]}`);
    if (!r.passed) say(`  ${[...r.violations, ...r.steps].join('\n  ')}`);
  }
}

function summary(scenario: RunResult['scenario']): Row {
  const rs = results.filter((r) => r.scenario === scenario);
  const sum = (f: (r: RunResult) => number) => rs.reduce((a, r) => a + f(r), 0);
  return {
    scenario,
    runs: rs.length,
    passed: rs.filter((r) => r.passed).length,
    acked: sum((r) => r.acked ?? 0),
    lost: sum((r) => r.lost),
    violations: sum((r) => r.violations.length),
    conflicted: sum((r) => r.conflicted ?? 0),
    failed_seeds: rs.filter((r) => !r.passed).map((r) => r.seed),
  };
}

const started = Date.now();
await series('partition', runs, (s) => partitionRun(s, { steps }));
await series('partition-lww', lww, (s) => partitionRun(s, { steps, strategy: true }));
await series('kill-9', kills, killRun);
const MODES: PeerFaultMode[] = ['garbage', 'wrong-shape', 'truncate', 'hang', 'throttle'];
for (const mode of MODES) await series(`peer-${mode}`, peer, (s) => peerRun(mode, s));
await series('controller-apply', controller, killMidApply);
await series('controller-resolve', controller, (s) => killMidResolve(s, { conflicts: 2000 }));
const scenarios = [
  'partition',
  'partition-lww',
  'kill-9',
  ...MODES.map((m) => `peer-${m}`),
  'controller-apply',
  'controller-resolve',
];
const rows = scenarios.map(summary).filter((r) => r.runs > 0);

if (values.json) {
  process.stdout.write(`${JSON.stringify({ first_seed: first, rows, runs: results }, null, 2)}\n`);
} else {
  const head = [
    'scenario',
    'runs',
    'passed',
    'acked writes',
    'documents lost',
    'invariant violations',
    'docs in conflict',
  ];
  const body = rows.map((r) =>
    [r.scenario, r.runs, r.passed, r.acked, r.lost, r.violations, r.conflicted].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  say('');
  say(line(head));
  for (const b of body) say(line(b));
  for (const r of rows)
    if (r.failed_seeds.length) say(`${r.scenario}: failed seeds ${r.failed_seeds.join(', ')}`);
  say(`seeds ${first}..; ${Math.round((Date.now() - started) / 1000)} s; ${loadNote()}`);
}
process.exitCode = rows.every((r) => r.passed === r.runs) ? 0 : 1;

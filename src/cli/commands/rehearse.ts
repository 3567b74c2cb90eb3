import type { Command } from 'commander';
import { startRehearsalController } from '../../controller/rehearsal.ts';
import { type RehearseOptions, rehearseOperation } from '../../ops/rehearse.ts';
import { SCENARIOS } from '../../rehearse/types.ts';
import type { Output } from '../boundary.ts';
import { paint } from '../views/paint.ts';
import { rehearseProgress, renderRehearse } from '../views/rehearse.ts';
import { exitWith, reportingInvalid, untilStopped } from './shared.ts';

const HELP = `
Scenarios (default: all, in this order): ${SCENARIOS.join(', ')}.
  partition   one link cut              isolate   every link of one node cut
  split       the mesh in two (by region when it has two or more)
  flap        one link down and up three times
  crash       one node SIGKILLed, restarted on its storage
  recreate    a database deleted and recreated on one node
  relay-loss  the relay node cut off (skipped when the mesh declares no relay)

The mesh runs on embedded nodes on 127.0.0.1 with ports and credentials of its own: the nodes of the
file are never contacted. Each link crosses a fault proxy with its class's latency (lan 1, wan 20,
cellular 60, lorawan 150 ms + jitter, per chunk each way). After each scenario the faults are healed,
the controller's work (drift repair, conflict resolution, verify) runs until the mesh converges, and
the invariants are checked: every node identical, no acknowledged write lost, no conflict left where
a strategy is configured, no re-scan from 0, an empty plan.

Exit status: 0 every invariant held, 2 an invariant failed, 1 an error, 70 a bug.`;

const num = (v: string) => Number(v);

export function registerRehearse(program: Command, output: Output): void {
  program
    .command('rehearse')
    .description(
      'run the mesh on embedded nodes through faults (partitions, crashes, ...) and check it converges',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--scenario <name...>', `scenarios to run (default all): ${SCENARIOS.join(', ')}`)
    .option('--duration <s>', 'seconds each scenario holds its faults (default 10)', num)
    .option('--seed <n>', 'seeds every choice: links, nodes, writes (default 1)', num)
    .option('--rate <n>', 'writes per second per node (default 5)', num)
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HELP)
    .action(
      async (opts: {
        file?: string;
        scenario?: string[];
        duration?: number;
        seed?: number;
        rate?: number;
        json?: boolean;
      }) => {
        const json = opts.json === true;
        const options: RehearseOptions = {
          ...(opts.file ? { file: opts.file } : {}),
          ...(opts.scenario ? { scenarios: opts.scenario.flatMap((s) => s.split(',')).filter(Boolean) } : {}),
          ...(opts.duration !== undefined ? { durationS: opts.duration } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.rate !== undefined ? { rate: opts.rate } : {}),
        };
        // progress lines go to stderr, on a terminal only: stdout stays the report
        const tty = process.stderr.isTTY === true;
        const report = await reportingInvalid(output, json, () =>
          untilStopped((signal) =>
            rehearseOperation(
              options,
              { env: process.env, signal, startController: startRehearsalController },
              (e) => {
                const line = tty ? rehearseProgress(e) : null;
                if (line) process.stderr.write(`${line}\n`);
              },
            ),
          ),
        );
        if (json) output.out(JSON.stringify(report, null, 2));
        else output.out(renderRehearse(report, paint(process.stdout.isTTY === true)));
        if (report.exit_code !== 0) exitWith(report.exit_code);
      },
    );
}

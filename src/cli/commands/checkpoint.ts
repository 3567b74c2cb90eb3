import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { type CheckpointOptions, checkpointShow } from '../../ops/checkpoint.ts';
import { type Confirm, checkpointReset } from '../../ops/checkpoint-reset.ts';
import type { Output } from '../boundary.ts';
import { renderCheckpoints, resetLine } from '../views/checkpoint.ts';
import { paint } from '../views/paint.ts';
import { askYes, exitWith, reportingInvalid, untilStopped } from './shared.ts';

export function registerCheckpoint(program: Command, output: Output): void {
  const cmd = program
    .command('checkpoint')
    .description(
      'replication checkpoints (_local/<replication id> on source and target): show, verify, reset',
    );
  const common = (c: Command) =>
    c
      .argument('<link>', 'the link, a--b')
      .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
      .option('--db <name>', 'the database, when the link carries several')
      .option('--direction <a->b>', 'one direction (default: both)')
      .option('--json', 'print JSON');
  type Opts = { file?: string; db?: string; direction?: string; json?: boolean; yes?: boolean };
  const optionsOf = (link: string, o: Opts): CheckpointOptions => ({
    link,
    file: o.file,
    ...(o.db ? { db: o.db } : {}),
    ...(o.direction ? { direction: o.direction } : {}),
  });
  const show = (link: string, o: Opts) =>
    reportingInvalid(output, o.json === true, () => checkpointShow(optionsOf(link, o), { env: process.env }));
  const p = () => paint(process.stdout.isTTY === true);
  common(cmd.command('show').description('both checkpoint docs of each direction')).action(
    async (link: string, o: Opts) => {
      const list = await show(link, o);
      output.out(o.json ? JSON.stringify(list, null, 2) : renderCheckpoints(list, p(), false));
    },
  );
  common(
    cmd
      .command('verify')
      .description(
        'compare source and target checkpoints as CouchDB does on restart (exit 2 when they disagree)',
      ),
  ).action(async (link: string, o: Opts) => {
    const list = await show(link, o);
    output.out(o.json ? JSON.stringify(list, null, 2) : renderCheckpoints(list, p(), true));
    if (list.some((v) => v.findings.some((f) => f.severity !== 'info'))) exitWith(2);
  });
  common(
    cmd
      .command('reset')
      .description(
        'force a clean re-scan: stop the job, delete the checkpoints on source AND target, recreate the job (asks first)',
      )
      .option('-y, --yes', 'do not ask (scripts)'),
  ).action(async (link: string, o: Opts) => {
    const confirm: Confirm = o.yes
      ? async () => true
      : process.stdin.isTTY && !o.json
        ? askYes
        : async () => {
            throw userError(
              'E_CONFIRM',
              'checkpoint reset deletes checkpoints and there is no terminal to confirm it',
              'pass --yes to reset from a script',
            );
          };
    const r = await reportingInvalid(output, o.json === true, () =>
      untilStopped((signal) => checkpointReset(optionsOf(link, o), { env: process.env, signal }, confirm)),
    );
    if (o.json) output.out(JSON.stringify(r, null, 2));
    else if (!r.approved) output.out('Reset cancelled: nothing was changed.');
    else for (const x of r.results) output.out(resetLine(x));
    if (!r.approved) throw userError('E_CANCELLED', 'checkpoint reset cancelled: nothing was changed');
  });
}

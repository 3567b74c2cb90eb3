import type { Command } from 'commander';
import { rotateOperation } from '../../ops/rotate.ts';
import type { Output } from '../boundary.ts';
import { finish } from '../views/apply.ts';
import { cliReview } from './apply.ts';
import { reportingInvalid, reportWarnings } from './shared.ts';

export function registerRotate(program: Command, output: Output): void {
  program
    .command('rotate-credentials')
    .description(
      'set the replication users’ new passwords (from their references) on every node and update the replication docs; checkpoints are kept',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the plan and per-node results as JSON (never secrets)')
    .action(async (opts: { file?: string; yes?: boolean; json?: boolean }) => {
      const json = opts.json === true;
      const r = await reportingInvalid(output, json, () =>
        rotateOperation(
          { file: opts.file },
          { env: process.env },
          cliReview(output, { json, yes: opts.yes === true, saved: false, verb: 'rotate-credentials' }),
        ),
      );
      reportWarnings(r.validation, output, json);
      finish(r.outcome, output, json, 'apply');
    });
}

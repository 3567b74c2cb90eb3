import type { Command } from 'commander';
import type { ApplyResultView, Review } from '../../ops/apply.ts';
import type { MeshDeps } from '../../ops/deps.ts';
import type { Output } from '../boundary.ts';
import { finish } from '../views/apply.ts';
import { cliReview } from './apply.ts';
import { reportingInvalid, reportWarnings } from './shared.ts';

/** A command that plans, shows the plan, asks (unless --yes) and applies: destroy, rotate-credentials. */
export interface ReviewedCommand {
  name: string;
  description: string;
  /** the verb the confirmation question and the outcome use */
  verb: 'apply' | 'destroy';
  /** the verb of the question ("Do you want to <question>?") */
  question: string;
  run(flags: { file?: string }, deps: MeshDeps, review: Review): Promise<ApplyResultView>;
}

export function registerReviewed(program: Command, output: Output, c: ReviewedCommand): void {
  program
    .command(c.name)
    .description(c.description)
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the plan and per-node results as JSON (never secrets)')
    .action(async (opts: { file?: string; yes?: boolean; json?: boolean }) => {
      const json = opts.json === true;
      const review = cliReview(output, { json, yes: opts.yes === true, saved: false, verb: c.question });
      const r = await reportingInvalid(output, json, () =>
        c.run({ file: opts.file }, { env: process.env }, review),
      );
      reportWarnings(r.validation, output, json);
      finish(r.outcome, output, json, c.verb);
    });
}

import type { Command } from 'commander';
import { applyOperation, type Review } from '../../ops/apply.ts';
import type { PlanView } from '../../ops/plan-view.ts';
import type { Output } from '../boundary.ts';
import { finish, renderApplyEvent } from '../views/apply.ts';
import { renderPlan } from '../views/plan.ts';
import { confirmOnTerminal, reportingInvalid, reportWarnings } from './shared.ts';

/** The review step of the CLI: show the plan (human mode), then confirm unless --yes or a saved plan. */
export function cliReview(
  output: Output,
  opts: { json: boolean; yes: boolean; saved: boolean; verb: string },
): Review {
  return async (view: PlanView): Promise<boolean> => {
    if (!opts.json) output.out(renderPlan(view));
    if (!view.changes || opts.yes || opts.saved) return true;
    return confirmOnTerminal(
      `\nDo you want to ${opts.verb === 'destroy' ? 'destroy these documents' : 'apply these changes'}?`,
      opts.json,
      `couchmesh ${opts.verb}`,
    );
  };
}

export function registerApply(program: Command, output: Output): void {
  program
    .command('apply')
    .description('make every node match mesh.yaml (one _bulk_docs per node), or apply a saved plan')
    .argument('[plan.json]', 'a plan saved by `couchmesh plan --out` (refused when stale)')
    .option('-f, --file <path>', 'mesh file (default: the saved plan’s, else $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--prune', 'delete managed documents no longer declared')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the plan and per-node results as JSON (never secrets)')
    .action(
      async (
        planFile: string | undefined,
        opts: { file?: string; prune?: boolean; yes?: boolean; json?: boolean },
      ) => {
        const json = opts.json === true;
        const r = await reportingInvalid(output, json, () =>
          applyOperation(
            {
              file: opts.file,
              prune: opts.prune,
              planFile,
              ...(json ? {} : { onEvent: (e) => output.out(renderApplyEvent(e)) }),
            },
            { env: process.env },
            cliReview(output, { json, yes: opts.yes === true, saved: planFile !== undefined, verb: 'apply' }),
          ),
        );
        reportWarnings(r.validation, output, json);
        finish(r.outcome, output, json, 'apply');
      },
    );
}

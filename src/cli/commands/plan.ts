import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { planOperation } from '../../ops/plan.ts';
import type { Output } from '../boundary.ts';
import { incompleteReason, renderPlan } from '../views/plan.ts';
import { exitWith, reportingInvalid, reportWarnings } from './shared.ts';

export function registerPlan(program: Command, output: Output): void {
  program
    .command('plan')
    .description('show what apply would change on every node (Terraform-like; secrets shown as (sensitive))')
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--json', 'print the plan as JSON (never secrets)')
    .option('--out <plan.json>', 'save the plan (without secrets) for `couchmesh apply plan.json`')
    .option('--detailed-exitcode', 'exit 0 = no changes, 2 = changes, 1 = error (as Terraform)')
    .option('--prune', 'delete managed documents no longer declared')
    .action(
      async (opts: {
        file?: string;
        json?: boolean;
        out?: string;
        detailedExitcode?: boolean;
        prune?: boolean;
      }) => {
        const json = opts.json === true;
        const r = await reportingInvalid(output, json, () => planOperation(opts, { env: process.env }));
        reportWarnings(r.validation, output, json);
        if (json) output.out(JSON.stringify({ ...r.view, ...(r.saved ? { saved: r.saved } : {}) }, null, 2));
        else {
          output.out(renderPlan(r.view));
          if (r.saved)
            output.out(
              `\nSaved the plan to ${r.saved} (no secrets in it). Apply exactly this with: couchmesh apply ${r.saved}`,
            );
        }
        if (!r.view.complete)
          throw userError(
            'E_PLAN_INCOMPLETE',
            `the plan is incomplete: ${incompleteReason(r.view)}`,
            r.view.unreachable.length
              ? 'the other nodes are planned; check the listed nodes (URL, network, credentials) and plan again'
              : 'rename or remove the foreign documents holding couchmesh ids, then plan again',
          );
        if (opts.detailedExitcode && r.view.changes) exitWith(2);
      },
    );
}

import type { Command } from 'commander';
import { CouchmeshError, userError } from '../../core/errors.ts';
import { planOperation } from '../../ops/plan.ts';
import { plural } from '../../spec/diagnostic.ts';
import type { Output } from '../boundary.ts';
import { incompleteHint, incompleteReason, renderPlan } from '../views/plan.ts';
import { exitWith, reportingInvalid, reportWarnings } from './shared.ts';

/** `--detailed-exitcode` with managed documents no longer declared: exit 2, naming the fix. */
const orphansKept = (n: number) =>
  new CouchmeshError(
    'E_PLAN_ORPHANS',
    `${plural(n, 'managed document')} no longer declared ${n === 1 ? 'is' : 'are'} kept and still replicate${n === 1 ? 's' : ''}`,
    {
      hint: 'delete them with: couchmesh apply --prune (see them with: couchmesh plan --prune)',
      kind: 'user',
      exitCode: 2,
      data: { orphans: n },
    },
  );

export function registerPlan(program: Command, output: Output): void {
  program
    .command('plan')
    .description('show what apply would change on every node (Terraform-like; secrets shown as (sensitive))')
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--json', 'print the plan as JSON (never secrets)')
    .option('--out <plan.json>', 'save the plan (without secrets) for `couchmesh apply plan.json`')
    .option(
      '--detailed-exitcode',
      'exit 0 = no changes, 2 = changes or kept orphans (--prune), 1 = error (as Terraform)',
    )
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
            incompleteHint(r.view),
          );
        if (opts.detailedExitcode && r.view.changes) exitWith(2);
        // kept orphans still replicate: "no changes" would hide them from a script (Terraform's 2 = act)
        if (opts.detailedExitcode && r.view.orphans.length) throw orphansKept(r.view.orphans.length);
        // kept replication users can still authenticate: a script must see them too
        if (opts.detailedExitcode && r.view.kept_users?.length) exitWith(2);
      },
    );
}

import type { Command } from 'commander';
import type { Output } from '../boundary.ts';
import { type ApplyCommandResult, applyCommand, cliReview, finish, type Review } from './apply.ts';
import { reportInvalid, reportWarnings, type TopologyDeps } from './plan.ts';

/**
 * `couchmesh destroy` (data, no printing): deletes every `_replicator` document carrying this mesh's
 * ownership marker on every node of the mesh, and nothing else: foreign documents, other meshes'
 * documents and the databases themselves are kept.
 */
export function destroyCommand(
  flags: { file?: string },
  deps: TopologyDeps,
  review: Review,
): Promise<ApplyCommandResult> {
  return applyCommand({ file: flags.file, destroy: true }, deps, review);
}

export function registerDestroy(program: Command, output: Output): void {
  program
    .command('destroy')
    .description(
      'remove every replication document couchmesh owns for this mesh (databases and data are kept)',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the plan and per-node results as JSON (never secrets)')
    .action(async (opts: { file?: string; yes?: boolean; json?: boolean }) => {
      const json = opts.json === true;
      const r = await destroyCommand(
        { file: opts.file },
        { env: process.env },
        cliReview(output, { json, yes: opts.yes === true, saved: false, verb: 'destroy' }),
      );
      if (!r.outcome) return reportInvalid(r.validation, output, json);
      reportWarnings(r.validation, output, json);
      finish(r.outcome, output, json, 'destroy');
    });
}

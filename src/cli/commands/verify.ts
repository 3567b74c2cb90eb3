import { type Command, Option } from 'commander';
import { type VerifyOptions, verifyOperation } from '../../ops/verify.ts';
import type { Output } from '../boundary.ts';
import { paint } from '../views/paint.ts';
import { ProgressLine, renderVerify } from '../views/verify.ts';
import { exitWith, reportingInvalid, untilStopped } from './shared.ts';

const HELP = `
Exit status: 0 every compared pair identical, 2 some pair divergent (after --repair: still divergent),
1 a pair could not be compared (a node unreachable) or a command error, 70 a bug.

Pairs are the mesh's links carrying each database; with --nodes, every pair of those nodes.
--repair replicates exactly the differing ids (one-shot jobs with doc_ids) in the directions the
mesh declares for each link, then verifies again.`;

const int = (v: string) => Number.parseInt(v, 10);

export function registerVerify(program: Command, output: Output): void {
  program
    .command('verify')
    .description(
      'compare what every node holds (ids, leaf revisions, winners) through bucket digests; name what differs',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--db <name>', 'one database (default: every mesh database)')
    .option('--nodes <a,b>', 'compare every pair of these nodes (default: the linked pairs)')
    .option('--repair', 'replicate the differing documents along the declared directions, then verify again')
    .addOption(new Option('--limit <n>', 'ids listed per kind and pair (default 10)').argParser(int))
    .addOption(new Option('--page-size <n>', '_changes rows per request (default 10000)').argParser(int))
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HELP)
    .action(
      async (opts: {
        file?: string;
        db?: string;
        nodes?: string;
        repair?: boolean;
        limit?: number;
        pageSize?: number;
        json?: boolean;
      }) => {
        const json = opts.json === true;
        const options: VerifyOptions = {
          file: opts.file,
          ...(opts.db ? { db: opts.db } : {}),
          ...(opts.nodes
            ? {
                nodes: opts.nodes
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
              }
            : {}),
          ...(opts.repair ? { repair: true } : {}),
          ...(opts.limit !== undefined && opts.limit >= 0 ? { firstN: opts.limit } : {}),
          ...(opts.pageSize && opts.pageSize > 0 ? { pageSize: opts.pageSize } : {}),
        };
        // the progress line goes to stderr, on a terminal only: stdout stays the report
        const tty = process.stderr.isTTY === true;
        const progress = new ProgressLine();
        const outcome = await reportingInvalid(output, json, () =>
          untilStopped((signal) =>
            verifyOperation(options, { env: process.env, signal }, (e) => {
              if (tty) process.stderr.write(`\r\x1b[2K${progress.update(e)}`);
            }),
          ),
        ).finally(() => {
          if (tty) process.stderr.write('\r\x1b[2K');
        });
        if (json) output.out(JSON.stringify(outcome, null, 2));
        else output.out(renderVerify(outcome, paint(process.stdout.isTTY === true)));
        if (outcome.exit_code !== 0) exitWith(outcome.exit_code);
      },
    );
}

import { type Command, Option } from 'commander';
import { type ReconcileOptions, reconcileOperation } from '../../ops/reconcile.ts';
import type { Output } from '../boundary.ts';
import { progressBar, renderReconcile } from '../views/reconcile.ts';
import { reportingInvalid, untilStopped } from './shared.ts';

export function registerReconcile(program: Command, output: Output): void {
  program
    .command('reconcile')
    .argument('<link>', 'the link, a--b')
    .description(
      'one-shot pass: a continuous:false job per direction, followed to completion, its stats shown, its document removed',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--db <name>', 'the database, when the link carries several')
    .option('--direction <a->b>', 'one direction (default: both, one after the other)')
    .addOption(
      new Option('--timeout <ms>', 'give up after (default 1800000)').argParser((v) =>
        Number.parseInt(v, 10),
      ),
    )
    .option('--json', 'print the results as JSON')
    .action(
      async (
        link: string,
        opts: { file?: string; db?: string; direction?: string; timeout?: number; json?: boolean },
      ) => {
        const tty = process.stdout.isTTY === true && !opts.json;
        let lastLine = '';
        const options: ReconcileOptions = {
          link,
          file: opts.file,
          ...(opts.db ? { db: opts.db } : {}),
          ...(opts.direction ? { direction: opts.direction } : {}),
          ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
        };
        const results = await reportingInvalid(output, opts.json === true, () =>
          untilStopped((signal) =>
            reconcileOperation(options, { env: process.env, signal }, (p) => {
              if (opts.json) return;
              const line = progressBar(p);
              if (tty) process.stdout.write(`\r\x1b[2K${line}${p.state === 'completed' ? '\n' : ''}`);
              else if (line !== lastLine) output.out(line);
              lastLine = line;
            }),
          ),
        );
        if (opts.json) output.out(JSON.stringify(results, null, 2));
        else for (const r of results) output.out(renderReconcile(r));
      },
    );
}

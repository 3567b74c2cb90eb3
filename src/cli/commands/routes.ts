import type { Command } from 'commander';
import { routesOperation } from '../../ops/routes.ts';
import type { Output } from '../boundary.ts';
import { paint } from '../views/paint.ts';
import { renderRoutes } from '../views/routes.ts';
import { reportingInvalid, reportWarnings } from './shared.ts';

export function registerRoutes(program: Command, output: Output): void {
  program
    .command('routes')
    .description(
      'every direction: direct or relayed (via which relay, in which mode, why), read from the nodes',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--json', 'print the routes as JSON')
    .action(async (opts: { file?: string; json?: boolean }) => {
      const r = await reportingInvalid(output, opts.json === true, () =>
        routesOperation({ file: opts.file }, { env: process.env }),
      );
      if (opts.json) output.out(JSON.stringify(r.view, null, 2));
      else {
        reportWarnings(r.validation, output, false);
        output.out(renderRoutes(r.view, paint(process.stdout.isTTY === true)));
      }
    });
}

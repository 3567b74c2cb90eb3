import { type Command, Option } from 'commander';
import { metricsOperation } from '../../ops/metrics.ts';
import type { Output } from '../boundary.ts';
import { reportingInvalid, untilStopped } from './shared.ts';

export function registerMetrics(program: Command, output: Output): void {
  program
    .command('metrics')
    .description(
      'serve Prometheus metrics of the mesh (per link direction and per node) on 127.0.0.1:PORT/metrics',
    )
    .addOption(
      new Option('--port <port>', 'TCP port (0: any free port)')
        .argParser((v) => Number.parseInt(v, 10))
        .makeOptionMandatory(),
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .addOption(
      new Option('--interval <ms>', 'poll interval (default: thresholds.observe_interval_ms)').argParser(
        (v) => Number.parseInt(v, 10),
      ),
    )
    .action(async (opts: { port: number; file?: string; interval?: number }) => {
      const options = {
        port: opts.port,
        file: opts.file,
        ...(opts.interval ? { intervalMs: opts.interval } : {}),
      };
      await reportingInvalid(output, false, () =>
        untilStopped((signal) =>
          metricsOperation(options, { env: process.env, signal }, ({ server, poller }) =>
            output.out(
              `couchmesh metrics: ${server.url}/metrics (polling ${poller.targets.length} nodes every ${poller.intervalMs} ms; Ctrl-C stops)`,
            ),
          ),
        ),
      );
    });
}

import { type Command, Option } from 'commander';
import { userError } from '../../core/errors.ts';
import { MeshMetrics, type MetricsServer, serveMetrics } from '../../metrics/exporter.ts';
import type { Poller, PollResult } from '../../observe/poller.ts';
import type { Output } from '../boundary.ts';
import { type CliTelemetryDeps, newPoller, stopSignal, withMesh } from './status.ts';

export interface MetricsFlags {
  file?: string;
  port: number;
  host?: string;
  /** poll interval (default: thresholds.observe_interval_ms) */
  intervalMs?: number;
}

export interface MetricsRun {
  server: MetricsServer;
  poller: Poller;
  metrics: MeshMetrics;
}

/**
 * `couchmesh metrics` (data): polls the mesh in the background and serves the latest values as a
 * Prometheus exposition on 127.0.0.1:PORT/metrics until the signal. `onStart` sees the running
 * server (its URL: with port 0 the system picks one) after the first poll.
 */
export async function metricsCommand(
  flags: MetricsFlags,
  deps: CliTelemetryDeps,
  onStart: (run: MetricsRun) => void = () => {},
  onPoll: (r: PollResult) => void = () => {},
  output: Output | null = null,
): Promise<void> {
  if (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535)
    throw userError('E_PORT', `--port must be 0..65535, got ${flags.port}`);
  await withMesh(flags, deps, output, async (m) => {
    const poller = newPoller(m, deps, flags.intervalMs ? { intervalMs: flags.intervalMs } : {});
    const metrics = new MeshMetrics(m.spec.mesh);
    const stop = stopSignal(deps);
    const first = await poller.pollOnce(stop.signal);
    metrics.update(first);
    onPoll(first);
    const server = await serveMetrics(metrics, flags.port, flags.host ?? '127.0.0.1');
    try {
      onStart({ server, poller, metrics });
      await poller.clock.sleep(poller.intervalMs, stop.signal).catch(() => undefined);
      if (!stop.signal.aborted)
        await poller.run(stop.signal, (r) => {
          metrics.update(r);
          onPoll(r);
        });
    } finally {
      stop.dispose();
      await server.close();
    }
  });
}

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
      await metricsCommand(
        { port: opts.port, file: opts.file, ...(opts.interval ? { intervalMs: opts.interval } : {}) },
        { env: process.env },
        ({ server, poller }) =>
          output.out(
            `couchmesh metrics: ${server.url}/metrics (polling ${poller.targets.length} nodes every ${poller.intervalMs} ms; Ctrl-C stops)`,
          ),
        () => {},
        output,
      );
    });
}

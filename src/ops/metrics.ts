import { userError } from '../core/errors.ts';
import { MeshMetrics, type MetricsServer, serveMetrics } from '../metrics/exporter.ts';
import type { Poller, PollResult } from '../watch/poller.ts';
import type { MeshDeps } from './deps.ts';
import { withMesh } from './mesh.ts';
import { newPoller } from './poll.ts';

export interface MetricsOptions {
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
 * `metrics`: polls the mesh in the background and serves the latest values as a
 * Prometheus exposition on 127.0.0.1:PORT/metrics until `deps.signal`. `onStart` sees the running
 * server (its URL: with port 0 the system picks one) after the first poll.
 */
export async function metricsOperation(
  opts: MetricsOptions,
  deps: MeshDeps,
  onStart: (run: MetricsRun) => void = () => {},
  onPoll: (r: PollResult) => void = () => {},
): Promise<void> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)
    throw userError('E_PORT', `--port must be 0..65535, got ${opts.port}`);
  await withMesh(opts, deps, async (m) => {
    const poller = newPoller(m, deps, opts.intervalMs ? { intervalMs: opts.intervalMs } : {});
    const metrics = new MeshMetrics(m.spec.mesh);
    const signal = deps.signal ?? new AbortController().signal;
    const first = await poller.pollOnce(signal);
    metrics.update(first);
    onPoll(first);
    const server = await serveMetrics(metrics, opts.port, opts.host ?? '127.0.0.1');
    try {
      onStart({ server, poller, metrics });
      await poller.clock.sleep(poller.intervalMs, signal).catch(() => undefined);
      if (!signal.aborted)
        await poller.run(signal, (r) => {
          metrics.update(r);
          onPoll(r);
        });
    } finally {
      await server.close();
    }
  });
}

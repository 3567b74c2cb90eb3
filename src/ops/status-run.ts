/**
 * The status operation: one poll (plus the source-side checkpoint docs for checkpoint ages), or with
 * `watch` a poll every interval until the signal (or `count`), alert transitions sent to the
 * configured sinks. Each report is handed to `onEvent` as it is made (a front end renders it).
 */
import { alerterFromConfig } from '../alerts/alerter.ts';
import { alertsConfigFromFlags } from '../alerts/schema.ts';
import type { AlertEvent } from '../alerts/types.ts';
import { canaryStats } from '../canary/book.ts';
import { withCanary } from '../canary/fields.ts';
import { redactDeep } from '../core/redact.ts';
import { canaryRound } from './canary.ts';
import type { MeshDeps } from './deps.ts';
import { withMesh } from './mesh.ts';
import { meshRedactor } from './mesh-secrets.ts';
import { newPoller } from './poll.ts';
import { checkpointTimes, type StatusReport, statusReport } from './status.ts';
import { filterReport, resolveLinks, type StatusFilter, statusExitCode } from './status-filter.ts';

export interface StatusOptions {
  file?: string;
  watch?: boolean;
  /** poll interval of watch (default: thresholds.observe_interval_ms) */
  intervalMs?: number;
  /** webhook URLs alert transitions are POSTed to (watch) */
  webhook?: string[];
  /** NAME=env:VAR / NAME=file:PATH headers of every webhook (values resolved from deps.env / files) */
  webhookHeader?: string[];
  /** body of every webhook: `json` (default) or `alertmanager` (POST /api/v2/alerts) */
  webhookFormat?: string;
  /** NDJSON files alert transitions are appended to ('-' = stdout; watch) */
  alertLog?: string[];
  minSeverity?: string;
  /** watch: stop after this many polls */
  count?: number;
  /** rows shown (and the exit status); alerts and `summary` always cover the whole mesh */
  filter?: StatusFilter;
  /** with the mesh's canary on (not with watch): how long its one round waits (default min(5 s, timeout_ms)) */
  canaryTimeoutMs?: number;
}

export type StatusEvent =
  | { type: 'report'; report: StatusReport; alerts: AlertEvent[] }
  | { type: 'alert-failed'; sink: string; error: unknown };

export interface StatusRun {
  reports: StatusReport[];
  alerts: AlertEvent[];
  alertStats: Array<{ sink: string; sent: number; failed: number }>;
  /** exit status of the last report (status-filter.ts: 0 ok, 1 warning, 2 critical) */
  exitCode: number;
}

export async function statusOperation(
  opts: StatusOptions,
  deps: MeshDeps,
  onEvent: (e: StatusEvent) => void = () => {},
): Promise<StatusRun> {
  return withMesh(opts, deps, async (m) => {
    const filter = opts.filter?.links?.length
      ? {
          ...opts.filter,
          links: resolveLinks(
            opts.filter.links,
            m.spec.links.map((l) => l.key),
          ),
        }
      : opts.filter;
    const view = (r: StatusReport) => filterReport(r, filter);
    const done = (reports: StatusReport[], alerts: AlertEvent[], alertStats: StatusRun['alertStats']) => ({
      reports,
      alerts,
      alertStats,
      exitCode: statusExitCode(reports.at(-1) ?? { findings: [] }),
    });
    const poller = newPoller(m, deps, opts.intervalMs ? { intervalMs: opts.intervalMs } : {});
    // one canary round beside the first poll (FAILOVER): its latency on the rows as `canary_ms`
    const timeout = Math.min(opts.canaryTimeoutMs ?? 5_000, m.spec.canary?.timeout_ms ?? 5_000);
    const [first, canary] = await Promise.all([
      poller.pollOnce(deps.signal),
      opts.watch ? undefined : canaryRound(m, deps, timeout),
    ]);
    const times = await checkpointTimes(m, first.views);
    // reasons and node errors are quoted in reports: masked like doctor's (text and --json render them)
    const redact = meshRedactor(m);
    const made = statusReport(m, first, times);
    const measured = (f: string, t: string) => canary?.samples.filter((x) => x.from === f && x.to === t);
    if (canary?.enabled)
      made.directions = withCanary(made.directions, (f, t) => canaryStats(measured(f, t) ?? []));
    const reports: StatusReport[] = [view(redactDeep(made, redact))];
    const alertsConfig = alertsConfigFromFlags(opts, deps);
    if (!opts.watch) {
      onEvent({ type: 'report', report: reports[0] as StatusReport, alerts: [] });
      return done(reports, [], []);
    }
    const alerter = alerterFromConfig(alertsConfig, {
      mesh: m.spec.mesh,
      redact,
      ...(deps.clock ? { clock: deps.clock } : {}),
      onError: (sink, error) => onEvent({ type: 'alert-failed', sink: sink.name, error }),
    });
    const alerts: AlertEvent[] = alerter.handle(first.diff, first.at);
    onEvent({ type: 'report', report: reports[0] as StatusReport, alerts: [...alerts] });
    const ac = new AbortController();
    const signal = deps.signal ? AbortSignal.any([deps.signal, ac.signal]) : ac.signal;
    let previous = first.views;
    let polls = 1;
    try {
      if (opts.count !== undefined && polls >= opts.count) return done(reports, alerts, alerter.stats());
      await poller.clock.sleep(poller.intervalMs, signal).catch(() => undefined);
      if (!signal.aborted)
        await poller.run(signal, async (r) => {
          const report = view(redactDeep(statusReport(m, r, times, previous), redact));
          previous = r.views;
          reports.push(report);
          const events = alerter.handle(r.diff, r.at);
          alerts.push(...events);
          onEvent({ type: 'report', report, alerts: events });
          polls++;
          if (opts.count !== undefined && polls >= opts.count) ac.abort();
        });
    } finally {
      await alerter.close();
    }
    return done(reports, alerts, alerter.stats());
  });
}

import { type Command, CommanderError, Option } from 'commander';
import { Alerter, sinksFromConfig } from '../../alerts/alerter.ts';
import { alertsConfigFromFlags } from '../../alerts/schema.ts';
import type { AlertEvent } from '../../alerts/types.ts';
import { dur, iso } from '../../health/finding.ts';
import type { Finding, Severity } from '../../health/types.ts';
import { checkpointTime, readCheckpointDoc, repIdBase } from '../../observe/checkpoints.ts';
import { type OpenMesh, openMesh, type TelemetryDeps } from '../../observe/mesh.ts';
import { Poller, type PollResult, pollTargets } from '../../observe/poller.ts';
import type { DirectionState, LinkView } from '../../observe/snapshot.ts';
import { mapLimit } from '../../plan/observe.ts';
import { formatDiagnostic } from '../../spec/diagnostic.ts';
import type { ValidationResult } from '../../spec/validate.ts';
import type { Output } from '../boundary.ts';
import { invalidMeshError } from './validate.ts';

// ---------------------------------------------------------------------------------------------
// shared by the telemetry commands (status, doctor, checkpoint, reconcile, metrics)

export interface CliTelemetryDeps extends TelemetryDeps {
  /** colour and progress bars (default: process.stdout.isTTY) */
  tty?: boolean;
  /** stops --watch / metrics / reconcile (default: SIGINT / SIGTERM) */
  signal?: AbortSignal;
}

/** Ends the command with this exit code and no message (commander's mechanism, as `plan`). */
export function exitWith(code: number): never {
  throw new CommanderError(code, 'couchmesh.exitCode', '');
}

export function reportInvalidMesh(v: ValidationResult, output: Output, json: boolean): never {
  if (json) output.out(JSON.stringify({ validation: v }, null, 2));
  else for (const d of v.diagnostics) output.err(formatDiagnostic(d));
  throw invalidMeshError(v);
}

/** Opens the mesh, runs `fn`, closes the clients. An invalid mesh is printed and exits 1. */
export async function withMesh<T>(
  flags: { file?: string; json?: boolean },
  deps: TelemetryDeps,
  output: Output | null,
  fn: (m: OpenMesh) => Promise<T>,
): Promise<T> {
  const r = openMesh(flags, deps);
  if (!r.ok) {
    if (output) reportInvalidMesh(r.validation, output, flags.json === true);
    throw invalidMeshError(r.validation);
  }
  try {
    return await fn(r.mesh);
  } finally {
    await r.mesh.close();
  }
}

export function newPoller(
  m: OpenMesh,
  deps: TelemetryDeps,
  extra: { slowIntervalMs?: number; intervalMs?: number } = {},
) {
  return new Poller({
    targets: pollTargets(m.links, m.clients),
    links: m.links,
    thresholds: m.thresholds,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...extra,
  });
}

/** An AbortSignal that fires on Ctrl-C / SIGTERM (or the injected one). */
export function stopSignal(deps: CliTelemetryDeps): { signal: AbortSignal; dispose(): void } {
  if (deps.signal) return { signal: deps.signal, dispose: () => {} };
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  grey(s: string): string;
  bold(s: string): string;
}

const sgr = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const plain = (s: string) => s;

/** ANSI colours on a terminal only (and never with NO_COLOR set). */
export function paint(tty: boolean, env: Readonly<Record<string, string | undefined>> = process.env): Paint {
  if (!tty || env.NO_COLOR)
    return { red: plain, green: plain, yellow: plain, cyan: plain, grey: plain, bold: plain };
  return {
    red: sgr('31'),
    green: sgr('32'),
    yellow: sgr('33'),
    cyan: sgr('36'),
    grey: sgr('90'),
    bold: sgr('1'),
  };
}

export function stateColour(p: Paint, state: string): (s: string) => string {
  switch (state) {
    case 'running':
      return p.green;
    case 'completed':
      return p.cyan;
    case 'pending':
    case 'initializing':
      return p.yellow;
    case 'crashing':
    case 'error':
    case 'failed':
      return p.red;
    default:
      return p.grey;
  }
}

export const severityColour = (p: Paint, s: Severity) =>
  s === 'critical' ? p.red : s === 'warning' ? p.yellow : p.grey;

/** Left-aligned columns; `cells` are plain text (colour applied after padding via `colour`). */
export function table(
  rows: string[][],
  colour: (row: number, col: number, text: string) => string = (_r, _c, t) => t,
): string[] {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  return rows.map((r, ri) =>
    r
      .map((c, ci) => colour(ri, ci, ci === r.length - 1 ? c : c.padEnd(widths[ci] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function findingLine(f: Finding, p: Paint): string {
  const where = f.direction ? `${f.link} ${f.direction} (${f.db})` : `node ${f.node}`;
  return `${severityColour(p, f.severity)(f.severity.toUpperCase().padEnd(8))} ${f.rule.padEnd(20)} ${where}: ${f.message}`;
}

// ---------------------------------------------------------------------------------------------
// status

export interface DirectionRow {
  link: string;
  db: string;
  direction: string;
  from: string;
  to: string;
  doc_node: string | null;
  state: string;
  reason: string | null;
  error_count: number;
  next_retry_at: string | null;
  /** source update_seq - checkpointed_source_seq by numeric seq prefix: a heuristic */
  lag_estimate: number | null;
  lag_heuristic: true;
  changes_pending: number | null;
  docs_written: number | null;
  /** docs written per second since the previous poll (--watch), null when unknown */
  docs_written_per_s: number | null;
  doc_write_failures: number | null;
  checkpointed_seq: string | number | null;
  /** ms since the checkpoint last changed */
  checkpoint_age_ms: number | null;
  /** `checkpoint-doc`: from the _local doc's newest history end_time; `observed`: a lower bound */
  checkpoint_age_basis: 'checkpoint-doc' | 'observed' | null;
  rep_id: string | null;
  confidence: 'full' | 'reduced' | null;
}

export interface NodeRow {
  node: string;
  reachable: boolean;
  confidence: 'full' | 'reduced';
  error?: { code: string; message: string };
  docs: number;
  requests: number;
}

export interface StatusReport {
  mesh: string;
  file: string;
  at: string;
  poll: number;
  summary: {
    nodes: number;
    nodes_reachable: number;
    directions: number;
    by_state: Record<string, number>;
    findings: Record<Severity, number>;
    requests: number;
    poll_ms: number;
  };
  nodes: NodeRow[];
  directions: DirectionRow[];
  findings: Finding[];
}

/** Checkpoint times read from `_local` docs (status reads the source side once per direction). */
type CheckpointTimes = Map<string, { repId: string; at: number | null }>;

const dirKey = (v: { link: string; db: string }, d: { direction: string }) =>
  `${v.link}|${v.db}|${d.direction}`;

function rows(
  views: readonly LinkView[],
  now: number,
  times: CheckpointTimes,
  previous: Map<string, DirectionState>,
): DirectionRow[] {
  return views.flatMap((v) =>
    v.directions.map((d): DirectionRow => {
      const prev = previous.get(dirKey(v, d));
      const t = times.get(dirKey(v, d));
      const fromDoc = t && t.repId === d.repId && t.at !== null ? now - t.at : null;
      const observedAge = d.checkpointAge;
      const age =
        fromDoc !== null && (observedAge === null || fromDoc >= observedAge)
          ? { ms: fromDoc, basis: 'checkpoint-doc' as const }
          : observedAge !== null
            ? { ms: observedAge, basis: 'observed' as const }
            : { ms: null, basis: null };
      const rate =
        prev && prev.repId === d.repId && prev.at !== null && d.at !== null && d.at > prev.at
          ? d.docsWritten !== null && prev.docsWritten !== null && d.docsWritten >= prev.docsWritten
            ? ((d.docsWritten - prev.docsWritten) * 1000) / (d.at - prev.at)
            : null
          : null;
      return {
        link: v.link,
        db: v.db,
        direction: d.direction,
        from: d.from,
        to: d.to,
        doc_node: d.docNode,
        state: d.state,
        reason: d.reason,
        error_count: d.errorCount,
        next_retry_at: d.nextRetryAt === null ? null : new Date(d.nextRetryAt).toISOString(),
        lag_estimate: d.lagEstimate,
        lag_heuristic: true,
        changes_pending: d.changesPending,
        docs_written: d.docsWritten,
        docs_written_per_s: rate === null ? null : Math.round(rate * 10) / 10,
        doc_write_failures: d.docWriteFailures,
        checkpointed_seq: d.checkpointedSeq,
        checkpoint_age_ms: age.ms === null ? null : Math.max(0, age.ms),
        checkpoint_age_basis: age.basis,
        rep_id: d.repId,
        confidence: d.confidence,
      };
    }),
  );
}

export function statusReport(
  m: OpenMesh,
  r: PollResult,
  times: CheckpointTimes = new Map(),
  previous: readonly LinkView[] = [],
): StatusReport {
  const prev = new Map(previous.flatMap((v) => v.directions.map((d) => [dirKey(v, d), d] as const)));
  const directions = rows(r.views, r.at, times, prev);
  const byState: Record<string, number> = {};
  for (const d of directions) byState[d.state] = (byState[d.state] ?? 0) + 1;
  const findings: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of r.findings) findings[f.severity]++;
  return {
    mesh: m.spec.mesh,
    file: m.file,
    at: new Date(r.at).toISOString(),
    poll: r.poll,
    summary: {
      nodes: r.snapshots.length,
      nodes_reachable: r.snapshots.filter((s) => s.reachable).length,
      directions: directions.length,
      by_state: byState,
      findings,
      requests: r.requests.total,
      poll_ms: r.at - r.startedAt,
    },
    nodes: r.snapshots.map((s) => ({
      node: s.node,
      reachable: s.reachable,
      confidence: s.confidence,
      ...(s.error ? { error: s.error } : {}),
      docs: s.docs.length,
      requests: r.requests.byNode[s.node] ?? 0,
    })),
    directions,
    findings: r.findings,
  };
}

/**
 * Reads the source-side checkpoint doc of every direction with a replication id (bounded
 * concurrency): its newest history `end_time` is when the checkpoint last moved.
 */
export async function checkpointTimes(m: OpenMesh, views: readonly LinkView[]): Promise<CheckpointTimes> {
  const todo = views.flatMap((v) =>
    v.directions
      .filter((d) => d.repId !== null && d.observed)
      .map((d) => ({ v, d, repId: d.repId as string })),
  );
  const out: CheckpointTimes = new Map();
  await mapLimit(todo, 8, async ({ v, d, repId }) => {
    const side = await readCheckpointDoc(d.from, m.clients.get(d.from), v.db, repIdBase(repId));
    if (!side.error) out.set(dirKey(v, d), { repId, at: checkpointTime(side.doc) });
  });
  return out;
}

const num = (n: number | null, prefix = '') => (n === null ? '?' : `${prefix}${n}`);

export function renderStatus(r: StatusReport, p: Paint): string {
  const s = r.summary;
  const states = Object.entries(s.by_state)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => stateColour(p, k)(`${n} ${k}`))
    .join(', ');
  const f = s.findings;
  const findings = [
    f.critical ? p.red(`${f.critical} critical`) : '0 critical',
    f.warning ? p.yellow(`${f.warning} warning`) : '0 warning',
    `${f.info} info`,
  ].join(', ');
  const down = r.nodes.filter((n) => !n.reachable).map((n) => n.node);
  const lines = [
    p.bold(
      `mesh ${r.mesh}: ${s.nodes_reachable}/${s.nodes} nodes up${down.length ? ` (down: ${down.join(', ')})` : ''}, ${s.directions} directions: `,
    ) +
      `${states || 'none'} — findings: ${findings}` +
      p.grey(`  (poll #${r.poll} at ${iso(Date.parse(r.at))}: ${s.requests} requests, ${s.poll_ms} ms)`),
    '',
  ];
  const header = [
    'LINK',
    'DB',
    'DIRECTION',
    'STATE',
    'LAG',
    'PENDING',
    'WRITTEN',
    'FAILURES',
    'CKPT AGE',
    'REASON',
  ];
  const body = r.directions.map((d) => {
    const written =
      d.docs_written === null
        ? '?'
        : `${d.docs_written}${d.docs_written_per_s !== null ? ` (${d.docs_written_per_s}/s)` : ''}`;
    const age =
      d.checkpoint_age_ms === null
        ? '?'
        : `${d.checkpoint_age_basis === 'observed' ? '≥' : ''}${dur(d.checkpoint_age_ms)}`;
    const reason = d.reason
      ? `${d.reason}${d.error_count ? ` (${d.error_count} crash${d.error_count === 1 ? '' : 'es'}${d.next_retry_at ? `, retry ≥ ${iso(Date.parse(d.next_retry_at))}` : ''})` : ''}`
      : d.confidence === 'reduced'
        ? 'reduced confidence (no _scheduler API)'
        : '';
    return [
      d.link,
      d.db,
      d.direction,
      d.state,
      num(d.lag_estimate, '~'),
      num(d.changes_pending),
      written,
      num(d.doc_write_failures),
      age,
      reason,
    ];
  });
  lines.push(
    ...table([header, ...body], (ri, ci, text) => {
      if (ri === 0) return p.bold(text);
      const d = r.directions[ri - 1] as DirectionRow;
      if (ci === 3) return stateColour(p, d.state)(text);
      if (ci === 7 && (d.doc_write_failures ?? 0) > 0) return p.yellow(text);
      if (ci === 9) return p.red(text);
      return text;
    }),
  );
  lines.push(
    p.grey(
      'LAG ~: source update_seq − checkpointed_source_seq by seq prefix (a heuristic); ≥: a lower bound',
    ),
  );
  const shown = r.findings.filter((x) => x.severity !== 'info' || x.rule !== 'stale-telemetry');
  if (shown.length) {
    lines.push('', p.bold('findings:'));
    for (const x of shown) lines.push(`  ${findingLine(x, p)}`);
    lines.push(p.grey("  run 'couchmesh doctor [LINK]' for evidence and next steps"));
  }
  return lines.join('\n');
}

export interface StatusFlags {
  file?: string;
  watch?: boolean;
  json?: boolean;
  /** poll interval of --watch (default: thresholds.observe_interval_ms) */
  intervalMs?: number;
  webhook?: string[];
  alertLog?: string[];
  minSeverity?: string;
  /** --watch: stop after this many polls (tests, scripts) */
  count?: number;
}

export interface StatusRun {
  reports: StatusReport[];
  alerts: AlertEvent[];
  alertStats: Array<{ sink: string; sent: number; failed: number }>;
}

/**
 * `couchmesh status` (data; `emit` receives each report as it is made). One poll, plus the
 * source-side checkpoint docs for checkpoint ages; with `watch`, polls until the signal (or `count`)
 * and sends alert transitions to the configured sinks.
 */
export async function statusCommand(
  flags: StatusFlags,
  deps: CliTelemetryDeps,
  emit: (r: StatusReport, alerts: AlertEvent[]) => void = () => {},
  output: Output | null = null,
): Promise<StatusRun> {
  return withMesh(flags, deps, output, async (m) => {
    const poller = newPoller(m, deps, flags.intervalMs ? { intervalMs: flags.intervalMs } : {});
    const first = await poller.pollOnce(deps.signal);
    const times = await checkpointTimes(m, first.views);
    const reports: StatusReport[] = [statusReport(m, first, times)];
    const alertsConfig = alertsConfigFromFlags(flags);
    const alerter = new Alerter({
      mesh: m.spec.mesh,
      resolveAfterPolls: alertsConfig.resolve_after_polls,
      sinks: sinksFromConfig(alertsConfig, deps.clock ? { clock: deps.clock } : {}),
      onError: (sink, e) => output?.err(`couchmesh: alert to ${sink.name} failed: ${(e as Error).message}`),
    });
    const alerts: AlertEvent[] = [];
    if (!flags.watch) {
      emit(reports[0] as StatusReport, []);
      return { reports, alerts, alertStats: [] };
    }
    const sent = alerter.handle(first.diff, first.at);
    alerts.push(...sent);
    emit(reports[0] as StatusReport, sent);
    const stop = stopSignal(deps);
    const ac = new AbortController();
    const signal = AbortSignal.any([stop.signal, ac.signal]);
    let previous = first.views;
    let polls = 1;
    try {
      if (flags.count !== undefined && polls >= flags.count)
        return { reports, alerts, alertStats: alerter.stats() };
      await poller.clock.sleep(poller.intervalMs, signal).catch(() => undefined);
      if (!signal.aborted)
        await poller.run(signal, async (r) => {
          const report = statusReport(m, r, times, previous);
          previous = r.views;
          reports.push(report);
          const events = alerter.handle(r.diff, r.at);
          alerts.push(...events);
          emit(report, events);
          polls++;
          if (flags.count !== undefined && polls >= flags.count) ac.abort();
        });
    } finally {
      stop.dispose();
      await alerter.close();
    }
    return { reports, alerts, alertStats: alerter.stats() };
  });
}

function alertLine(e: AlertEvent, p: Paint): string {
  const tag =
    e.event === 'resolved'
      ? p.green('RESOLVED')
      : e.event === 'changed'
        ? p.yellow('CHANGED ')
        : p.red('RAISED  ');
  const sev = e.event === 'changed' ? `${e.previous_severity} -> ${e.severity}` : e.severity;
  return `${tag} [${sev}] ${e.rule} ${e.direction ? `${e.link} ${e.direction}` : `node ${e.node}`}: ${e.message}`;
}

export function registerStatus(program: Command, output: Output): void {
  program
    .command('status')
    .description(
      'one line per link and direction: state, reason, lag (~ heuristic), pending, docs written, failures, checkpoint age; findings',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('-w, --watch', 'poll every observe_interval_ms until Ctrl-C; send alert transitions to the sinks')
    .option('--json', 'print the report as JSON (with --watch: one JSON object per poll)')
    .addOption(
      new Option('--interval <ms>', 'poll interval of --watch').argParser((v) => Number.parseInt(v, 10)),
    )
    .addOption(
      new Option(
        '--webhook <url>',
        'with --watch: POST each alert transition as JSON to URL (repeatable)',
      ).argParser((v: string, prev: string[] = []) => [...prev, v]),
    )
    .addOption(
      new Option(
        '--alert-log <file>',
        "with --watch: append each alert transition as a JSON line ('-' = stdout)",
      ).argParser((v: string, prev: string[] = []) => [...prev, v]),
    )
    .addOption(
      new Option('--min-severity <level>', 'alert on findings at or above this severity').choices([
        'info',
        'warning',
        'critical',
      ]),
    )
    .addOption(
      new Option('--count <n>', 'with --watch: stop after n polls').argParser((v) => Number.parseInt(v, 10)),
    )
    .action(
      async (opts: {
        file?: string;
        watch?: boolean;
        json?: boolean;
        interval?: number;
        webhook?: string[];
        alertLog?: string[];
        minSeverity?: string;
        count?: number;
      }) => {
        const tty = process.stdout.isTTY === true;
        const p = paint(tty && !opts.json);
        const flags: StatusFlags = {
          file: opts.file,
          watch: opts.watch === true,
          json: opts.json === true,
          ...(opts.interval ? { intervalMs: opts.interval } : {}),
          ...(opts.webhook ? { webhook: opts.webhook } : {}),
          ...(opts.alertLog ? { alertLog: opts.alertLog } : {}),
          ...(opts.minSeverity ? { minSeverity: opts.minSeverity } : {}),
          ...(opts.count ? { count: opts.count } : {}),
        };
        if (!flags.watch && (flags.webhook || flags.alertLog))
          output.err('couchmesh: --webhook / --alert-log only send alerts with --watch');
        await statusCommand(
          flags,
          { env: process.env, tty },
          (r, events) => {
            if (flags.json) {
              output.out(
                JSON.stringify(flags.watch ? { ...r, alerts: events } : r, null, flags.watch ? 0 : 2),
              );
              return;
            }
            if (flags.watch && tty) output.out(`\x1b[2J\x1b[H${renderStatus(r, p)}`);
            else if (flags.watch && r.poll > 1) {
              const s = r.summary;
              output.out(
                `${r.at} poll #${r.poll}: ${s.nodes_reachable}/${s.nodes} nodes up, ${Object.entries(
                  s.by_state,
                )
                  .map(([k, n]) => `${n} ${k}`)
                  .join(', ')}; findings ${s.findings.critical} critical, ${s.findings.warning} warning`,
              );
            } else output.out(renderStatus(r, p));
            for (const e of events) output.out(alertLine(e, p));
          },
          output,
        );
      },
    );
}

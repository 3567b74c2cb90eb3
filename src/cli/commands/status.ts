import { type Command, InvalidArgumentError, Option } from 'commander';
import { isCouchmeshError } from '../../core/errors.ts';
import { DIRECTION_STATES } from '../../metrics/exporter.ts';
import type { StatusReport } from '../../ops/status.ts';
import { STATUS_EXIT } from '../../ops/status-filter.ts';
import { type StatusEvent, type StatusOptions, statusOperation } from '../../ops/status-run.ts';
import { type Output, reportError } from '../boundary.ts';
import { paint } from '../views/paint.ts';
import { alertLine, renderStatus, watchLine } from '../views/status.ts';
import { renderStatusFit } from '../views/status-fit.ts';
import { exitWith, reportingInvalid, untilStopped } from './shared.ts';

const HELP_AFTER = `
Exit status with --exit-status (for scripts and monitoring checks, as a Nagios plugin):
  0  OK        no warning or critical finding among those shown
  1  WARNING   a warning finding shown
  2  CRITICAL  a critical finding shown (a node unreachable, a job failed, crashing for 2 min, ...)
  3  UNKNOWN   the status could not be read (bad mesh file, unknown --link): 'couchmesh: MESSAGE' on
               stderr ({"error": {"code": ...}} with --json)
  70           a bug in couchmesh (its stack on stderr)
Without --exit-status: 0 once the report is printed, 1 a command error (couchmesh's usual codes).

--problems, --link and --state keep rows (text and --json) and decide the exit status; the summary
line, its counts and the alerts always cover the whole mesh. On a terminal --watch fits the screen:
columns are dropped by priority, rows that do not fit collapse into '… N more'.

Alerts resolve once a finding has been absent from 2 polls and clear for 30 s, and, for a
crash-looping job, for longer than its CouchDB backoff (30 s x 2^(crashes-1)): a job restarting
every 30 s raises one alert, not one per restart.`;

export function registerStatus(program: Command, output: Output): void {
  program
    .command('status')
    .description(
      'one line per link and direction: state, reason, lag (~ heuristic), pending, docs written, failures, checkpoint age; findings',
    )
    .addHelpText('after', HELP_AFTER)
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('-w, --watch', 'poll every observe_interval_ms until Ctrl-C; send alert transitions to the sinks')
    .option('--json', 'print the report as JSON (with --watch: one JSON object per poll)')
    .option(
      '--exit-status',
      'exit 0 when no finding is shown, 1 on a warning, 2 on a critical one (Nagios plugin convention; with --watch: of the last poll). A command error (bad mesh file, unknown link) then exits 3 (UNKNOWN), its message and code on stderr; a bug exits 70',
    )
    .option(
      '--problems',
      'only directions and nodes with a finding or not running (the summary still counts everything)',
    )
    .addOption(
      new Option(
        '--link <a--b>',
        'only this link (repeatable; the summary still counts everything)',
      ).argParser((v: string, prev: string[] = []) => [...prev, v]),
    )
    .addOption(
      new Option('--state <state>', 'only directions in this state (repeatable)')
        .choices(DIRECTION_STATES)
        .argParser((v: string, prev: string[] = []) => {
          if (!(DIRECTION_STATES as readonly string[]).includes(v))
            throw new InvalidArgumentError(`Allowed choices are ${DIRECTION_STATES.join(', ')}.`);
          return [...prev, v];
        }),
    )
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
        '--webhook-header <name=ref>',
        'with --webhook: a request header whose value is read from a reference, NAME=env:VARIABLE or NAME=file:PATH (repeatable; never a literal value)',
      ).argParser((v: string, prev: string[] = []) => [...prev, v]),
    )
    .addOption(
      new Option(
        '--webhook-format <format>',
        "with --webhook: body of each POST, couchmesh's alert event (json) or Alertmanager's /api/v2/alerts array (alertmanager: point --webhook at http://ALERTMANAGER/api/v2/alerts)",
      )
        .choices(['json', 'alertmanager'])
        .default('json'),
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
        webhookHeader?: string[];
        webhookFormat?: string;
        alertLog?: string[];
        minSeverity?: string;
        count?: number;
        exitStatus?: boolean;
        problems?: boolean;
        link?: string[];
        state?: string[];
      }) => {
        const tty = process.stdout.isTTY === true;
        const json = opts.json === true;
        const watch = opts.watch === true;
        const p = paint(tty && !json);
        const options: StatusOptions = {
          file: opts.file,
          watch,
          ...(opts.interval ? { intervalMs: opts.interval } : {}),
          ...(opts.webhook ? { webhook: opts.webhook } : {}),
          ...(opts.webhookHeader ? { webhookHeader: opts.webhookHeader } : {}),
          ...(opts.webhookFormat ? { webhookFormat: opts.webhookFormat } : {}),
          ...(opts.alertLog ? { alertLog: opts.alertLog } : {}),
          ...(opts.minSeverity ? { minSeverity: opts.minSeverity } : {}),
          ...(opts.count ? { count: opts.count } : {}),
          filter: {
            ...(opts.problems ? { problems: true } : {}),
            ...(opts.link ? { links: opts.link } : {}),
            ...(opts.state ? { states: opts.state } : {}),
          },
        };
        if (!watch && (options.webhook || options.alertLog))
          output.err('couchmesh: --webhook / --alert-log only send alerts with --watch');
        // on a terminal the watch view is redrawn to its size, at each poll and when it is resized
        let lastFrame: StatusReport | undefined;
        const frame = (r: StatusReport) =>
          output.out(
            `\x1b[2J\x1b[H${renderStatusFit(r, p, { width: process.stdout.columns ?? 80, height: process.stdout.rows ?? 24 })}`,
          );
        const onResize = () => {
          if (lastFrame) frame(lastFrame);
        };
        if (watch && tty && !json) process.stdout.on('resize', onResize);
        const show = (e: StatusEvent) => {
          if (e.type === 'alert-failed') {
            output.err(`couchmesh: alert to ${e.sink} failed: ${(e.error as Error).message}`);
            return;
          }
          const r = e.report;
          if (json) {
            output.out(JSON.stringify(watch ? { ...r, alerts: e.alerts } : r, null, watch ? 0 : 2));
            return;
          }
          if (watch && tty) {
            lastFrame = r;
            frame(r);
          } else if (watch && r.poll > 1) output.out(watchLine(r));
          else output.out(renderStatus(r, p));
          for (const a of e.alerts) output.out(alertLine(a, p));
        };
        const run = () =>
          reportingInvalid(output, json, () =>
            untilStopped((signal) => statusOperation(options, { env: process.env, signal }, show)),
          ).finally(() => process.stdout.off('resize', onResize));
        if (!opts.exitStatus) {
          await run();
          return;
        }
        // a monitoring check: 0/1/2 are the mesh's health, so a command that could not look is UNKNOWN (3)
        let code: number;
        try {
          code = (await run()).exitCode;
        } catch (e) {
          if (!isCouchmeshError(e) || e.kind !== 'user') throw e;
          reportError(e, output, json);
          code = STATUS_EXIT.unknown;
        }
        if (code !== 0) exitWith(code);
      },
    );
}

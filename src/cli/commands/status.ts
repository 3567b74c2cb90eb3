import { type Command, Option } from 'commander';
import { type StatusEvent, type StatusOptions, statusOperation } from '../../ops/status-run.ts';
import type { Output } from '../boundary.ts';
import { paint } from '../views/paint.ts';
import { alertLine, renderStatus, watchLine } from '../views/status.ts';
import { reportingInvalid, untilStopped } from './shared.ts';

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
        '--webhook-header <name=ref>',
        'with --webhook: a request header whose value is read from a reference, NAME=env:VARIABLE or NAME=file:PATH (repeatable; never a literal value)',
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
        webhookHeader?: string[];
        alertLog?: string[];
        minSeverity?: string;
        count?: number;
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
          ...(opts.alertLog ? { alertLog: opts.alertLog } : {}),
          ...(opts.minSeverity ? { minSeverity: opts.minSeverity } : {}),
          ...(opts.count ? { count: opts.count } : {}),
        };
        if (!watch && (options.webhook || options.alertLog))
          output.err('couchmesh: --webhook / --alert-log only send alerts with --watch');
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
          if (watch && tty) output.out(`\x1b[2J\x1b[H${renderStatus(r, p)}`);
          else if (watch && r.poll > 1) output.out(watchLine(r));
          else output.out(renderStatus(r, p));
          for (const a of e.alerts) output.out(alertLine(a, p));
        };
        await reportingInvalid(output, json, () =>
          untilStopped((signal) => statusOperation(options, { env: process.env, signal }, show)),
        );
      },
    );
}

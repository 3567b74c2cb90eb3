import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import pino from 'pino';
import { startApi } from '../../api/index.ts';
import { type Controller, startController, stateDirFor } from '../../controller/controller.ts';
import { controllerLogger } from '../../controller/log.ts';
import { userError } from '../../core/errors.ts';
import { meshFilePath } from '../../spec/load.ts';
import type { Output } from '../boundary.ts';
import { RunView, startedLine } from '../views/run.ts';
import { reportingInvalid, untilStopped } from './shared.ts';

interface RunFlags {
  file?: string;
  dryRun?: boolean;
  stateDir?: string;
  listen?: string;
  json?: boolean;
  webhook?: string[];
  webhookHeader?: string[];
  alertLog?: string[];
  minSeverity?: string;
}

const many = (v: string, prev: string[] = []) => [...prev, v];

/** `127.0.0.1:PORT` (a host is required so binding beyond loopback is always explicit). */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535)
    throw userError('E_PORT', `--listen wants HOST:PORT, got ${v}`, 'e.g. --listen 127.0.0.1:8080');
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

/**
 * The HTTP API and dashboard (src/api, another change): loaded when present, so merging it is
 * this one place. API HOOK: replace with `import { startApi } from '../../api/index.ts'`.
 */
/** The HTTP API and dashboard on `listen` (a token from COUCHMESH_API_TOKEN; required off loopback). */
function startApiFor(c: Controller, listen: { host: string; port: number }, env: NodeJS.ProcessEnv) {
  return startApi(c, { ...listen, ...(env.COUCHMESH_API_TOKEN ? { token: env.COUCHMESH_API_TOKEN } : {}) });
}

export function registerRun(program: Command, output: Output): void {
  program
    .command('run')
    .description(
      'the controller: keep the mesh as declared (drift repair, health, alerts, remediation, conflicts) until SIGTERM',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--dry-run', 'record what the controller would do, change nothing')
    .option('--state-dir <dir>', "the controller's local store (default: .couchmesh/ beside mesh.yaml)")
    .option(
      '--listen <host:port>',
      'serve the HTTP API and dashboard (127.0.0.1:PORT; token required elsewhere)',
    )
    .option('--json', 'JSON log lines on stdout instead of progress lines')
    .addOption(
      new Option('--webhook <url>', 'POST alert transitions and actions as JSON (repeatable)').argParser(
        many,
      ),
    )
    .addOption(
      new Option(
        '--webhook-header <name=ref>',
        'NAME=env:VARIABLE or NAME=file:PATH header of every webhook',
      ).argParser(many),
    )
    .addOption(new Option('--alert-log <file>', "append alerts as JSON lines ('-' = stdout)").argParser(many))
    .addOption(
      new Option('--min-severity <level>', 'alert at or above').choices(['info', 'warning', 'critical']),
    )
    .action(async (flags: RunFlags) => {
      const listen = flags.listen ? parseListen(flags.listen) : null;
      const file = meshFilePath(flags.file, process.env);
      const stateDir = stateDirFor(file, flags.stateDir);
      let logFd: number | null = null;
      const logFile = flags.json ? null : join(stateDir, 'controller.log');
      await reportingInvalid(output, !!flags.json, () =>
        untilStopped(async (signal) => {
          const view = new RunView();
          const c = startController(
            {
              file,
              dryRun: !!flags.dryRun,
              stateDir,
              alerts: flags,
              log: (redact) => {
                if (logFile) {
                  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
                  logFd = openSync(logFile, 'a', 0o600);
                }
                return controllerLogger(redact, pino.destination({ dest: logFd ?? 1, sync: true }));
              },
            },
            { env: process.env, signal },
          );
          try {
            if (!flags.json) {
              output.out(startedLine(c.snapshot(), c.stateDir, logFile));
              c.subscribe((e) => {
                const line = view.line(e);
                if (line) output.out(line);
              });
            }
            const api = listen ? await startApiFor(c, listen, process.env) : null;
            if (listen && !flags.json) output.out(`dashboard and API: ${api?.url}`);
            await c.stopped;
            await api?.close();
          } finally {
            await c.stop();
            if (logFd !== null) closeSync(logFd);
          }
          if (!flags.json) output.out('couchmesh run: stopped');
        }),
      );
    });
}

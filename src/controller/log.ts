/**
 * The controller's structured log: pino JSON lines, every object and message run through the
 * mesh's redactor first (node passwords, their basic-auth tokens, URL userinfo), so a log shipped
 * anywhere carries no secret. Errors are logged as `{ code, message }`, never with a stack of
 * request options.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { type Redactor, redactDeep } from '../core/redact.ts';

export type { Logger };

export function controllerLogger(redact: Redactor, dest: DestinationStream, level = 'info'): Logger {
  return pino(
    {
      level,
      base: { name: 'couchmesh-controller' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (o) => redactDeep(o as Record<string, unknown>, redact),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    dest,
  );
}

/** An error as a log field: its code (null when it has none) and message only. */
export function errorField(e: unknown): { code: string | null; message: string } {
  const code =
    e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string'
      ? (e as { code: string }).code
      : null;
  return { code, message: e instanceof Error ? e.message : String(e) };
}

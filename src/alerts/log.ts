/** Log sink: one JSON line (NDJSON) per alert event, appended to a file or written to stdout ('-'). */
import { appendFile } from 'node:fs/promises';
import type { Severity } from '../health/types.ts';
import type { AlertEvent, AlertSink } from './types.ts';

export class LogSink implements AlertSink {
  readonly name: string;
  readonly minSeverity: Severity;
  readonly #write: (line: string) => Promise<void>;

  /** `target`: a file path, '-' for stdout, or a function receiving each line (with its newline). */
  constructor(target: string | ((line: string) => void | Promise<void>), minSeverity: Severity = 'warning') {
    this.minSeverity = minSeverity;
    if (typeof target === 'function') {
      this.name = 'log';
      this.#write = async (l) => target(l);
    } else if (target === '-') {
      this.name = 'log (stdout)';
      this.#write = async (l) => {
        process.stdout.write(l);
      };
    } else {
      this.name = `log ${target}`;
      this.#write = (l) => appendFile(target, l, 'utf8');
    }
  }

  send(event: AlertEvent): Promise<void> {
    return this.#write(`${JSON.stringify(event)}\n`);
  }
}

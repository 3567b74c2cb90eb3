/** What every thin command shares: exit codes, invalid-mesh diagnostics, confirmation, Ctrl-C. */
import { createInterface } from 'node:readline/promises';
import { CommanderError } from 'commander';
import { userError } from '../../core/errors.ts';
import { MeshInvalidError } from '../../ops/mesh.ts';
import { formatDiagnostic } from '../../spec/diagnostic.ts';
import type { ValidationResult } from '../../spec/validate.ts';
import type { Output } from '../boundary.ts';

/** Ends the command with this exit code and no message (commander's own mechanism, see main.ts). */
export function exitWith(code: number): never {
  throw new CommanderError(code, 'couchmesh.exitCode', '');
}

/** Diagnostics of an invalid mesh: on stderr (human) so stdout stays the result, or as JSON. */
export function printInvalid(v: ValidationResult, output: Output, json: boolean): void {
  if (json) output.out(JSON.stringify({ validation: v }, null, 2));
  else for (const d of v.diagnostics) output.err(formatDiagnostic(d));
}

export function reportWarnings(v: ValidationResult, output: Output, json: boolean): void {
  if (!json) for (const d of v.diagnostics) output.err(formatDiagnostic(d));
}

/** Runs an operation; an invalid mesh has its diagnostics printed before the coded error goes on. */
export async function reportingInvalid<T>(output: Output, json: boolean, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof MeshInvalidError) printInvalid(e.validation, output, json);
    throw e;
  }
}

/** A `yes` typed on the terminal (only 'yes' is accepted, as Terraform). */
export async function askYes(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(`${question} Only 'yes' will be accepted: `)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

/**
 * Asks "yes?" on the terminal. Without a terminal (CI, pipes) or with --json there is nobody to ask:
 * the command is refused with a hint to pass --yes.
 */
export async function confirmOnTerminal(question: string, json: boolean, what: string): Promise<boolean> {
  if (json || !process.stdin.isTTY)
    throw userError(
      'E_CONFIRM',
      `${what} changes the nodes and there is no terminal to confirm it`,
      'review the plan (couchmesh plan), then pass --yes',
    );
  return askYes(question);
}

/** An AbortSignal that fires on Ctrl-C / SIGTERM. */
export function stopSignal(): { signal: AbortSignal; dispose(): void } {
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

/** Runs `fn` with a Ctrl-C / SIGTERM signal, removing the handlers afterwards. */
export async function untilStopped<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = stopSignal();
  try {
    return await fn(stop.signal);
  } finally {
    stop.dispose();
  }
}

import { isCouchmeshError } from '../core/errors.ts';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** Exit codes: 0 ok, 1 user error / failure, 2 "changes present" (plan --detailed-exitcode), 70 internal bug. */
export const EXIT_BUG = 70;

/**
 * The one error boundary of the CLI (changesets-style): user mistakes become one message line plus
 * a hint and their exit code; anything else is a bug and gets its stack, so it can be reported.
 */
export function reportError(e: unknown, output: Output, json: boolean): number {
  if (isCouchmeshError(e) && e.kind === 'user') {
    if (json) output.err(JSON.stringify({ error: e.toJSON() }));
    else {
      output.err(`couchmesh: ${e.message}`);
      if (e.hint) output.err(`  hint: ${e.hint}`);
    }
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  output.err(`couchmesh: internal error (a bug, please report it): ${err.message}`);
  if (err.stack) output.err(err.stack);
  return EXIT_BUG;
}

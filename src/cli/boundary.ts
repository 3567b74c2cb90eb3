import { EXIT } from '../core/codes.ts';
import { isCouchmeshError } from '../core/errors.ts';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** Exit codes live with the error codes (core/codes.ts `EXIT`): 70 is an internal bug. */
export const EXIT_BUG = EXIT.bug;

/**
 * The one error boundary of the CLI (changesets-style): user mistakes become one message line plus
 * a hint and their exit code; anything else is a bug and gets its stack, so it can be reported.
 * Which codes are user mistakes, their default hints and exit codes are the registry's
 * (core/codes.ts): a `CouchmeshError` carries them from its code.
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

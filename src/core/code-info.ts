/**
 * The shape of one entry of the error-code registry (`codes.ts`), and the two ways to make one.
 * `kind: 'user'` marks mistakes the user can fix (bad input, unreachable node, refused credentials):
 * the CLI prints message + hint, no stack, and exits 1. `kind: 'bug'` is reported with its stack
 * and exit code 70.
 */
export type ErrorKind = 'user' | 'bug';

export interface CodeInfo {
  /** What the code means, for people reading `--json` output or logs. */
  readonly meaning: string;
  /** The hint an error with this code carries when the place that throws it gives none. */
  readonly hint?: string;
  readonly kind: ErrorKind;
}

export function user(meaning: string, hint?: string): CodeInfo {
  return hint === undefined ? { meaning, kind: 'user' } : { meaning, hint, kind: 'user' };
}

export function bug(meaning: string): CodeInfo {
  return { meaning, kind: 'bug' };
}

/** A warning code's entry: warnings are reported, never thrown, so they have no kind. */
export interface WarningInfo {
  readonly meaning: string;
}

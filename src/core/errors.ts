/**
 * One error base for the whole project (undici-style): a stable `code` for programs, a message for
 * people, a `hint` that names the fix, structured `data`, and the `cause` chain.
 *
 * `code` is a registered `ErrorCode` (codes.ts): the registry gives the error its default hint and
 * its kind. `kind: 'user'` marks mistakes the user can fix (bad input, unreachable node, refused
 * credentials): the CLI prints message + hint and no stack. Anything else that reaches the boundary
 * is a bug.
 */
import { CODES, type ErrorCode, type ErrorKind, EXIT_CODE_OF_KIND } from './codes.ts';

export type { ErrorCode, ErrorKind };

export interface CouchmeshErrorOptions {
  hint?: string;
  data?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the registry's kind for this one error. */
  kind?: ErrorKind;
  /** Overrides the exit code of the kind (1 for user errors). */
  exitCode?: number;
}

export class CouchmeshError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown>;
  readonly kind: ErrorKind;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: CouchmeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const info = CODES[code];
    this.name = 'CouchmeshError';
    this.code = code;
    this.hint = options.hint ?? info?.hint;
    this.data = options.data ?? {};
    this.kind = options.kind ?? info?.kind ?? 'bug';
    this.exitCode = options.exitCode ?? EXIT_CODE_OF_KIND[this.kind];
  }

  /** Plain JSON for `--json` output and logs (never carries secrets: callers must not put them in data). */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, data: this.data };
  }
}

/** A mistake in what the user gave us (arguments, files, configuration). */
export function userError(code: ErrorCode, message: string, hint?: string, data?: Record<string, unknown>) {
  return new CouchmeshError(code, message, { hint, data, kind: 'user', exitCode: 1 });
}

export function isCouchmeshError(e: unknown): e is CouchmeshError {
  return e instanceof CouchmeshError;
}

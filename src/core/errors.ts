/**
 * One error base for the whole project (undici-style): a stable `code` for programs, a message for
 * people, a `hint` that names the fix, structured `data`, and the `cause` chain.
 *
 * `kind: 'user'` marks mistakes the user can fix (bad input, unreachable node, refused credentials):
 * the CLI prints message + hint and no stack. Anything else that reaches the boundary is a bug.
 */
export type ErrorKind = 'user' | 'bug';

export interface CouchmeshErrorOptions {
  hint?: string;
  data?: Record<string, unknown>;
  cause?: unknown;
  kind?: ErrorKind;
  exitCode?: number;
}

export class CouchmeshError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown>;
  readonly kind: ErrorKind;
  readonly exitCode: number;

  constructor(code: string, message: string, options: CouchmeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CouchmeshError';
    this.code = code;
    this.hint = options.hint;
    this.data = options.data ?? {};
    this.kind = options.kind ?? 'user';
    this.exitCode = options.exitCode ?? 1;
  }

  /** Plain JSON for `--json` output and logs (never carries secrets: callers must not put them in data). */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, data: this.data };
  }
}

/** A mistake in what the user gave us (arguments, files, configuration). */
export function userError(code: string, message: string, hint?: string, data?: Record<string, unknown>) {
  return new CouchmeshError(code, message, { hint, data, kind: 'user', exitCode: 1 });
}

export function isCouchmeshError(e: unknown): e is CouchmeshError {
  return e instanceof CouchmeshError;
}

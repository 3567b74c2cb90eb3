import { CouchmeshError } from '../core/errors.ts';
import { maskUrlUserinfo } from '../core/redact.ts';

/**
 * Stable codes of every failure the CouchDB client reports. Programs branch on `code` (and `status`),
 * people read `message` and `hint`. No credential ever reaches a message, `data` or `toJSON()`:
 * `node` is the base URL without userinfo, and request headers/bodies are never copied into errors.
 */
export const CouchErrorCode = {
  /** Any non-2xx answer without a more specific code below (5xx, 400, 412, 429 after retries, ...). */
  HTTP: 'E_COUCH_HTTP',
  /** 401: credentials missing or refused (basic or `_session` login). */
  AUTH: 'E_COUCH_AUTH',
  /** 403: authenticated, but not allowed. */
  FORBIDDEN: 'E_COUCH_FORBIDDEN',
  /** 404. */
  NOT_FOUND: 'E_COUCH_NOT_FOUND',
  /** 409: document update conflict. */
  CONFLICT: 'E_COUCH_CONFLICT',
  /** Connection refused/reset/closed, DNS failure: the node could not be talked to. */
  UNREACHABLE: 'E_COUCH_UNREACHABLE',
  /** Connect, headers or body timeout (`timeoutMs`). */
  TIMEOUT: 'E_COUCH_TIMEOUT',
  /** The TLS handshake failed (certificate not trusted, wrong host name, ...). Never retried. */
  TLS: 'E_COUCH_TLS',
  /** The caller's AbortSignal fired. `cause` is the signal's reason. */
  ABORTED: 'E_COUCH_ABORTED',
  /** The node answered something that is not what CouchDB sends (bad JSON, bad feed line). */
  PROTOCOL: 'E_COUCH_PROTOCOL',
  /** The client was closed. */
  CLOSED: 'E_COUCH_CLOSED',
  /** Invalid client or request options (a bug or a config mistake, reported at the boundary). */
  OPTION: 'E_COUCH_OPTION',
  /** The node URL carries `user:password@`; credentials belong in `auth`. */
  URL_CREDENTIALS: 'E_COUCH_URL_CREDENTIALS',
} as const;
export type CouchErrorCode = (typeof CouchErrorCode)[keyof typeof CouchErrorCode];

/**
 * The codes of failures that got no answer from the node's HTTP server (refused, reset, DNS, timed
 * out, the TLS handshake failed): the only ones that may be called "unreachable". An answer — a 500,
 * a 401, a body that is not CouchDB's — is the node failing, never unreachable.
 */
export const isNoAnswer = (code: string): boolean =>
  code === CouchErrorCode.UNREACHABLE || code === CouchErrorCode.TIMEOUT || code === CouchErrorCode.TLS;

/** Where a failure happened: enough to find the request in logs, never a secret. */
export interface CouchErrorContext {
  /** Base URL of the node, without credentials, e.g. `http://127.0.0.1:5984`. */
  node: string;
  method: string;
  /** Request path relative to `node`, without the query string. */
  path: string;
  /** How many times the request was sent (1 = no retry). */
  attempts?: number;
}

export interface CouchErrorInit extends CouchErrorContext {
  status?: number;
  /** CouchDB's `error` field, e.g. `not_found`. */
  error?: string;
  /** CouchDB's `reason` field, e.g. `missing`. */
  reason?: string;
  /** Milliseconds the server asked us to wait (Retry-After), when it did. */
  retryAfterMs?: number;
  hint?: string;
  cause?: unknown;
}

export class CouchError extends CouchmeshError {
  override readonly code: CouchErrorCode;
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly reason: string | undefined;
  readonly node: string;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(code: CouchErrorCode, message: string, init: CouchErrorInit) {
    // A node URL never carries userinfo here (parseNodeUrl refuses it), but an error is shown, logged
    // and serialised: render every URL in it without a password whatever the caller passed (CouchDB's
    // couch_util:url_strip_password does the same before logging a replication endpoint).
    const node = withoutUserinfo(init.node);
    const reason = init.reason === undefined ? undefined : maskUrlUserinfo(init.reason);
    super(code, maskUrlUserinfo(message), {
      hint: init.hint,
      cause: init.cause,
      data: compact({
        node,
        method: init.method,
        path: init.path,
        status: init.status,
        error: init.error,
        reason,
        attempts: init.attempts ?? 1,
        retryAfterMs: init.retryAfterMs,
      }),
    });
    this.name = 'CouchError';
    this.code = code;
    this.status = init.status;
    this.error = init.error;
    this.reason = reason;
    this.node = node;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts ?? 1;
  }

  /** The same error, recording how many attempts were made before giving up. */
  withAttempts(attempts: number): CouchError {
    if (attempts === this.attempts) return this;
    const e = new CouchError(this.code, this.message.replace(/ \(after \d+ attempts\)$/, ''), {
      ...this.init(),
      attempts,
    });
    if (attempts > 1) e.message = `${e.message} (after ${attempts} attempts)`;
    e.stack = `${e.name}: ${e.message}\n${(this.stack ?? '').split('\n').slice(1).join('\n')}`;
    return e;
  }

  private init(): CouchErrorInit {
    return {
      node: this.node,
      method: this.method,
      path: this.path,
      status: this.status,
      error: this.error,
      reason: this.reason,
      retryAfterMs: this.data.retryAfterMs as number | undefined,
      hint: this.hint,
      cause: this.cause,
    };
  }
}

export function isCouchError(e: unknown, code?: CouchErrorCode): e is CouchError {
  return e instanceof CouchError && (code === undefined || e.code === code);
}

/** `http://u:pw@host:5984/x` -> `http://host:5984/x` (a base URL shown in errors names the node, not a user). */
export function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/i, '$1');
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

const STATUS_CODES: Record<number, CouchErrorCode> = {
  401: CouchErrorCode.AUTH,
  403: CouchErrorCode.FORBIDDEN,
  404: CouchErrorCode.NOT_FOUND,
  409: CouchErrorCode.CONFLICT,
};

const STATUS_HINTS: Record<number, string> = {
  401: 'check the client auth (username/password); the node refused or did not receive credentials',
  403: "the user is authenticated but not allowed: check the database's _security members/admins",
  429: 'the node is rate-limiting this client; lower the request rate or raise the node limit',
  503: 'the node is temporarily unavailable; retry later',
};

/** A CouchError for a non-2xx answer; `body` is the response text (CouchDB's `{error, reason}` when JSON). */
export function httpError(
  ctx: CouchErrorContext,
  status: number,
  body: string,
  retryAfterMs?: number,
): CouchError {
  let error: string | undefined;
  let reason: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown; reason?: unknown };
    if (typeof parsed.error === 'string') error = parsed.error;
    if (typeof parsed.reason === 'string') reason = parsed.reason;
  } catch {
    // not JSON (a proxy's HTML page, an empty HEAD body): keep status only
  }
  const code = STATUS_CODES[status] ?? CouchErrorCode.HTTP;
  const what = error ? ` ${error}${reason ? `: ${reason}` : ''}` : '';
  const hint = STATUS_HINTS[status] ?? (status >= 500 ? 'the node failed; see its log' : undefined);
  return new CouchError(code, `${ctx.method} ${ctx.node}${ctx.path} -> ${status}${what}`, {
    ...ctx,
    status,
    error,
    reason,
    retryAfterMs,
    hint,
  });
}

export function optionError(message: string, hint?: string): CouchError {
  return new CouchError(CouchErrorCode.OPTION, message, { node: '', method: '', path: '', hint });
}

import type { Clock } from '../core/clock.ts';
import { CouchError, CouchErrorCode, type CouchErrorContext, httpError } from './errors.ts';
import type { AuthOptions } from './options.ts';
import type { Headers } from './transport.ts';

/** Credentials to attach to one request, and which login they came from. */
export interface AuthState {
  headers: Record<string, string>;
  generation: number;
}

/**
 * How a client authenticates. The password lives only in the closure of the authenticator built
 * by `createAuthenticator`; nothing here is enumerable, printable or serialisable.
 */
export interface Authenticator {
  readonly mode: 'none' | 'basic' | 'cookie';
  /** Headers for the next request (logs in first, or refreshes a session close to expiry). */
  prepare(signal?: AbortSignal): Promise<AuthState>;
  /** Learns a refreshed `AuthSession` cookie from any response. */
  observe(headers: Headers): void;
  /** A request sent with `state` got 401: logs in again (once per session). True if a resend may work. */
  renew(state: AuthState, signal?: AbortSignal): Promise<boolean>;
}

/** Sends `POST /_session` (form-encoded) without auth and returns the raw answer. */
export type LoginFn = (
  form: string,
  signal?: AbortSignal,
) => Promise<{ status: number; headers: Headers; text: string }>;

/** CouchDB's `[chttpd_auth] timeout` default, used when a Set-Cookie carries no lifetime. */
const DEFAULT_SESSION_S = 600;
/** Refresh once this share of the session lifetime has passed (CouchDB's replicator: 550 s of 600). */
const REFRESH_AT = 0.9;

export interface SessionCookie {
  value: string;
  /** Lifetime in ms from the moment it was received, when the server said. */
  lifetimeMs: number | undefined;
}

/** The AuthSession cookie of a response, if any. An empty value means the server cleared it. */
export function parseAuthCookie(headers: Headers, nowMs: number): SessionCookie | undefined {
  const raw = headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  for (const line of list) {
    const m = /^\s*AuthSession=([^;]*)/.exec(line);
    if (!m) continue;
    const maxAge = /;\s*Max-Age=(\d+)/i.exec(line)?.[1];
    const expires = /;\s*Expires=([^;]+)/i.exec(line)?.[1];
    let lifetimeMs: number | undefined;
    if (maxAge !== undefined) lifetimeMs = Number(maxAge) * 1000;
    else if (expires !== undefined) {
      const at = Date.parse(expires.replace(/(\d\d)-(\w\w\w)-(\d{4})/, '$1 $2 $3'));
      if (!Number.isNaN(at)) lifetimeMs = Math.max(0, at - nowMs);
    }
    return { value: m[1] as string, lifetimeMs };
  }
  return undefined;
}

/** `p`, or the signal's reason if it aborts first. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const none: Authenticator = {
  mode: 'none',
  prepare: async () => ({ headers: {}, generation: 0 }),
  observe: () => undefined,
  renew: async () => false,
};

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function basic(username: string, password: string): Authenticator {
  const headers = Object.freeze({ authorization: basicHeader(username, password) });
  return {
    mode: 'basic',
    prepare: async () => ({ headers: { ...headers }, generation: 0 }),
    observe: () => undefined,
    renew: async () => false,
  };
}

/** Statuses of a `_session` login that mean "no cookie sessions here": fall back to Basic auth. */
const NO_SESSION = new Set([400, 404, 405, 415, 501]);

function cookieSession(
  username: string,
  password: string,
  login: LoginFn,
  clock: Clock,
  ctx: CouchErrorContext,
): Authenticator {
  let cookie: string | undefined;
  let refreshAt = Number.POSITIVE_INFINITY;
  let generation = 0;
  let fallback: string | undefined; // a Basic header once the node turned out to have no _session
  let pending: Promise<void> | undefined;
  const form = `name=${encodeURIComponent(username)}&password=${encodeURIComponent(password)}`;

  const accept = (c: SessionCookie) => {
    cookie = c.value || undefined;
    const life = c.lifetimeMs ?? DEFAULT_SESSION_S * 1000;
    refreshAt = clock.now() + life * REFRESH_AT;
    generation++;
  };

  const doLogin = async () => {
    const res = await login(form);
    if (res.status >= 200 && res.status < 300) {
      const c = parseAuthCookie(res.headers, clock.now());
      if (c?.value) return accept(c);
      fallback = basicHeader(username, password); // a session without a cookie: use Basic
      return;
    }
    if (NO_SESSION.has(res.status)) {
      fallback = basicHeader(username, password);
      return;
    }
    const e = httpError(ctx, res.status, res.text);
    if (e.code === CouchErrorCode.AUTH)
      throw new CouchError(CouchErrorCode.AUTH, `${e.message} (cookie session login refused)`, {
        ...ctx,
        status: e.status,
        error: e.error,
        reason: e.reason,
        hint: 'check auth.username and auth.password',
      });
    throw e;
  };

  // one login at a time, shared by every waiting request; it runs without any caller's signal (so one
  // caller aborting does not fail the others), each caller waits for it only until its own signal fires
  const relogin = (signal?: AbortSignal) => {
    pending ??= doLogin().finally(() => {
      pending = undefined;
    });
    return untilAborted(pending, signal);
  };

  return {
    mode: 'cookie',
    async prepare(signal): Promise<AuthState> {
      if (!fallback && (cookie === undefined || clock.now() >= refreshAt)) await relogin(signal);
      if (fallback) return { headers: { authorization: fallback }, generation };
      const headers: Record<string, string> = cookie ? { cookie: `AuthSession=${cookie}` } : {};
      return { headers, generation };
    },
    observe(headers) {
      const c = parseAuthCookie(headers, clock.now());
      if (c?.value && c.value !== cookie) accept(c);
    },
    async renew(state, signal) {
      if (fallback) return false;
      if (state.generation !== generation) return true; // someone else already logged in again
      cookie = undefined;
      await relogin(signal);
      return true;
    },
  };
}

export function createAuthenticator(
  auth: AuthOptions | undefined,
  login: LoginFn,
  clock: Clock,
  ctx: CouchErrorContext,
): Authenticator {
  if (!auth) return none;
  if (auth.cookie) return cookieSession(auth.username, auth.password, login, clock, ctx);
  return basic(auth.username, auth.password);
}

import { randomInt } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.ts';
import { type Random, systemRandom } from '../core/random.ts';
import { optionError } from './errors.ts';
import type { ResponseEvent, RetryEvent } from './events.ts';
import type { MemberFailoverEvent } from './members.ts';
import type { RetryPolicy } from './retry.ts';
import { type NodeUrl, parseNodeUrl, redactUrl } from './url.ts';

/**
 * Default jitter source. `systemRandom.float()` of src/core calls `randomInt(0, 2 ** 48)`, whose range
 * exceeds node's limit (max - min < 2^48) and throws ERR_OUT_OF_RANGE; this one stays inside it.
 */
const defaultRandom: Random = {
  uuid: () => systemRandom.uuid(),
  float: () => randomInt(0, 2 ** 48 - 1) / 2 ** 48,
};

export type AuthOptions =
  | { username: string; password: string; cookie?: false }
  /** Cookie session: `POST /_session` once, then send the AuthSession cookie (as CouchDB's replicator). */
  | { cookie: true; username: string; password: string };

export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true. */
  rejectUnauthorized?: boolean;
  /** SNI / certificate host name, when it differs from the URL host. */
  servername?: string;
  /**
   * Most intermediate CA certificates allowed between the node's certificate and a trusted root
   * (Erlang ssl's `depth`, CouchDB's `[replicator] ssl_certificate_max_depth`); checked only when
   * certificates are verified. Default: no limit.
   */
  maxDepth?: number;
}

export interface BackoffOptions {
  /** First retry delay ceiling. Default 250 ms (CouchDB's replicator). */
  baseMs?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
  /** Cap of one backoff delay. Default 10 000 ms. */
  maxMs?: number;
  /** Longest Retry-After the client honours; a longer one ends the retries at once. Default 60 000 ms. */
  maxRetryAfterMs?: number;
}

export interface CouchClientOptions {
  /** Base URL of the node, e.g. `http://127.0.0.1:5984` or `https://host/couchdb`. No credentials. */
  url: string;
  auth?: AuthOptions;
  tls?: TlsOptions;
  /** HTTP(S) proxy URL; requests tunnel through it (CONNECT). */
  proxy?: string;
  /** false: plain-http requests go to an http proxy in absolute form instead of a tunnel (https always tunnels). */
  proxyTunnel?: boolean;
  /**
   * Connect, headers and body (idle) timeout of one attempt. Default 30 000 ms. undici runs headers and
   * body timeouts on coarse timers (about 1 s resolution), so small values fire up to ~1 s late.
   */
  timeoutMs?: number;
  /** Keep-alive connections to the node. Default 20 (the replicator's http_connections). */
  connections?: number;
  /** Retries of an idempotent request (0 = one attempt). Default 5 (the replicator's retries_per_request). */
  retries?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  random?: Random;
  userAgent?: string;
  /** Called before each backoff sleep (telemetry). Exceptions thrown by hooks are ignored. */
  onRetry?: (event: RetryEvent) => void;
  /** Called after each HTTP exchange that got a status line (telemetry). */
  onResponse?: (event: ResponseEvent) => void;
  /**
   * A CouchDB cluster's members (base URLs, same scheme and credentials as `url`): requests go to the
   * last member that answered and move to the next on a network failure (members.ts). `url` stays the
   * node's identity (errors name the member that failed or answered).
   */
  members?: string[];
  /** Called when a request moves from a member that could not be talked to, to the next one. */
  onMemberFailover?: (event: MemberFailoverEvent) => void;
}

export interface ResolvedOptions {
  url: NodeUrl;
  auth: AuthOptions | undefined;
  tls: TlsOptions | undefined;
  proxy: string | undefined;
  proxyTunnel: boolean;
  timeoutMs: number;
  connections: number;
  policy: RetryPolicy;
  clock: Clock;
  random: Random;
  userAgent: string;
  onRetry: ((event: RetryEvent) => void) | undefined;
  onResponse: ((event: ResponseEvent) => void) | undefined;
}

function positive(name: string, v: number | undefined, dflt: number, integer = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
    throw optionError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`);
  return v;
}

function validateAuth(auth: unknown): AuthOptions | undefined {
  if (auth === undefined) return undefined;
  const a = auth as Record<string, unknown>;
  if (typeof a !== 'object' || a === null || typeof a.username !== 'string' || typeof a.password !== 'string')
    throw optionError(
      'auth must be { username, password } or { cookie: true, username, password } with string values',
    );
  if (a.username.includes(':'))
    throw optionError('auth.username must not contain ":" (it cannot be sent in a Basic header)');
  if (a.cookie !== undefined && typeof a.cookie !== 'boolean')
    throw optionError('auth.cookie must be a boolean');
  // copy only the known fields, so nothing else the caller attached travels with the client
  return a.cookie
    ? { cookie: true, username: a.username, password: a.password }
    : { username: a.username, password: a.password };
}

function validateProxy(proxy: unknown): string | undefined {
  if (proxy === undefined) return undefined;
  if (typeof proxy !== 'string') throw optionError('proxy must be a URL string');
  let u: URL;
  try {
    u = new URL(proxy);
  } catch {
    throw optionError(`invalid proxy URL ${JSON.stringify(redactUrl(proxy))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw optionError(`proxy must be an http or https URL, got ${u.protocol}`);
  return proxy;
}

/** Validates client options once, at construction, and fills the defaults. */
export function resolveOptions(o: CouchClientOptions): ResolvedOptions {
  if (typeof o !== 'object' || o === null) throw optionError('CouchClient needs an options object with url');
  if (typeof o.url !== 'string') throw optionError('url must be a string, e.g. http://127.0.0.1:5984');
  const url = parseNodeUrl(o.url);
  const b = o.backoff ?? {};
  const retries = o.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0)
    throw optionError(`retries must be a non-negative integer, got ${String(retries)}`);
  for (const [name, hook] of [
    ['onRetry', o.onRetry],
    ['onResponse', o.onResponse],
  ] as const)
    if (hook !== undefined && typeof hook !== 'function') throw optionError(`${name} must be a function`);
  if (o.tls !== undefined && (typeof o.tls !== 'object' || o.tls === null))
    throw optionError('tls must be an object { ca?, cert?, key?, rejectUnauthorized? }');
  if (o.tls && url.origin.startsWith('http:'))
    throw optionError(`tls options given for a plain http URL (${url.base})`, 'use an https:// URL');
  return {
    url,
    auth: validateAuth(o.auth),
    tls: o.tls,
    proxy: validateProxy(o.proxy),
    proxyTunnel: o.proxyTunnel !== false,
    timeoutMs: positive('timeoutMs', o.timeoutMs, 30_000),
    connections: positive('connections', o.connections, 20, true),
    policy: {
      retries,
      baseMs: positive('backoff.baseMs', b.baseMs, 250),
      factor: b.factor === undefined ? 2 : Math.max(1, positive('backoff.factor', b.factor, 2)),
      maxMs: positive('backoff.maxMs', b.maxMs, 10_000),
      maxRetryAfterMs: positive('backoff.maxRetryAfterMs', b.maxRetryAfterMs, 60_000),
    },
    clock: o.clock ?? systemClock,
    random: o.random ?? defaultRandom,
    userAgent: o.userAgent ?? 'couchmesh',
    onRetry: o.onRetry,
    onResponse: o.onResponse,
  };
}

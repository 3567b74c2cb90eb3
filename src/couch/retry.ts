import type { Clock } from '../core/clock.ts';
import type { Random } from '../core/random.ts';
import { CouchError, CouchErrorCode, type CouchErrorContext } from './errors.ts';
import { emit, type RetryEvent } from './events.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = never retry). */
  retries: number;
  baseMs: number;
  factor: number;
  /** Cap of one backoff delay. */
  maxMs: number;
  /** A longer Retry-After ends the retries instead of being slept. */
  maxRetryAfterMs: number;
}

/** Methods that may be resent without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'COPY']);

/** POST endpoints that only read (or write idempotently), so resending them is safe. */
const IDEMPOTENT_POSTS = new Set(['_revs_diff', '_bulk_get', '_all_docs', '_changes', '_find', '_explain']);

/** Whether a request may be retried: by method, by a read-only POST endpoint, or as the caller says. */
export function isIdempotent(method: string, path: string, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  if (IDEMPOTENT_METHODS.has(method)) return true;
  const last = path.split('/').pop() ?? '';
  return method === 'POST' && IDEMPOTENT_POSTS.has(last);
}

/** 408, 429 and 5xx except the ones that will not change on a resend (501 Not Implemented, 505). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

const RETRYABLE_CODES = new Set<string>([CouchErrorCode.UNREACHABLE, CouchErrorCode.TIMEOUT]);

export function isRetryableError(e: unknown): e is CouchError {
  return e instanceof CouchError && RETRYABLE_CODES.has(e.code);
}

/**
 * Full-jitter exponential backoff (AWS architecture blog): a uniform draw in
 * [0, min(maxMs, baseMs * factor^retry)). `retry` counts from 0 for the first retry.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: Random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** retry);
  return Math.floor(random.float() * ceiling);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent/bad. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** What one attempt produced: a final value, or a value the loop may replace by retrying. */
export interface Attempt<T> {
  value: T;
  /** Present when the answer is retryable (408/429/5xx). */
  retry?: { status: number; retryAfterMs?: number; discard: () => Promise<void> };
}

export interface RetryContext extends CouchErrorContext {
  policy: RetryPolicy;
  idempotent: boolean;
  clock: Clock;
  random: Random;
  signal?: AbortSignal;
  onRetry?: (e: RetryEvent) => void;
}

export function abortedError(ctx: CouchErrorContext, signal: AbortSignal, attempts?: number): CouchError {
  return new CouchError(CouchErrorCode.ABORTED, `${ctx.method} ${ctx.node}${ctx.path} aborted`, {
    ...ctx,
    attempts,
    cause: signal.reason,
  });
}

/**
 * Runs `attempt` until it yields a final value, a non-retryable error, the retries run out, or the
 * signal aborts. Backoff sleeps go through the injected clock, so tests run the schedule instantly.
 * When retries run out on a retryable answer, that answer is returned (the caller maps it).
 */
export async function withRetries<T>(
  ctx: RetryContext,
  attempt: (n: number) => Promise<Attempt<T>>,
): Promise<{ value: T; attempts: number }> {
  const { policy, signal } = ctx;
  const where = { node: ctx.node, method: ctx.method, path: ctx.path };
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw abortedError(where, signal, n - 1);
    let outcome: Attempt<T> | undefined;
    let failure: CouchError | undefined;
    try {
      outcome = await attempt(n);
      if (!outcome.retry) return { value: outcome.value, attempts: n };
    } catch (e) {
      if (signal?.aborted) throw abortedError(where, signal, n);
      if (!isRetryableError(e)) throw e instanceof CouchError ? e.withAttempts(n) : e;
      failure = e;
    }
    const retryAfterMs = outcome?.retry?.retryAfterMs;
    const giveUp =
      !ctx.idempotent ||
      n > policy.retries ||
      (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs);
    if (giveUp) {
      if (failure) throw failure.withAttempts(n);
      return { value: (outcome as Attempt<T>).value, attempts: n };
    }
    await outcome?.retry?.discard();
    const delayMs = retryAfterMs ?? backoffDelay(n - 1, policy, ctx.random);
    emit(ctx.onRetry, {
      ...where,
      attempt: n,
      delayMs,
      status: outcome?.retry?.status,
      code: failure?.code,
      retryAfterMs,
    });
    try {
      await ctx.clock.sleep(delayMs, signal);
    } catch (e) {
      if (signal?.aborted) throw abortedError(where, signal, n);
      throw e;
    }
  }
}

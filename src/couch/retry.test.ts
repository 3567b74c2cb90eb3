import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { seededRandom } from '../core/random.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import type { RetryEvent } from './events.ts';
import {
  backoffDelay,
  isIdempotent,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  withRetries,
} from './retry.ts';
import { fixedRandom, RecordingClock } from './test-support.ts';

const policy: RetryPolicy = { retries: 5, baseMs: 250, factor: 2, maxMs: 10_000, maxRetryAfterMs: 60_000 };
const where = { node: 'http://127.0.0.1:1', method: 'GET', path: '/db' };

describe('retry policy (pure)', () => {
  it('full jitter: a draw in [0, min(cap, base * 2^n))', () => {
    const top = fixedRandom(0.999999);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, top)),
      [249, 499, 999, 1999, 3999, 7999, 9999],
    );
    assert.equal(backoffDelay(3, policy, fixedRandom(0)), 0);
    const r = seededRandom(7);
    for (let n = 0; n < 50; n++) {
      const d = backoffDelay(n, { ...policy, maxMs: 3000 }, r);
      assert.ok(d >= 0 && d < Math.min(3000, 250 * 2 ** n));
    }
  });

  it('Retry-After: delta seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(['0'], now), 0);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now), 0, 'a past date means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('idempotency by method, read-only POST endpoints, or the caller', () => {
    for (const m of ['GET', 'HEAD', 'PUT', 'DELETE']) assert.equal(isIdempotent(m, '/db/doc'), true);
    assert.equal(isIdempotent('POST', '/db'), false);
    assert.equal(isIdempotent('POST', '/db/_bulk_docs'), false);
    for (const p of ['_revs_diff', '_bulk_get', '_all_docs', '_changes'])
      assert.equal(isIdempotent('POST', `/db/${p}`), true);
    assert.equal(isIdempotent('POST', '/db/_bulk_docs', true), true);
    assert.equal(isIdempotent('PUT', '/db/doc', false), false);
  });

  it('retryable statuses: 408, 429, 5xx but 501/505', () => {
    assert.deepEqual(
      [400, 401, 404, 408, 409, 429, 500, 501, 502, 503, 504, 505].filter(isRetryableStatus),
      [408, 429, 500, 502, 503, 504],
    );
  });
});

describe('withRetries', () => {
  const unreachable = () =>
    new CouchError(
      CouchErrorCode.UNREACHABLE,
      'GET http://127.0.0.1:1/db: node unreachable (ECONNREFUSED)',
      where,
    );

  it('retries network errors on the backoff schedule, then throws with the attempt count', async () => {
    const clock = new RecordingClock(0);
    const events: RetryEvent[] = [];
    let calls = 0;
    const e = await withRetries(
      {
        ...where,
        policy: { ...policy, retries: 3 },
        idempotent: true,
        clock,
        random: fixedRandom(0.5),
        onRetry: (ev) => events.push(ev),
      },
      async () => {
        calls++;
        throw unreachable();
      },
    ).catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.UNREACHABLE);
    assert.equal(e.attempts, 4);
    assert.match(e.message, /\(after 4 attempts\)$/);
    assert.equal(calls, 4);
    assert.deepEqual(clock.sleeps, [125, 250, 500]);
    assert.deepEqual(
      events.map((ev) => [ev.attempt, ev.delayMs, ev.code]),
      [
        [1, 125, 'E_COUCH_UNREACHABLE'],
        [2, 250, 'E_COUCH_UNREACHABLE'],
        [3, 500, 'E_COUCH_UNREACHABLE'],
      ],
    );
  });

  it('does not retry non-idempotent requests or non-retryable errors', async () => {
    const clock = new RecordingClock(0);
    let calls = 0;
    await assert.rejects(
      withRetries({ ...where, policy, idempotent: false, clock, random: fixedRandom(0.5) }, async () => {
        calls++;
        throw unreachable();
      }),
      { code: CouchErrorCode.UNREACHABLE },
    );
    await assert.rejects(
      withRetries({ ...where, policy, idempotent: true, clock, random: fixedRandom(0.5) }, async () => {
        calls++;
        throw new CouchError(CouchErrorCode.TLS, 'tls', where);
      }),
      { code: CouchErrorCode.TLS },
    );
    assert.equal(calls, 2);
    assert.deepEqual(clock.sleeps, []);
  });

  it('sleeps Retry-After on retryable answers; returns the last answer when retries run out', async () => {
    const clock = new RecordingClock(0);
    let discarded = 0;
    const r = await withRetries(
      { ...where, policy: { ...policy, retries: 2 }, idempotent: true, clock, random: fixedRandom(0.5) },
      async (n) => ({
        value: n,
        retry: { status: 429, retryAfterMs: 2000, discard: async () => void discarded++ },
      }),
    );
    assert.deepEqual(r, { value: 3, attempts: 3 });
    assert.deepEqual(clock.sleeps, [2000, 2000]);
    assert.equal(discarded, 2);
  });

  it('gives up at once when Retry-After exceeds maxRetryAfterMs', async () => {
    const clock = new RecordingClock(0);
    const r = await withRetries(
      {
        ...where,
        policy: { ...policy, maxRetryAfterMs: 5000 },
        idempotent: true,
        clock,
        random: fixedRandom(0.5),
      },
      async (n) => ({
        value: n,
        retry: { status: 503, retryAfterMs: 3_600_000, discard: async () => undefined },
      }),
    );
    assert.deepEqual(r, { value: 1, attempts: 1 });
    assert.deepEqual(clock.sleeps, []);
  });

  it('an abort during the backoff sleep ends with E_COUCH_ABORTED', async () => {
    const clock = new ManualClock(0);
    const ac = new AbortController();
    const p = withRetries(
      { ...where, policy, idempotent: true, clock, random: fixedRandom(0.5), signal: ac.signal },
      async () => {
        throw unreachable();
      },
    );
    while (clock.pending === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    const e = await p.catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.ABORTED);
    assert.equal(e.attempts, 1);
  });
});

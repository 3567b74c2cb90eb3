import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { startNode } from '../node/index.ts';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import type { ResponseEvent, RetryEvent } from './events.ts';
import {
  closedPort,
  type FaultServer,
  faultServer,
  fixedRandom,
  RecordingClock,
  sendJson,
  waitFor,
} from './test-support.ts';

const fail = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('expected a CouchError'),
    (e: unknown) => {
      assert.ok(e instanceof CouchError, String(e));
      return e;
    },
  );

describe('retries on 429 from a rate-limited embedded node (maxRequestRate)', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, maxRequestRate: 2 });
  });
  after(() => node.close());

  it('sleeps exactly Retry-After between attempts, then gives up with the 429', async () => {
    const clock = new RecordingClock();
    const retries: RetryEvent[] = [];
    const c = new CouchClient({ url: node.url, clock, retries: 3, onRetry: (e) => retries.push(e) });
    await Promise.all([c.get('/'), c.get('/')]).catch(() => undefined); // use up the burst
    const e = await fail(c.get('/_up'));
    assert.equal(e.code, CouchErrorCode.HTTP);
    assert.equal(e.status, 429);
    assert.equal(e.error, 'too_many_requests');
    assert.equal(e.attempts, 4);
    assert.equal(e.data.retryAfterMs, 1000);
    assert.deepEqual(clock.sleeps.slice(-3), [1000, 1000, 1000]);
    assert.deepEqual(
      retries.slice(-3).map((r) => [r.attempt, r.status, r.retryAfterMs, r.delayMs]),
      [
        [1, 429, 1000, 1000],
        [2, 429, 1000, 1000],
        [3, 429, 1000, 1000],
      ],
    );
    await c.close();
  });

  it('succeeds once the node has capacity again after the Retry-After sleep', async () => {
    const clock = new RecordingClock(Date.now(), false); // advanced by hand below
    const c = new CouchClient({ url: node.url, clock, retries: 2 });
    await new Promise((r) => setTimeout(r, 1100)); // a full bucket
    await Promise.all([c.get('/'), c.get('/')]);
    const p = c.get<{ status: string }>('/_up');
    await waitFor(() => clock.pending === 1);
    assert.deepEqual(clock.sleeps, [1000]);
    await new Promise((r) => setTimeout(r, 600)); // the node refills one token every 500 ms
    await clock.advance(1000);
    assert.deepEqual(await p, { status: 'ok', seeds: {} });
    await c.close();
  });
});

describe('retries against network faults', () => {
  it('connection refused: capped, jittered exponential backoff, then E_COUCH_UNREACHABLE', async () => {
    const port = await closedPort();
    const clock = new RecordingClock();
    const events: RetryEvent[] = [];
    const c = new CouchClient({
      url: `http://127.0.0.1:${port}`,
      clock,
      random: fixedRandom(0.5),
      retries: 4,
      onRetry: (e) => events.push(e),
    });
    const e = await fail(c.get('/db'));
    assert.equal(e.code, CouchErrorCode.UNREACHABLE);
    assert.equal(e.attempts, 5);
    assert.match(e.message, /ECONNREFUSED.*after 5 attempts/);
    assert.deepEqual(clock.sleeps, [125, 250, 500, 1000]); // 0.5 * 250 * 2^n
    assert.deepEqual(
      events.map((ev) => [ev.attempt, ev.code]),
      [1, 2, 3, 4].map((n) => [n, 'E_COUCH_UNREACHABLE']),
    );
    const cappedClock = new RecordingClock();
    const capped = new CouchClient({
      url: `http://127.0.0.1:${port}`,
      clock: cappedClock,
      random: fixedRandom(0.5),
      retries: 4,
      backoff: { maxMs: 300 },
    });
    await fail(capped.get('/db'));
    assert.deepEqual(cappedClock.sleeps, [125, 150, 150, 150]); // 0.5 * min(300, 250 * 2^n)
    await c.close();
    await capped.close();
  });

  it('non-idempotent POSTs are not retried on a refused connection', async () => {
    const clock = new RecordingClock();
    const c = new CouchClient({ url: `http://127.0.0.1:${await closedPort()}`, clock, retries: 3 });
    const e = await fail(c.post('/db/_bulk_docs', { docs: [] }));
    assert.equal(e.code, CouchErrorCode.UNREACHABLE);
    assert.equal(e.attempts, 1);
    assert.deepEqual(clock.sleeps, []);
    await c.close();
  });

  describe('a server that fails on purpose', () => {
    let server: FaultServer;
    let script: Array<(res: import('node:http').ServerResponse) => void> = [];
    before(async () => {
      server = await faultServer((_req, res) => {
        const step = script.shift();
        if (step) step(res);
        else sendJson(res, 200, { ok: true });
      });
    });
    after(() => server.close());
    const oops =
      (status: number, headers = {}) =>
      (res: import('node:http').ServerResponse) =>
        sendJson(res, status, { error: 'unknown_error', reason: 'boom' }, headers);
    const client = (clock = new RecordingClock(), extra = {}) =>
      new CouchClient({ url: server.url, clock, random: fixedRandom(0.5), retries: 3, ...extra });

    it('retries 500/502/408 on GET and succeeds', async () => {
      server.seen.length = 0;
      script = [oops(500), oops(502), oops(408)];
      const clock = new RecordingClock();
      const responses: ResponseEvent[] = [];
      const c = client(clock, { onResponse: (e: ResponseEvent) => responses.push(e) });
      assert.deepEqual(await c.get('/db/doc'), { ok: true });
      assert.equal(server.seen.length, 4);
      assert.deepEqual(clock.sleeps, [125, 250, 500]);
      assert.deepEqual(
        responses.map((r) => [r.attempt, r.status]),
        [
          [1, 500],
          [2, 502],
          [3, 408],
          [4, 200],
        ],
      );
      await c.close();
    });

    it('503 with an HTTP-date Retry-After sleeps until that date', async () => {
      const at = new Date(Date.now() + 3000).toUTCString();
      script = [oops(503, { 'retry-after': at })];
      const clock = new RecordingClock();
      const c = client(clock);
      assert.deepEqual(await c.get('/'), { ok: true });
      assert.equal(clock.sleeps.length, 1);
      assert.ok(
        (clock.sleeps[0] as number) > 1000 && (clock.sleeps[0] as number) <= 3000,
        String(clock.sleeps),
      );
      await c.close();
    });

    it('POST is retried only when marked idempotent; 501 is never retried', async () => {
      server.seen.length = 0;
      script = [oops(500)];
      const c = client();
      const e = await fail(c.post('/db', { a: 1 }));
      assert.equal(e.code, CouchErrorCode.HTTP);
      assert.equal(e.status, 500);
      assert.equal(e.reason, 'boom');
      assert.equal(server.seen.length, 1);
      script = [oops(500)];
      assert.deepEqual(
        await c.post('/db/_bulk_docs', { docs: [], new_edits: false }, undefined, { idempotent: true }),
        {
          ok: true,
        },
      );
      script = [oops(500)];
      assert.deepEqual(
        await c.post('/db/_revs_diff', {}),
        { ok: true },
        '_revs_diff is idempotent by default',
      );
      script = [oops(501)];
      assert.equal((await fail(c.get('/'))).status, 501);
      assert.equal(server.seen.length, 6);
      await c.close();
    });

    it('a connection cut mid-body is retried (the body is read inside the attempt)', async () => {
      script = [
        (res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"partial":');
          setTimeout(() => res.socket?.destroy(), 20);
        },
      ];
      const clock = new RecordingClock();
      const c = client(clock);
      assert.deepEqual(await c.get('/'), { ok: true });
      assert.deepEqual(clock.sleeps, [125]);
      await c.close();
    });

    it('headers and body timeouts become E_COUCH_TIMEOUT (retried, then given up)', async () => {
      server.seen.length = 0;
      script = [() => undefined, () => undefined];
      const clock = new RecordingClock();
      const c = client(clock, { timeoutMs: 100, retries: 1 });
      const e = await fail(c.get('/'));
      assert.equal(e.code, CouchErrorCode.TIMEOUT);
      assert.equal(e.attempts, 2);
      assert.match(e.message, /UND_ERR_HEADERS_TIMEOUT/);
      assert.deepEqual(clock.sleeps, [125]);
      script = [
        (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"slow":');
        },
      ];
      const e2 = await fail(c.get('/', undefined, { retries: 0 }));
      assert.equal(e2.code, CouchErrorCode.TIMEOUT);
      assert.match(e2.message, /UND_ERR_BODY_TIMEOUT/);
      await c.close();
    });

    it('abort: before sending, in flight, and during the backoff sleep', async () => {
      server.seen.length = 0;
      const c = client();
      const e1 = await fail(c.get('/', undefined, { signal: AbortSignal.abort() }));
      assert.equal(e1.code, CouchErrorCode.ABORTED);
      assert.equal(server.seen.length, 0);

      script = [() => undefined]; // never answers
      const ac = new AbortController();
      const p = c.get('/', undefined, { signal: ac.signal });
      await waitFor(() => server.seen.length === 1);
      const reason = new Error('stop now');
      ac.abort(reason);
      const e2 = await fail(p);
      assert.equal(e2.code, CouchErrorCode.ABORTED);
      assert.equal(e2.cause, reason);

      const clock = new ManualClock();
      const refused = new CouchClient({ url: `http://127.0.0.1:${await closedPort()}`, clock, retries: 5 });
      const ac2 = new AbortController();
      const p2 = refused.get('/', undefined, { signal: ac2.signal });
      await waitFor(() => clock.pending === 1);
      ac2.abort();
      const e3 = await fail(p2);
      assert.equal(e3.code, CouchErrorCode.ABORTED);
      assert.equal(e3.attempts, 1);
      await c.close();
      await refused.close();
    });
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCouchmeshError } from '../core/errors.ts';
import { bearerMatches, checkBinding, hostAllowed, isLoopback } from './auth.ts';
import { startApi } from './server.ts';
import { FakeController } from './testing.ts';

const TOKEN = 'tok-0123456789abcdef-xyz';

describe('binding rule', () => {
  test('loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', 'localhost', '::1', '[::1]']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', ''])
      assert.ok(!isLoopback(h), h);
  });

  test('a non-loopback address needs a token of 16+ characters; the error names no token', () => {
    assert.doesNotThrow(() => checkBinding('127.0.0.1', undefined));
    assert.doesNotThrow(() => checkBinding('0.0.0.0', TOKEN));
    for (const [host, token] of [
      ['0.0.0.0', undefined],
      ['127.0.0.1', 'short-secret'],
    ] as const) {
      assert.throws(
        () => checkBinding(host, token),
        (e: unknown) =>
          isCouchmeshError(e) &&
          e.code === 'E_API_TOKEN' &&
          e.kind === 'user' &&
          !e.message.includes('short-secret'),
      );
    }
  });

  test('startApi refuses 0.0.0.0 without a token before listening', async () => {
    await assert.rejects(startApi(new FakeController(), { host: '0.0.0.0' }), /without a token/);
  });

  test('bearer comparison and the Host check', () => {
    assert.ok(bearerMatches(`Bearer ${TOKEN}`, TOKEN));
    assert.ok(bearerMatches(`bearer ${TOKEN}`, TOKEN));
    for (const h of [undefined, '', TOKEN, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, 'Bearer '])
      assert.ok(!bearerMatches(h, TOKEN), String(h));
    assert.ok(hostAllowed('127.0.0.1:8080') && hostAllowed('[::1]:80') && hostAllowed('localhost'));
    assert.ok(
      !hostAllowed('evil.example') && !hostAllowed(undefined) && !hostAllowed('127.0.0.1.evil.example'),
    );
  });
});

test('with a token: every API route and /metrics need it, /healthz does not; the token is never echoed', async () => {
  const log: string[] = [];
  const api = await startApi(new FakeController(), {
    host: '127.0.0.1',
    token: TOKEN,
    onRequest: (r) => log.push(JSON.stringify(r)),
  });
  try {
    for (const path of ['/api/v1/mesh', '/api/v1/events', '/metrics', '/api/v1/openapi.json']) {
      for (const auth of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`]) {
        const res = await fetch(`${api.url}${path}`, auth ? { headers: { authorization: auth } } : {});
        assert.equal(res.status, 401, `${path} ${auth}`);
        const body = await res.text();
        assert.equal(JSON.parse(body).error, 'unauthorized');
        assert.ok(!body.includes(TOKEN));
      }
    }
    const ok = await fetch(`${api.url}/api/v1/mesh`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
    assert.ok(log.length > 0 && log.every((l) => !l.includes(TOKEN)));
  } finally {
    await api.close();
  }
});

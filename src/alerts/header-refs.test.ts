import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { CouchmeshError } from '../core/errors.ts';
import { headersFromRefs, parseHeaderRef } from './header-refs.ts';
import { alertsConfigFromFlags } from './schema.ts';
import { type AlertEvent, alertEvent } from './types.ts';
import { WebhookSink } from './webhook.ts';

const SECRET = 'Bearer hdr-Secret-7f3a';
const sources = {
  env: { HOOK_AUTH: SECRET, EMPTY: '' },
  readFile: (p: string) => {
    if (p === '/secrets/token') return 'tok-file-9c1\n';
    throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
  },
};

/** The error `fn` throws, asserted to carry `code` and never `secret`. */
function refused(fn: () => unknown, code: string, secret?: string): CouchmeshError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CouchmeshError, String(e));
    assert.equal(e.code, code);
    if (secret) assert.ok(!JSON.stringify({ m: e.message, h: e.hint, d: e.data }).includes(secret));
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('webhook headers from references', () => {
  test('env: and file: references are read; a file loses its one trailing newline', () => {
    assert.deepEqual(
      headersFromRefs(['Authorization=env:HOOK_AUTH', 'X-Token=file:/secrets/token'], sources),
      {
        Authorization: SECRET,
        'X-Token': 'tok-file-9c1',
      },
    );
    assert.deepEqual(parseHeaderRef('X-A=file:/a=b'), { name: 'X-A', file: '/a=b' });
  });

  test('a literal value is refused without being echoed; a bad name too', () => {
    const e = refused(
      () => parseHeaderRef('Authorization=Bearer literal-pw'),
      'E_WEBHOOK_HEADER',
      'literal-pw',
    );
    assert.match(e.message, /Authorization=…/);
    refused(() => parseHeaderRef('Bad Name=env:X'), 'E_WEBHOOK_HEADER');
    refused(() => parseHeaderRef('noequals'), 'E_WEBHOOK_HEADER');
  });

  test('an unresolvable reference is a user error naming it', () => {
    assert.match(
      refused(() => headersFromRefs(['A=env:NOPE'], sources), 'E_WEBHOOK_HEADER_REF').message,
      /NOPE is not set/,
    );
    refused(() => headersFromRefs(['A=env:EMPTY'], sources), 'E_WEBHOOK_HEADER_REF');
    const f = refused(() => headersFromRefs(['A=file:/missing'], sources), 'E_WEBHOOK_HEADER_REF');
    assert.match(f.message, /\/missing \(ENOENT\)/);
    const multi = { env: { X: 'a\r\nInjected: 1' } };
    refused(() => headersFromRefs(['A=env:X'], multi), 'E_WEBHOOK_HEADER_REF', 'Injected');
  });

  test('a webhook URL with userinfo is refused with a hint, never echoing the password', () => {
    const e = refused(
      () => alertsConfigFromFlags({ webhook: ['https://user:pw-in-url-55@hooks.example/x'] }),
      'E_WEBHOOK_CREDENTIALS',
      'pw-in-url-55',
    );
    assert.match(e.hint ?? '', /--webhook-header 'Authorization=env:/);
    refused(
      () => new WebhookSink({ url: 'https://user:pw-in-url-55@hooks.example/x' }),
      'E_WEBHOOK_CREDENTIALS',
      'pw-in-url-55',
    );
  });

  test('the headers are sent to the receiver, and appear in no sink name, config error or event', async () => {
    const got: Array<string | undefined> = [];
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      got.push(req.headers.authorization);
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push(b);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const c = alertsConfigFromFlags(
        { webhook: [url], webhookHeader: ['Authorization=env:HOOK_AUTH'] },
        sources,
      );
      const s = c.sinks[0];
      assert.ok(s?.type === 'webhook');
      const sink = WebhookSink.fromConfig(s, 'info', { clock: new ManualClock(0) });
      const event: AlertEvent = alertEvent(
        'raised',
        {
          rule: 'crashing',
          severity: 'critical',
          link: 'a--b',
          db: 'd',
          direction: 'a->b',
          node: null,
          evidence: {},
          message: 'm',
          playbook: 'p',
        },
        'mesh',
        0,
      );
      await sink.send(event);
      assert.deepEqual(got, [SECRET]);
      assert.ok(!bodies.join('').includes(SECRET) && !sink.name.includes(SECRET));
    } finally {
      server.close();
    }
  });
});

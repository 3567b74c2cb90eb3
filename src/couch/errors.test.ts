import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { startNode } from '../node/index.ts';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode, httpError, withoutUserinfo } from './errors.ts';
import type { CouchClientOptions } from './options.ts';
import { closedPort, faultServer, RecordingClock } from './test-support.ts';

const PASSWORD = 's3cr3t-Pa55w0rd!';
const SECRETS = [
  PASSWORD,
  Buffer.from(`admin:${PASSWORD}`).toString('base64'),
  Buffer.from(`admin:wrong-${PASSWORD}`).toString('base64'),
  encodeURIComponent(PASSWORD),
  'AuthSession=', // no session cookie value either
];

/** Every way an error can end up in a log, a CLI `--json` output or a crash report. */
function serialisations(e: unknown): string[] {
  const err = e as Error & { toJSON?: () => unknown };
  return [
    String(e),
    err.message,
    err.stack ?? '',
    JSON.stringify(e),
    JSON.stringify(err.toJSON?.()),
    inspect(e, { depth: Number.POSITIVE_INFINITY }),
    inspect(e, { depth: 6, showHidden: true }),
  ];
}

function assertNoSecret(what: string, texts: string[]): void {
  for (const t of texts)
    for (const s of SECRETS) assert.ok(!t.includes(s), `${what} leaks ${JSON.stringify(s)}:\n${t}`);
}

describe('errors never carry credentials', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  const clients: CouchClient[] = [];
  const events: unknown[] = [];
  const client = (o: Partial<CouchClientOptions> & { url: string }) => {
    const c = new CouchClient({
      clock: new RecordingClock(),
      onRetry: (e) => events.push(e),
      onResponse: (e) => events.push(e),
      ...o,
    });
    clients.push(c);
    return c;
  };

  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: PASSWORD } });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await node.close();
  });

  it('HTTP errors (401 wrong password, 404, 412) with basic auth', async () => {
    const good = client({ url: node.url, auth: { username: 'admin', password: PASSWORD } });
    const bad = client({ url: node.url, auth: { username: 'admin', password: `wrong-${PASSWORD}` } });
    await good.put('/leak');
    const errors = await Promise.all([
      bad.get('/_all_dbs').catch((e: unknown) => e),
      good.get('/leak/missing').catch((e: unknown) => e),
      good.put('/leak').catch((e: unknown) => e),
    ]);
    assert.deepEqual(
      errors.map((e) => (e as CouchError).code),
      [CouchErrorCode.AUTH, CouchErrorCode.NOT_FOUND, CouchErrorCode.HTTP],
    );
    for (const e of errors) assertNoSecret('http error', serialisations(e));
  });

  it('cookie session login refused', async () => {
    const c = client({
      url: node.url,
      auth: { cookie: true, username: 'admin', password: `wrong-${PASSWORD}` },
    });
    const e = await c.get('/_all_dbs').catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.AUTH);
    assert.equal(e.path, '/_session');
    assertNoSecret('login error', serialisations(e));
  });

  it('network errors: unreachable after retries, and timeout', async () => {
    const port = await closedPort();
    const c = client({
      url: `http://127.0.0.1:${port}`,
      auth: { username: 'admin', password: PASSWORD },
      retries: 2,
    });
    const e1 = await c.get('/').catch((x: unknown) => x);
    assert.equal((e1 as CouchError).code, CouchErrorCode.UNREACHABLE);
    const stall = await faultServer(() => undefined); // never answers
    try {
      const s = client({
        url: stall.url,
        auth: { username: 'admin', password: PASSWORD },
        retries: 0,
        timeoutMs: 100,
      });
      const e2 = await s.get('/').catch((x: unknown) => x);
      assert.equal((e2 as CouchError).code, CouchErrorCode.TIMEOUT);
      for (const e of [e1, e2]) assertNoSecret('network error', serialisations(e));
    } finally {
      await stall.close();
    }
  });

  it('the client itself and telemetry events', async () => {
    const basic = client({ url: node.url, auth: { username: 'admin', password: PASSWORD } });
    const cookie = client({ url: node.url, auth: { cookie: true, username: 'admin', password: PASSWORD } });
    await cookie.get('/_all_dbs');
    for (const c of [basic, cookie])
      assertNoSecret('client', [
        inspect(c, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
        JSON.stringify(c),
        String(c),
      ]);
    assert.ok(events.length > 0);
    assertNoSecret('events', [JSON.stringify(events), inspect(events, { depth: 10 })]);
  });
});

it('errors render URLs without userinfo, in the message, node and data', () => {
  const e = httpError(
    { node: 'http://admin:Pw-7xq@127.0.0.1:5984', method: 'GET', path: '/db' },
    500,
    '{"error":"x","reason":"source http://admin:Pw-7xq@10.0.0.1/db failed"}',
  );
  const shown = JSON.stringify({ m: e.message, n: e.node, d: e.data, j: e.toJSON() });
  assert.ok(!shown.includes('Pw-7xq'), shown);
  assert.equal(e.node, 'http://127.0.0.1:5984');
  assert.equal(withoutUserinfo('https://tok@h/x'), 'https://h/x');
});

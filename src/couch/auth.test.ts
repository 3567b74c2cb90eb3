import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../node/index.ts';
import { parseAuthCookie } from './auth.ts';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import type { ResponseEvent } from './events.ts';
import { faultServer, RecordingClock, sendJson } from './test-support.ts';

type Node = Awaited<ReturnType<typeof startNode>>;
interface Session {
  userCtx: { name: string | null; roles: string[] };
  info: { authenticated?: string };
}

const logins = (events: ResponseEvent[]) =>
  events.filter((e) => e.method === 'POST' && e.path === '/_session');

describe('parseAuthCookie', () => {
  it("reads CouchDB 3.5's Set-Cookie (Max-Age), Expires-only cookies, and cleared cookies", () => {
    const couch =
      'AuthSession=YWRtaW46NkIwOUE4Rjg6IlGbDw4vhIo2fOTs2J6FwfUCy1pbmFbWwrWuMZRrVj0; Version=1; Expires=Fri, 27-Nov-2026 16:09:52 GMT; Max-Age=600; Path=/; HttpOnly';
    assert.deepEqual(parseAuthCookie({ 'set-cookie': [couch] }, 0), {
      value: 'YWRtaW46NkIwOUE4Rjg6IlGbDw4vhIo2fOTs2J6FwfUCy1pbmFbWwrWuMZRrVj0',
      lifetimeMs: 600_000,
    });
    const now = Date.parse('Fri, 27 Nov 2026 16:00:00 GMT');
    assert.deepEqual(
      parseAuthCookie(
        { 'set-cookie': 'AuthSession=abc; Expires=Fri, 27-Nov-2026 16:05:00 GMT; Path=/' },
        now,
      ),
      { value: 'abc', lifetimeMs: 300_000 },
    );
    assert.deepEqual(parseAuthCookie({ 'set-cookie': ['other=1', 'AuthSession=; Version=1; Path=/'] }, 0), {
      value: '',
      lifetimeMs: undefined,
    });
    assert.equal(parseAuthCookie({}, 0), undefined);
  });
});

describe('cookie session auth against the embedded node', () => {
  let node: Node;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
  });
  after(() => node.close());

  const cookieClient = (url: string, events: ResponseEvent[], extra = {}) =>
    new CouchClient({
      url,
      auth: { cookie: true, username: 'admin', password: 'admin' },
      clock: new RecordingClock(),
      onResponse: (e) => events.push(e),
      ...extra,
    });

  it('logs in once with POST /_session (form-encoded) and then authenticates by cookie', async () => {
    const events: ResponseEvent[] = [];
    const c = cookieClient(node.url, events);
    assert.equal(c.authMode, 'cookie');
    const sessions = await Promise.all(Array.from({ length: 5 }, () => c.get<Session>('/_session')));
    for (const s of sessions) {
      assert.equal(s.info.authenticated, 'cookie');
      assert.deepEqual(s.userCtx, { name: 'admin', roles: ['_admin'] });
    }
    assert.equal(logins(events).length, 1, 'concurrent requests share one login');
    assert.equal(events[0]?.path, '/_session');
    await c.put('/cookiedb');
    await c.close();
  });

  it('a refused login is E_COUCH_AUTH with CouchDB reason', async () => {
    const c = new CouchClient({ url: node.url, auth: { cookie: true, username: 'admin', password: 'nope' } });
    const e = await c.get('/').catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.AUTH);
    assert.equal(e.status, 401);
    assert.equal(e.reason, 'Name or password is incorrect.');
    assert.equal(e.method, 'POST');
    assert.equal(e.path, '/_session');
    assert.match(e.hint ?? '', /auth\.username and auth\.password/);
    await c.close();
  });

  it('refreshes the session before Max-Age runs out (by the injected clock)', async () => {
    const events: ResponseEvent[] = [];
    const clock = new RecordingClock(Date.now(), false);
    const c = cookieClient(node.url, events, { clock });
    await c.get('/_all_dbs');
    await clock.advance(500_000); // 500 s of a 600 s session: still fresh
    await c.get('/_all_dbs');
    assert.equal(logins(events).length, 1);
    await clock.advance(45_000); // 545 s: past 90 % of Max-Age
    assert.equal((await c.get<Session>('/_session')).info.authenticated, 'cookie');
    assert.equal(logins(events).length, 2);
    assert.deepEqual(
      events.slice(-2).map((e) => `${e.method} ${e.path}`),
      ['POST /_session', 'GET /_session'],
      'the refresh happens before the request',
    );
    await c.close();
  });
});

describe('re-login after the server forgets the session', () => {
  /** Restarting an in-memory node on the same port rotates its cookie secret: old cookies are ignored. */
  async function restart(old: Node, admins: Record<string, string>): Promise<Node> {
    const port = old.port;
    await old.close();
    return startNode({ port, inMemory: true, admins });
  }

  it('re-logs in once on 401 and resends the request', async () => {
    let node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
    const events: ResponseEvent[] = [];
    const c = new CouchClient({
      url: node.url,
      auth: { cookie: true, username: 'admin', password: 'admin' },
      clock: new RecordingClock(),
      onResponse: (e) => events.push(e),
    });
    try {
      await c.put('/before');
      node = await restart(node, { admin: 'admin' });
      assert.deepEqual(await c.put('/after'), { ok: true });
      const seq = events.map((e) => `${e.status} ${e.method} ${e.path}`);
      assert.deepEqual(seq.slice(-3), ['401 PUT /after', '200 POST /_session', '201 PUT /after']);
      assert.equal(logins(events).length, 2);
      assert.equal((await c.get<Session>('/_session')).info.authenticated, 'cookie');
    } finally {
      await c.close();
      await node.close();
    }
  });

  it('when the re-login is refused too, fails with E_COUCH_AUTH after exactly one re-login', async () => {
    let node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
    const events: ResponseEvent[] = [];
    const c = new CouchClient({
      url: node.url,
      auth: { cookie: true, username: 'admin', password: 'admin' },
      clock: new RecordingClock(),
      onResponse: (e) => events.push(e),
    });
    try {
      await c.put('/before');
      node = await restart(node, { admin: 'rotated' });
      const e = await c.put('/after').catch((x: unknown) => x);
      assert.ok(e instanceof CouchError);
      assert.equal(e.code, CouchErrorCode.AUTH);
      assert.equal(e.path, '/_session');
      assert.equal(logins(events).length, 2);
      assert.equal(events.filter((x) => x.path === '/after').length, 1);
    } finally {
      await c.close();
      await node.close();
    }
  });
});

describe('cookie auth on a server without /_session', () => {
  it('falls back to Basic auth', async () => {
    const auths: Array<string | undefined> = [];
    const server = await faultServer((req, res) => {
      if (req.url === '/_session') return sendJson(res, 404, { error: 'not_found', reason: 'missing' });
      auths.push(req.headers.authorization);
      sendJson(res, 200, { ok: true });
    });
    const c = new CouchClient({ url: server.url, auth: { cookie: true, username: 'u', password: 'p' } });
    try {
      await c.get('/a');
      await c.get('/b');
      assert.deepEqual(auths, [
        `Basic ${Buffer.from('u:p').toString('base64')}`,
        `Basic ${Buffer.from('u:p').toString('base64')}`,
      ]);
      assert.equal(server.seen.filter((s) => s === 'POST /_session').length, 1);
    } finally {
      await c.close();
      await server.close();
    }
  });
});

describe('a shared login and aborts', () => {
  it('one caller aborting while the login runs does not fail the others', async () => {
    const cookies: Array<string | undefined> = [];
    const server = await faultServer((req, res) => {
      if (req.url === '/_session')
        return setTimeout(
          () => sendJson(res, 200, { ok: true }, { 'set-cookie': 'AuthSession=c00k1e; Max-Age=600; Path=/' }),
          100,
        );
      cookies.push(req.headers.cookie);
      sendJson(res, 200, { ok: true });
    });
    const c = new CouchClient({ url: server.url, auth: { cookie: true, username: 'u', password: 'p' } });
    try {
      const ac = new AbortController();
      const a = c.get('/a', undefined, { signal: ac.signal }).catch((x: unknown) => x);
      const b = c.get('/b');
      setTimeout(() => ac.abort(), 20);
      const ea = await a;
      assert.ok(ea instanceof CouchError);
      assert.equal(ea.code, CouchErrorCode.ABORTED);
      assert.deepEqual(await b, { ok: true });
      assert.deepEqual(cookies, ['AuthSession=c00k1e']);
      assert.equal(server.seen.filter((s) => s === 'POST /_session').length, 1);
    } finally {
      await c.close();
      await server.close();
    }
  });
});

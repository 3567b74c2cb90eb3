import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ProxyAgent, request } from 'undici';
import { ManualClock } from '../core/clock.ts';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { isAllowed, parseAllow, parseAuthority } from './allow.ts';
import { type Relay, startRelay } from './relay.ts';

describe('relay: allow list', () => {
  it('parses HOST:PORT, HOST:* and [v6]:PORT; refuses anything else with E_RELAY_ALLOW', () => {
    const a = parseAllow('db.example.org:6984, 10.0.0.4:*,[::1]:5984');
    assert.deepEqual(a, [
      { host: 'db.example.org', port: 6984 },
      { host: '10.0.0.4', port: 0 },
      { host: '::1', port: 5984 },
    ]);
    assert.ok(isAllowed(a, { host: 'DB.example.org', port: 6984 }));
    assert.ok(!isAllowed(a, { host: 'db.example.org', port: 5984 }));
    assert.ok(isAllowed(a, { host: '10.0.0.4', port: 1 }));
    assert.ok(isAllowed(a, parseAuthority('[::1]:5984') as { host: string; port: number }));
    assert.deepEqual(parseAllow(undefined), []);
    for (const bad of ['host', 'host:99999', ':80', 'a:b:c'])
      assert.throws(() => parseAllow(bad), { code: 'E_RELAY_ALLOW' });
    assert.equal(parseAuthority('nohost'), undefined);
  });
});

describe('relay: forward proxy in front of an embedded node', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  let relay: Relay;
  const lines: string[] = [];
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: 'sekrit' } });
    relay = await startRelay({
      port: 0,
      allow: parseAllow(`127.0.0.1:${node.port}`),
      log: (l) => lines.push(l),
    });
  });
  after(async () => {
    await relay.close();
    await node.close();
  });

  const client = (proxyTunnel: boolean, url = node.url) =>
    new CouchClient({
      url,
      proxy: relay.url,
      proxyTunnel,
      retries: 0,
      auth: { username: 'admin', password: 'sekrit' },
    });

  it('forwards absolute-form requests and CONNECT tunnels, counting connections and bytes', async () => {
    for (const tunnel of [false, true]) {
      const c = client(tunnel);
      try {
        assert.equal((await c.serverInfo()).flavour, 'couchmesh');
        await c.request({ method: 'PUT', path: '/relayed' });
      } finally {
        await c.close();
      }
    }
    const s = relay.counters.snapshot();
    assert.ok(s.connections >= 2, `connections ${s.connections}`);
    assert.ok(s.bytesUp > 0 && s.bytesDown > 0);
    assert.equal(s.refused, 0);
    // both forms were used: absolute-form requests and a CONNECT tunnel, each logged
    assert.ok(lines.some((l) => l.startsWith(`relay: GET 127.0.0.1:${node.port} `)));
    assert.ok(lines.some((l) => l.startsWith(`relay: CONNECT 127.0.0.1:${node.port} `)));
    assert.ok(node.state.get('relayed'));
  });

  it('refuses a destination off the allow list (403, counted, logged with the hint, no secrets)', async () => {
    const c = client(true, 'http://127.0.0.1:1');
    try {
      await assert.rejects(c.serverInfo());
    } finally {
      await c.close();
    }
    const c2 = client(false, 'http://127.0.0.1:1');
    try {
      const r = await c2.request({ method: 'GET', path: '/' }).catch((e: { status?: number }) => e);
      assert.equal((r as { status?: number }).status, 403);
    } finally {
      await c2.close();
    }
    assert.equal(relay.counters.refused, 2);
    const refused = lines.filter((l) => l.includes('refused'));
    assert.equal(refused.length, 2);
    assert.match(refused[0] as string, /127\.0\.0\.1:1 .*--allow/);
    assert.ok(lines.every((l) => !l.includes('sekrit') && !/authorization/i.test(l)));
  });
});

describe('relay: graceful shutdown', () => {
  it('lets a forwarded request in flight finish, then closes; a stuck one is cut after the grace (on the clock)', async () => {
    const held: ServerResponse[] = [];
    const slow = createServer((_req, res) => held.push(res));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const port = (slow.address() as { port: number }).port;
    const clock = new ManualClock(0);
    const relay = await startRelay({ port: 0, clock, allow: parseAllow(`127.0.0.1:${port}`) });
    const agent = new ProxyAgent({ uri: relay.url, proxyTunnel: false });
    try {
      const first = request(`http://127.0.0.1:${port}/a`, { dispatcher: agent });
      await poll(() => held.length === 1);
      const closing = relay.close(1000);
      let closed = false;
      void closing.then(() => {
        closed = true;
      });
      (held[0] as ServerResponse).end('done');
      const r = await first;
      assert.equal(r.statusCode, 200);
      assert.equal(await r.body.text(), 'done');
      await closing;
      assert.ok(closed);

      const relay2 = await startRelay({ port: 0, clock, allow: parseAllow(`127.0.0.1:${port}`) });
      const agent2 = new ProxyAgent({ uri: relay2.url, proxyTunnel: false });
      const stuck = request(`http://127.0.0.1:${port}/b`, { dispatcher: agent2 }).catch((e: Error) => e);
      await poll(() => held.length === 2);
      const closing2 = relay2.close(1000);
      await poll(() => clock.pending === 1);
      await clock.advance(1000);
      await closing2;
      assert.ok((await stuck) instanceof Error, 'the stuck request is cut once the grace is over');
      await agent2.close();
    } finally {
      for (const h of held) h.destroy();
      await agent.close();
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });
});

async function poll(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(cond());
}

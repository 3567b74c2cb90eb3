import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { dial, MemberGroups } from './members.ts';
import { type Relay, startRelay } from './relay.ts';
import { deadPort } from './test-support.ts';

const d = (port: number) => ({ host: '127.0.0.1', port });

describe('relay members: groups (pure)', () => {
  it('dials the sticky member first, then the group in order; other destinations alone', () => {
    const g = new MemberGroups([[d(1), d(2), d(3)]]);
    assert.deepEqual(g.candidates(d(2)), [d(1), d(2), d(3)]);
    g.good(d(1), d(3));
    assert.deepEqual(g.candidates(d(1)), [d(3), d(1), d(2)]);
    assert.ok(g.has({ host: '127.0.0.1', port: 3 }) && !g.has(d(4)));
    assert.deepEqual(g.candidates(d(4)), [d(4)]);
  });

  it('dial skips members that refuse, and fails with the last error when none accepts', async () => {
    const [a, b] = [await deadPort(), await deadPort()];
    await assert.rejects(dial([d(a), d(b)]), { code: 'ECONNREFUSED' });
  });
});

describe('relay members: a request for the first member reaches the first live one', () => {
  type N = Awaited<ReturnType<typeof startNode>>;
  let n2: N;
  let n3: N;
  let relay: Relay;
  let first: number;
  const lines: string[] = [];
  before(async () => {
    first = await deadPort();
    n2 = await startNode({ port: 0, inMemory: true, admins: { admin: 'sekrit' } });
    n3 = await startNode({ port: 0, inMemory: true, admins: { admin: 'sekrit' } });
    // no allow list: the group's members are the allowed destinations
    relay = await startRelay({
      port: 0,
      allow: [],
      members: [[d(first), d(n2.port), d(n3.port)]],
      log: (l) => lines.push(l),
    });
  });
  after(async () => {
    await relay.close(0);
    await n2.close().catch(() => {});
    await n3.close();
  });

  const uuidVia = async (proxyTunnel: boolean) => {
    const c = new CouchClient({
      url: `http://127.0.0.1:${first}`,
      proxy: relay.url,
      proxyTunnel,
      retries: 0,
      auth: { username: 'admin', password: 'sekrit' },
    });
    try {
      return ((await c.serverInfo()) as { uuid: string }).uuid;
    } finally {
      await c.close();
    }
  };
  const uuid = async (n: N) => ((await (await fetch(n.url)).json()) as { uuid: string }).uuid;

  it('plain http and CONNECT: the dead first member is skipped, the next one answers, then the one after', async () => {
    for (const tunnel of [false, true]) assert.equal(await uuidVia(tunnel), await uuid(n2));
    assert.ok(lines.some((l) => l.includes(`refused, sent to 127.0.0.1:${n2.port}`)));
    // sticky: once n2 answered it is dialled first (no more refusals logged for the dead member)
    const before = lines.filter((l) => l.includes('refused')).length;
    await uuidVia(false);
    assert.equal(lines.filter((l) => l.includes('refused')).length, before);
    const n3uuid = await uuid(n3);
    await n2.close();
    for (const tunnel of [false, true]) assert.equal(await uuidVia(tunnel), n3uuid);
    assert.equal(relay.counters.snapshot().refused, 0);
  });
});

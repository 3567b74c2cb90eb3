// The bad-peer front against a real embedded node: what each mode answers, and that a request it does
// not match passes through untouched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../../../src/node/index.ts';
import { type BadPeer, startBadPeer, wrongShape } from './bad-peer.ts';

describe('bad-peer: an HTTP front answering badly', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  let peer: BadPeer;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true });
    peer = await startBadPeer({ target: { host: '127.0.0.1', port: node.port } });
  });
  after(async () => {
    await peer.close();
    await node.close();
  });

  it('passes through what it does not match', async () => {
    peer.set({ mode: 'garbage', match: /_bulk_docs/ });
    const r = await fetch(`${peer.url}/`);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { couchdb: string }).couchdb, 'Welcome');
    peer.heal();
  });

  it('garbage: 200 and a body that is not JSON; wrong-shape: JSON of the other type', async () => {
    peer.set({ mode: 'garbage' });
    const g = await fetch(`${peer.url}/`);
    assert.equal(g.status, 200);
    assert.match(await g.text(), /^</);
    peer.set({ mode: 'wrong-shape' });
    assert.deepEqual(await (await fetch(`${peer.url}/db/_changes`)).json(), [['unexpected']]);
    const bulk = await (await fetch(`${peer.url}/db/_bulk_docs`, { method: 'POST', body: '{}' })).json();
    assert.ok(!Array.isArray(bulk));
    assert.equal(wrongShape('GET /db/doc?open_revs=%5B%221-a%22%5D').startsWith('{'), true);
    peer.heal();
  });

  it('truncate: the answer is cut before its end and the socket closed', async () => {
    peer.set({ mode: 'truncate', bytes: 5 });
    await assert.rejects(async () => (await fetch(`${peer.url}/`)).text());
    peer.heal();
  });

  it('hang: the head and a few bytes, then silence until healed', async () => {
    peer.set({ mode: 'hang', bytes: 5 });
    const res = await fetch(`${peer.url}/`);
    assert.equal(res.status, 200);
    const body = res.text();
    peer.heal(); // closes the hung socket: the read fails instead of waiting for ever
    await assert.rejects(body);
    assert.equal(peer.counters.faulted.hang, 1);
  });

  it('throttle: 429 with Retry-After for the seeded share of requests', async () => {
    peer.set({ mode: 'throttle', share: 0.5, retryAfterS: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await fetch(`${peer.url}/`);
      statuses.push(r.status);
      if (r.status === 429) assert.equal(r.headers.get('retry-after'), '2');
      await r.arrayBuffer();
    }
    peer.heal();
    const limited = statuses.filter((s) => s === 429).length;
    assert.ok(limited > 5 && limited < 35, `${limited} of 40`);
    assert.equal(statuses.filter((s) => s !== 429 && s !== 200).length, 0);
  });
});

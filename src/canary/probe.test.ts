import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { CouchClient } from '../couch/client.ts';
import { closedPort } from '../couch/test-support.ts';
import { startNode } from '../node/index.ts';
import { CanaryProbe } from './probe.ts';

const auth = { username: 'admin', password: 'admin' };

describe('canary probe: failures are null samples, never throws; nothing left running', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  let other: Awaited<ReturnType<typeof startNode>>;
  let up: CouchClient;
  let apart: CouchClient;
  let down: CouchClient;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
    up = new CouchClient({ url: node.url, auth, retries: 0 });
    down = new CouchClient({
      url: `http://127.0.0.1:${await closedPort()}`,
      auth,
      retries: 0,
      timeoutMs: 2_000,
    });
    other = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
    apart = new CouchClient({ url: other.url, auth, retries: 0 });
    await up.put('/couchmesh_canary');
    await apart.put('/couchmesh_canary');
  });
  after(async () => {
    await up.close();
    await down.close();
    await apart.close();
    await node.close();
    await other.close();
  });

  it('an unreachable source or target gives null for its directions at once (no timeout wait)', async () => {
    const clock = new ManualClock(1_000);
    const clients = new Map([
      ['a', up],
      ['b', down],
    ]);
    const probe = new CanaryProbe({ db: 'couchmesh_canary', clients, clock, timeoutMs: 60_000 });
    const r = await probe.round([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
    ]);
    assert.deepEqual(r.samples, [
      { from: 'a', to: 'b', at: 1_000, latencyMs: null },
      { from: 'b', to: 'a', at: 1_000, latencyMs: null },
    ]);
    assert.equal(clock.pending, 0, 'the timeout sleep was cancelled');
    // the write on a reachable source happened: the canary doc exists with its counter
    const doc = await up.get<{ n: number; at: number }>('/couchmesh_canary/canary%3Aa%3Eb');
    assert.deepEqual([doc.n, doc.at], [1, 1_000]);
  });

  it('a canary that never arrives is null after the timeout (ManualClock); an abort ends a round early', async () => {
    const clock = new ManualClock(0);
    // two nodes with no replication between them: the canary is written and never arrives
    const clients = new Map([
      ['a', up],
      ['c', apart],
    ]);
    const probe = new CanaryProbe({ db: 'couchmesh_canary', clients, clock, timeoutMs: 5_000 });
    const pending = probe.round([{ from: 'a', to: 'c' }]);
    await waitUntil(() => clock.pending === 1);
    clock.advance(5_000);
    const r = await pending;
    assert.equal(r.samples[0]?.latencyMs, null);

    const ac = new AbortController();
    const aborted = probe.round([{ from: 'a', to: 'c' }], ac.signal);
    await waitUntil(() => clock.pending === 1);
    ac.abort();
    const cut = await aborted;
    assert.equal(cut.samples.length, 1);
    assert.equal(clock.pending, 0);
  });
});

async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

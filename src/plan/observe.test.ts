import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CouchClient } from '../couch/client.ts';
import { closedPort } from '../couch/test-support.ts';
import { startNode } from '../node/index.ts';
import type { NodeSpec } from '../spec/types.ts';
import { isWrite, mapLimit, observeNode, RequestCounter } from './observe.ts';

test('isWrite: reads are GET/HEAD and reading POSTs; the rest writes', () => {
  assert.equal(isWrite('GET', '/_all_dbs'), false);
  assert.equal(isWrite('POST', '/sensors/_all_docs'), false);
  assert.equal(isWrite('POST', '/_replicator/_bulk_docs'), true);
  assert.equal(isWrite('PUT', '/sensors'), true);
  assert.equal(isWrite('DELETE', '/x/y'), true);
});

test('RequestCounter counts per node and since a snapshot', () => {
  const c = new RequestCounter();
  const a = c.hook('a');
  const ev = (method: string, path: string) => ({
    node: 'http://a',
    method,
    path,
    status: 200,
    attempt: 1,
    durationMs: 1,
  });
  a(ev('GET', '/_all_dbs'));
  const snap = c.snapshot();
  a(ev('POST', '/_replicator/_bulk_docs'));
  a(ev('GET', '/x'));
  assert.deepEqual(c.snapshot().get('a'), { reads: 2, writes: 1 });
  assert.deepEqual(c.since(snap, 'a'), { reads: 1, writes: 1 });
  assert.deepEqual(c.since(snap, 'b'), { reads: 0, writes: 0 });
});

test('mapLimit keeps order and never runs more than the limit at once', async () => {
  let running = 0;
  let peak = 0;
  const out = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 2));
    running--;
    return n * 2;
  });
  assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14]);
  assert.equal(peak, 3);
});

const nodeAt = (url: string) => ({ name: 'n1', url }) as NodeSpec;

test('observeNode: a refused connection is an unreachable node (a network failure of the client)', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const client = new CouchClient({ url, retries: 0 });
  const o = await observeNode(nodeAt(url), client);
  assert.equal(o.reachable, false);
  assert.equal(o.error?.code, 'E_COUCH_UNREACHABLE');
  await client.close();
});

test('observeNode: a TypeError is a bug, not an unreachable node: it propagates with its stack', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const client = new CouchClient({ url, retries: 0 });
  client.get = async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'rows')");
  };
  await assert.rejects(observeNode(nodeAt(url), client), (e: unknown) => e instanceof TypeError && !!e.stack);
  await client.close();
});

test('observeNode: a node answering 401 to our password is refused (reachable), naming the reference to check', async () => {
  const node = await startNode({ port: 0, inMemory: true, admins: { admin: 'the-right-one' } });
  const spec = {
    name: 'n1',
    url: node.url,
    auth: { username: 'admin', password_env: 'N1_PASSWORD' },
  } as NodeSpec;
  const wrong = new CouchClient({ url: node.url, retries: 0, auth: { username: 'admin', password: 'nope' } });
  const right = new CouchClient({
    url: node.url,
    retries: 0,
    auth: { username: 'admin', password: 'the-right-one' },
  });
  try {
    const o = await observeNode(spec, wrong);
    assert.equal(o.reachable, true);
    assert.equal(o.refused, true);
    assert.equal(o.error?.code, 'E_COUCH_AUTH');
    assert.equal(o.credentials_ref, "the password of 'admin' in env N1_PASSWORD");
    assert.doesNotMatch(JSON.stringify(o), /nope/);
    const ok = await observeNode(spec, right);
    assert.equal(ok.reachable, true);
    assert.equal(ok.refused, undefined);
    assert.ok(ok.databases.includes('_replicator'));
  } finally {
    await Promise.all([wrong.close(), right.close()]);
    await node.close();
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import type { MemberFailoverEvent } from './members.ts';
import { closedPort, faultServer, RecordingClock, sendJson } from './test-support.ts';

/** A member that answers every request with its own name (members of one cluster serve the same data). */
const member = (name: string, status = 200) =>
  faultServer((_req, res) =>
    sendJson(res, status, status === 200 ? { member: name } : { error: 'boom', reason: name }),
  );

describe('a cluster node: failover between members', () => {
  it('moves to the next member on a refused connection, then stays there (sticky)', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const b = await member('b');
    const c = await member('c');
    const moves: MemberFailoverEvent[] = [];
    const client = new CouchClient({
      url: down,
      members: [down, b.url, c.url],
      retries: 0,
      clock: new RecordingClock(),
      onMemberFailover: (e) => moves.push(e),
    });
    try {
      assert.equal(client.member, down);
      assert.deepEqual(await client.get('/'), { member: 'b' });
      assert.equal(client.member, b.url);
      assert.deepEqual(await client.get('/x'), { member: 'b' });
      // the second request went straight to b: one move in all
      assert.deepEqual(
        moves.map((m) => [m.from, m.to, m.code]),
        [[down, b.url, CouchErrorCode.UNREACHABLE]],
      );
      assert.equal(b.seen.length, 2);
      assert.equal(c.seen.length, 0);
      assert.equal(client.url, down, 'the node keeps its identity');
    } finally {
      await client.close();
      await b.close();
      await c.close();
    }
  });

  it('an HTTP error is the cluster answering: no failover, and the error names the member', async () => {
    const a = await member('a', 500);
    const b = await member('b');
    const client = new CouchClient({ url: a.url, members: [a.url, b.url], retries: 0 });
    try {
      const e = await client.get('/db').catch((x: unknown) => x);
      assert.ok(e instanceof CouchError);
      assert.equal(e.status, 500);
      assert.equal(e.node, a.url);
      assert.equal(b.seen.length, 0);
    } finally {
      await client.close();
      await a.close();
      await b.close();
    }
  });

  it('a write that may have been received is not sent to another member', async () => {
    // the member takes the request and cuts the connection: it may have acted on it
    const a = await faultServer((req) => req.socket.destroy());
    const b = await member('b');
    const client = new CouchClient({ url: a.url, members: [a.url, b.url], retries: 0 });
    try {
      const e = await client.post('/db/_bulk_docs', { docs: [] }).catch((x: unknown) => x);
      assert.ok(e instanceof CouchError);
      assert.equal(e.code, CouchErrorCode.UNREACHABLE);
      assert.equal(b.seen.length, 0);
      // a read may be resent: it moves on
      assert.deepEqual(await client.get('/db'), { member: 'b' });
    } finally {
      await client.close();
      await a.close();
      await b.close();
    }
  });

  it('every member down: one error naming each member tried', async () => {
    const d1 = `http://127.0.0.1:${await closedPort()}`;
    const d2 = `http://127.0.0.1:${await closedPort()}`;
    const client = new CouchClient({ url: d1, members: [d1, d2], retries: 0 });
    try {
      const e = await client.get('/').catch((x: unknown) => x);
      assert.ok(e instanceof CouchError);
      assert.equal(e.code, CouchErrorCode.UNREACHABLE);
      assert.match(e.message, /no member of the cluster answered/);
      assert.ok(e.message.includes(d1) && e.message.includes(d2), e.message);
    } finally {
      await client.close();
    }
  });
});

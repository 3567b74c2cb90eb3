import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../node/index.ts';
import type { ChangeRow } from './changes.ts';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import { waitFor } from './test-support.ts';

describe('_changes against the embedded node', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  let c: CouchClient;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
    c = new CouchClient({ url: node.url, auth: { username: 'admin', password: 'admin' } });
    await c.put('/feed');
    for (const id of ['a', 'b', 'c']) await c.put(`/feed/${id}`, { id });
  });
  after(async () => {
    await c.close();
    await node.close();
  });

  it('changes(): feed=normal with results, last_seq and pending; paging with since', async () => {
    const all = await c.changes({ db: 'feed' });
    assert.deepEqual(
      all.results.map((r) => r.id),
      ['a', 'b', 'c'],
    );
    assert.equal(all.pending, 0);
    const first = await c.changes({ db: 'feed', limit: 2 });
    assert.equal(first.results.length, 2);
    assert.equal(first.pending, 1);
    const rest = await c.changes({ db: 'feed', since: first.last_seq });
    assert.deepEqual(
      rest.results.map((r) => r.id),
      ['c'],
    );
    const docs = await c.changes<{ id: string }>({ db: 'feed', docIds: ['b'], includeDocs: true });
    assert.equal(docs.results[0]?.doc?.id, 'b');
    const sel = await c.changes({ db: 'feed', selector: { id: 'c' } });
    assert.deepEqual(
      sel.results.map((r) => r.id),
      ['c'],
    );
    const idle = await c.changes({ db: 'feed', feed: 'longpoll', since: 'now', timeout: 100 });
    assert.deepEqual(idle.results, []);
  });

  it('changesStream(): rows already there, then live writes, heartbeats skipped, stopped by abort', async () => {
    const ac = new AbortController();
    const feed = c.changesStream({ db: 'feed', since: 0, heartbeat: 20, signal: ac.signal });
    const seen: ChangeRow[] = [];
    const loop = (async () => {
      for await (const row of feed) seen.push(row);
    })();
    await waitFor(() => seen.length === 3);
    await new Promise((r) => setTimeout(r, 120)); // several heartbeat lines go by
    const d = await c.put<{ rev: string }>('/feed/d', { id: 'd' });
    await c.delete('/feed/a', { rev: seen[0]?.changes[0]?.rev });
    await waitFor(() => seen.length === 5);
    assert.deepEqual(
      seen.map((r) => r.id),
      ['a', 'b', 'c', 'd', 'a'],
    );
    assert.equal(seen[3]?.changes[0]?.rev, d.rev);
    assert.equal(seen[4]?.deleted, true);
    ac.abort();
    await loop; // ends quietly, no error
    assert.equal(feed.last, undefined);
    assert.equal(feed.lastSeq, seen[4]?.seq);
  });

  it('a feed the server ends (timeout, no heartbeat; or limit) exposes its {last_seq, pending} line', async () => {
    const feed = c.changesStream({ db: 'feed', since: 0, heartbeat: false, timeout: 100 });
    const ids: string[] = [];
    for await (const row of feed) ids.push(row.id);
    assert.ok(ids.length >= 4);
    assert.ok(feed.last);
    assert.equal(feed.last.pending, 0);
    assert.equal(feed.lastSeq, feed.last.last_seq);
    const limited = c.changesStream({ db: 'feed', since: 0, limit: 2, includeDocs: true });
    const rows: ChangeRow<{ id: string }>[] = [];
    for await (const row of limited) rows.push(row as ChangeRow<{ id: string }>);
    assert.equal(rows.length, 2);
    assert.deepEqual(
      rows.map((r) => [r.id, r.doc?.id]),
      [
        ['b', 'b'],
        ['c', 'c'],
      ],
      "'a' moved to the end of the seq order when it was deleted",
    );
    assert.ok((limited.last?.pending ?? 0) >= 1);
  });

  it('filters by doc ids on a continuous feed (POST body)', async () => {
    const ac = new AbortController();
    const feed = c.changesStream({ db: 'feed', since: 0, docIds: ['c'], signal: ac.signal });
    for await (const row of feed) {
      assert.equal(row.id, 'c');
      ac.abort();
    }
  });

  it('a missing db fails the first iteration with E_COUCH_NOT_FOUND', async () => {
    const e = await (async () => {
      for await (const _ of c.changesStream({ db: 'nope' })) assert.fail('no rows expected');
    })().catch((x: unknown) => x);
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.NOT_FOUND);
    assert.equal(e.path, '/nope/_changes');
  });

  it('breaking out of the loop releases the feed; close() ends feeds still open', async () => {
    for await (const row of c.changesStream({ db: 'feed' })) {
      assert.ok(row.id);
      break;
    }
    const other = new CouchClient({ url: node.url, auth: { username: 'admin', password: 'admin' } });
    const rows: string[] = [];
    const loop = (async () => {
      for await (const row of other.changesStream({ db: 'feed', since: 'now' })) rows.push(row.id);
    })();
    await new Promise((r) => setTimeout(r, 50));
    await other.close();
    await loop;
    assert.deepEqual(rows, []);
  });
});

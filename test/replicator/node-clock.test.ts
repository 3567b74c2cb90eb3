// The node takes a Clock (`startNode({ clock })`): the replicator's crash backoff, the `_replicator`
// state times, session cookies and db incarnations all read it. On a ManualClock a crashed job is not
// retried until the clock passes its backoff, however long the test really takes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { ADMIN, endpoint, http, Nodes, ok, poll, type TestNode, waitState } from './helpers.ts';

const T0 = Date.UTC(2030, 0, 1);
const BACKOFF = 60_000;

describe('a node on a ManualClock', () => {
  const nodes = new Nodes();
  const clock = new ManualClock(T0);
  let node: TestNode;

  before(async () => {
    node = await nodes.start({ clock }, { backoff_base_msec: String(BACKOFF) });
  });
  after(() => nodes.closeAll());

  it('a crashed job waits for the node clock to pass its backoff, then runs; state times are the clock`s', async () => {
    await ok('PUT', `${node.url}/sink`);
    await ok('PUT', `${node.url}/_replicator/later`, {
      source: endpoint(node, 'later'),
      target: endpoint(node, 'sink'),
    });
    const crashed = await waitState(node, 'later', 'crashing');
    assert.equal(crashed.last_updated, '2030-01-01T00:00:00Z');
    const job = node.replicator.scheduler.get(crashed.id);
    assert.ok(job);
    assert.equal(job.retryAt, T0 + BACKOFF);

    // the cause goes away; real time passes (these requests), the node's time does not: no retry
    await ok('PUT', `${node.url}/later`);
    await ok('PUT', `${node.url}/later/doc-1`, { n: 1 });
    assert.equal(job.history.filter((e) => e.type === 'started').length, 1);
    assert.equal((await ok('GET', `${node.url}/_scheduler/docs/_replicator/later`)).state, 'crashing');

    await clock.advance(BACKOFF);
    const doc = await poll('later completed', async () => {
      const d = await ok('GET', `${node.url}/_replicator/later`);
      return d._replication_state === 'completed' ? d : undefined;
    });
    assert.equal(doc._replication_state_time, '2030-01-01T00:01:00Z');
    assert.equal((await http('GET', `${node.url}/sink/doc-1`)).status, 200);
  });

  it('session cookies are stamped and expire on the node clock; db incarnations are counted from it', async () => {
    const login = await fetch(`${node.url}/_session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: ADMIN.username, password: ADMIN.password }),
    });
    assert.equal(login.status, 200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    const now = clock.now();
    const expires = new Date(now + 600_000).toUTCString().replace(/ (\d\d) (\w\w\w) (\d{4})/, ' $1-$2-$3');
    assert.ok(setCookie.includes(`Expires=${expires};`), setCookie);
    const cookie = /AuthSession=[^;]*/.exec(setCookie)?.[0] as string;
    const session = async () =>
      (await (await fetch(`${node.url}/_session`, { headers: { cookie } })).json()) as {
        userCtx: { name: string | null };
      };
    assert.equal((await session()).userCtx.name, ADMIN.username);
    await clock.advance(601_000); // past [chttpd_auth] timeout (600 s)
    assert.equal((await session()).userCtx.name, null);

    const info = await ok('GET', `${node.url}/sink`);
    const started = Number(info.instance_start_time);
    assert.ok(started >= T0 * 1000 && started < (T0 + 3_600_000) * 1000, info.instance_start_time);
  });
});

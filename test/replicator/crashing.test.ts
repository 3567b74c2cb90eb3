// Must show 2 and the second half of 3: jobs that cannot open an endpoint are `crashing` with CouchDB's
// reason in `_scheduler/docs` `info.error` (and `history[].reason` of `_scheduler/jobs`), back off
// exponentially (`backoff_base_msec` set low via `_config`), and recover once the cause is gone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpoint, http, Nodes, ok, poll, type TestNode, waitState } from './helpers.ts';

const BACKOFF_BASE = 100;

describe('crashing jobs', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start({}, { backoff_base_msec: String(BACKOFF_BASE) });
    await ok('PUT', `${src.url}/src`);
    await ok('PUT', `${src.url}/src/doc-1`, { hello: 'world' });
    // a non-admin user on the target, for the refused-user cases
    await ok('PUT', `${tgt.url}/_users/org.couchdb.user:bob`, {
      name: 'bob',
      password: 'bobpw',
      roles: [],
      type: 'user',
    });
  });
  after(() => nodes.closeAll());

  it('missing target db with create_target:false -> crashing with db_not_found, exponential backoff, recovers once the db exists', async () => {
    await ok('PUT', `${tgt.url}/_replicator/to-missing`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'later'),
      continuous: true,
      create_target: false,
    });
    const reason = `db_not_found: could not open ${tgt.url}/later/`;
    const crashing = await poll('crashing twice', async () => {
      const r = await http('GET', `${tgt.url}/_scheduler/docs/_replicator/to-missing`);
      return r.body?.state === 'crashing' && r.body.error_count >= 2 ? r.body : undefined;
    });
    assert.deepEqual(crashing.info, { error: reason });
    assert.match(crashing.id, /^[0-9a-f]{32}\+continuous$/);

    // the same reason in the job's history, newest first; `info` is null while crashing (as CouchDB).
    // (polled: every backoff the job is briefly `running` again while it retries)
    const job = await poll('job between two retries', async () => {
      const j = await ok('GET', `${tgt.url}/_scheduler/jobs/${encodeURIComponent(crashing.id)}`);
      return j.history[0].type === 'crashed' ? j : undefined;
    });
    assert.equal(job.info, null);
    assert.equal(job.pid, null);
    assert.deepEqual(job.history[0], { timestamp: job.history[0].timestamp, type: 'crashed', reason });
    assert.equal(job.history.at(-1).type, 'added');
    // ?states= filter
    const filtered = await poll('?states=crashing', async () => {
      const f = await ok('GET', `${tgt.url}/_scheduler/docs?states=crashing`);
      return f.docs.length ? f : undefined;
    });
    assert.deepEqual(
      filtered.docs.map((d: { doc_id: string }) => d.doc_id),
      ['to-missing'],
    );
    assert.equal(filtered.total_rows, 1);

    // backoff: every crash is followed by a restart (order, not elapsed time), and the retry the
    // scheduler set is base * 2^(crashes-1) after the crash on the node's clock (the schedule
    // itself runs on a ManualClock in src/node/replicator/scheduler.test.ts)
    const live = await poll('job crashing', async () => {
      const j = tgt.replicator.scheduler.get(crashing.id);
      return j?.state === 'crashing' ? j : undefined;
    });
    const events = [...live.history].reverse().map((e) => e.type); // oldest first
    assert.equal(events[0], 'added');
    for (let i = 1; i < events.length - 1; i++)
      if (events[i] === 'crashed') assert.equal(events[i + 1], 'started');
    assert.ok(events.filter((t) => t === 'crashed').length >= 2);
    assert.equal(
      (live.retryAt as number) - (live.history[0]?.timestamp as number),
      BACKOFF_BASE * 2 ** (live.consecutiveCrashes - 1),
    );

    // the db appears: the next retry succeeds, the job runs and the doc arrives
    await ok('PUT', `${tgt.url}/later`);
    await poll('doc-1 replicated', async () => (await http('GET', `${tgt.url}/later/doc-1`)).status === 200, {
      timeoutMs: 15_000,
    });
    const running = await waitState(tgt, 'to-missing', 'running');
    assert.equal(running.error_count, 0);
    assert.equal(running.info.docs_written, 1);
    assert.equal(typeof running.info.checkpointed_source_seq, 'string');
  });

  it('a target that refuses the user outright (403 from _security members) -> crashing with forbidden', async () => {
    await ok('PUT', `${tgt.url}/members-only`);
    await ok('PUT', `${tgt.url}/members-only/_security`, {
      admins: { names: [], roles: [] },
      members: { names: ['alice'], roles: [] },
    });
    // the user exists and can log in, but is no member: the db answers 403
    const probe = await http('GET', `${tgt.url}/members-only`, undefined, {
      username: 'bob',
      password: 'bobpw',
    });
    assert.equal(probe.status, 403);
    await ok('PUT', `${tgt.url}/_replicator/refused-403`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'members-only', { username: 'bob', password: 'bobpw' }),
      continuous: true,
    });
    const d = await waitState(tgt, 'refused-403', 'crashing');
    assert.deepEqual(d.info, {
      error: `forbidden: unauthorized to access or create database ${tgt.url}/members-only/`,
    });
    // membership granted: the job recovers on its next retry
    await ok('PUT', `${tgt.url}/members-only/_security`, {
      admins: { names: [], roles: [] },
      members: { names: ['alice', 'bob'], roles: [] },
    });
    await waitState(tgt, 'refused-403', 'running', (x) => x.info.docs_written === 1, 15_000);
  });

  it('a target that refuses the credentials (401) -> crashing with unauthorized', async () => {
    await ok('PUT', `${tgt.url}/bob-db`);
    await ok('PUT', `${tgt.url}/_replicator/refused-401`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'bob-db', { username: 'bob', password: 'wrong' }),
      continuous: true,
    });
    const d = await waitState(tgt, 'refused-401', 'crashing');
    assert.deepEqual(d.info, {
      error: `unauthorized: unauthorized to access or create database ${tgt.url}/bob-db/`,
    });
  });

  it('a missing source db -> crashing with db_not_found on the source', async () => {
    await ok('PUT', `${tgt.url}/sink`);
    await ok('PUT', `${tgt.url}/_replicator/from-missing`, {
      source: endpoint(src, 'nosuch'),
      target: endpoint(tgt, 'sink'),
    });
    const d = await waitState(tgt, 'from-missing', 'crashing');
    assert.deepEqual(d.info, { error: `db_not_found: could not open ${src.url}/nosuch/` });
  });

  it('deleting a crashing job`s doc removes the job', async () => {
    const doc = await ok('GET', `${tgt.url}/_replicator/from-missing`);
    await ok('DELETE', `${tgt.url}/_replicator/from-missing?rev=${doc._rev}`);
    await poll(
      'job gone',
      async () => (await http('GET', `${tgt.url}/_scheduler/docs/_replicator/from-missing`)).status === 404,
    );
  });
});

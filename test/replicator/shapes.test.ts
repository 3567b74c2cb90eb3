// Must show 6 and the `_replicator` document rules: the JSON of `_scheduler/jobs[/{id}]`,
// `_scheduler/docs[/_replicator/{doc}]` (running, crashing, completed, failed duplicate),
// `_active_tasks`, `_node/_local/_stats/couch_replicator`, the checkpoint `_local` docs, `POST
// /_replicate` and the `_replicator` docs written back match real CouchDB 3.5.0 samples field for field
// (key sets and value types, recursively). The sample requests are replayed against two embedded nodes
// standing in for the sample's 127.0.0.1:25984 (source) and :25985 (target, runs the jobs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ADMIN,
  endpoint,
  http,
  type Json,
  keysOf,
  Nodes,
  ok,
  poll,
  sample,
  sampleFile,
  seqNum,
  shapeDiff,
  type TestNode,
  updateSeq,
  waitState,
  writeDocs,
} from './helpers.ts';

const SRC = 'http://127.0.0.1:25984';
const TGT = 'http://127.0.0.1:25985';

function assertShape(actual: unknown, sampleName: string, sampleBody: unknown = sample(sampleName)) {
  const diff = shapeDiff(actual, sampleBody);
  assert.deepEqual(diff, [], `${sampleName}:\n  ${diff.join('\n  ')}\nactual: ${JSON.stringify(actual)}`);
}

describe('JSON shapes match CouchDB 3.5.0 samples', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;
  /** a sample request body with the sample's node URLs replaced by ours */
  const replay = (name: string) =>
    JSON.parse(
      JSON.stringify(sampleFile(name).request.body).replaceAll(SRC, src.url).replaceAll(TGT, tgt.url),
    );
  let runningId = '';

  before(async () => {
    src = await nodes.start();
    // a crashed job stays `crashing` (no restart attempt, briefly `running`, during the comparisons)
    tgt = await nodes.start({}, { backoff_base_msec: '60000' });
    for (const db of ['repsrc', 'cksrc']) {
      await ok('PUT', `${src.url}/${db}`);
      await writeDocs(src, db, 'doc', 5);
    }
  });
  after(() => nodes.closeAll());

  it('invalid _replicator docs are refused at PUT with 403 forbidden and CouchDB`s reason', async () => {
    for (const name of [
      'replicator-doc-invalid-continuous-403.json',
      'replicator-doc-invalid-source-missing-403.json',
    ]) {
      const s = sampleFile(name);
      const r = await http('PUT', `${tgt.url}${s.request.path}`, replay(name));
      assert.equal(r.status, s.status, name);
      assert.deepEqual(r.body, s.body, name);
    }
    // a few more of CouchDB's parser rules
    const base = { source: endpoint(src, 'repsrc'), target: endpoint(tgt, 'x') };
    for (const [bad, reason] of [
      [
        { ...base, create_target: 1 },
        '{throw,{bad_request,<<"parameter `create_target` must be a boolean">>}}',
      ],
      [
        { ...base, selector: {}, doc_ids: ['a'] },
        '{throw,{bad_request,<<"`doc_ids`, `filter`, `selector` are mutually exclusive">>}}',
      ],
      [{ target: endpoint(tgt, 'x') }, 'Missing replicator database'],
    ] as const) {
      const r = await http('PUT', `${tgt.url}/_replicator/bad`, bad);
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, { error: 'forbidden', reason });
    }
    // unknown fields are ignored (couchmesh keeps its own metadata there)
    assert.equal(
      (
        await http('PUT', `${tgt.url}/_replicator/meta-ok`, {
          ...base,
          create_target: true,
          mesh_link: 'n1-n2',
          managed_by: 'couchmesh',
          doc_ids: ['none'],
        })
      ).status,
      201,
    );
    await waitState(tgt, 'meta-ok', 'completed');
    const d = await ok('GET', `${tgt.url}/_replicator/meta-ok`);
    await ok('DELETE', `${tgt.url}/_replicator/meta-ok?rev=${d._rev}`);
  });

  it('running job: `_replicator` doc gets `owner`; `_scheduler/docs/_replicator/{doc}` and `_scheduler/jobs/{id}`', async () => {
    await ok(
      'PUT',
      `${tgt.url}/_replicator/rep-auth-objects`,
      replay('replicator-doc-put-auth-objects.json'),
    );
    const doc = await ok('GET', `${tgt.url}/_replicator/rep-auth-objects`);
    assertShape(doc, 'replicator-doc-get-auth-objects-as-admin.json');
    const { _rev, ...rest } = doc;
    const { _rev: _sr, ...want } = replayBody(sample('replicator-doc-get-auth-objects-as-admin.json'));
    assert.deepEqual(rest, want, 'stored as sent, with owner set by the server');

    const d = await waitState(tgt, 'rep-auth-objects', 'running', (x) => x.info.docs_written === 5);
    assertShape(d, 'scheduler-doc-auth-objects-running.json');
    assert.equal(d.source, `${src.url}/repsrc/`);
    assert.equal(d.target, `${tgt.url}/reptgt/`);
    assert.match(d.id, /^[0-9a-f]{32}\+continuous\+create_target$/);
    runningId = d.id;

    const job = await ok('GET', `${tgt.url}/_scheduler/jobs/${encodeURIComponent(d.id)}`);
    assertShape(job, 'scheduler-job-by-id.json');
    assert.equal(job.user, null);
    assert.deepEqual(
      job.history.map((h: { type: string }) => h.type),
      ['started', 'added'],
    );
    for (const h of job.history) assert.match(h.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('`_active_tasks` replication entry', async () => {
    const tasks = await ok('GET', `${tgt.url}/_active_tasks`);
    const rep = tasks.filter((t: { type: string }) => t.type === 'replication');
    assert.equal(rep.length, 1);
    assertShape(rep, 'active-tasks-replication.json');
    assert.deepEqual(
      Object.keys(rep[0]),
      Object.keys(sample('active-tasks-replication.json')[0]),
      'same key order',
    );
    assert.equal(rep[0].replication_id, runningId);
    assert.equal(rep[0].continuous, true);
    assert.equal(rep[0].checkpoint_interval, 30000);
  });

  it('duplicate replication doc -> `failed` with CouchDB`s message, written back to the doc', async () => {
    const put = await http(
      'PUT',
      `${tgt.url}/_replicator/rep-duplicate`,
      replay('replicator-doc-duplicate-put.json'),
    );
    assert.equal(put.status, 201);
    const d = await waitState(tgt, 'rep-duplicate', 'failed');
    assertShape(d, 'scheduler-doc-duplicate-replication.json');
    const msg = `Replication \`${runningId}\` specified by document \`rep-duplicate\` already started, triggered by document \`rep-auth-objects\` from db \`_replicator\``;
    assert.deepEqual(d.info, { error: msg });
    assert.equal(d.id, null);
    assert.equal(d.error_count, 1);
    const doc = await poll('failed state written back', async () => {
      const x = await ok('GET', `${tgt.url}/_replicator/rep-duplicate`);
      return x._replication_state === 'failed' ? x : undefined;
    });
    assertShape(doc, 'replicator-doc-get-duplicate.json');
    assert.equal(doc._replication_state_reason, msg);
    assert.match(doc._replication_state_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('crashing job: `_scheduler/docs/_replicator/{doc}` and `?states=crashing`', async () => {
    await ok('PUT', `${tgt.url}/_replicator/rep-crashing`, replay('replicator-doc-put-missing-target.json'));
    const d = await waitState(tgt, 'rep-crashing', 'crashing');
    assertShape(d, 'scheduler-doc-missing-target-db.json');
    assert.deepEqual(d.info, { error: `db_not_found: could not open ${tgt.url}/no_such_target_db/` });
  });

  it('one-shot job -> `completed`, stats written back to the doc', async () => {
    await ok('PUT', `${tgt.url}/_replicator/rep-oneshot`, replay('replicator-doc-put-oneshot.json'));
    const d = await waitState(tgt, 'rep-oneshot', 'completed');
    assertShape(d, 'scheduler-doc-oneshot-completed.json');
    assert.equal(d.id, null);
    assert.equal(d.info.docs_written, 5);
    assert.equal(seqNum(d.info.checkpointed_source_seq), await updateSeq(src, 'repsrc'));
    const doc = await ok('GET', `${tgt.url}/_replicator/rep-oneshot`);
    assertShape(doc, 'replicator-doc-oneshot-after-completion.json');
    assert.deepEqual(
      keysOf(doc._replication_stats),
      keysOf(sample('replicator-doc-oneshot-after-completion.json')._replication_stats),
    );
    assert.equal(doc._replication_stats.docs_written, 5);
    assert.equal(doc.owner, 'admin');
    assert.equal((await ok('GET', `${tgt.url}/reptgt-oneshot`)).doc_count, 5);
  });

  it('`_scheduler/docs` (all four states), `?states=` and `_scheduler/jobs`', async () => {
    const all = await ok('GET', `${tgt.url}/_scheduler/docs`);
    const s = sample('scheduler-docs-all.json');
    assert.deepEqual(keysOf(all), keysOf(s));
    assert.equal(all.total_rows, 4);
    assert.deepEqual(
      all.docs.map((x: { doc_id: string; state: string }) => [x.doc_id, x.state]),
      s.docs.map((x: { doc_id: string; state: string }) => [x.doc_id, x.state]),
    );
    for (let i = 0; i < s.docs.length; i++)
      assertShape(all.docs[i], `scheduler-docs-all.json[${i}]`, s.docs[i]);

    const crashing = await ok('GET', `${tgt.url}/_scheduler/docs?states=crashing`);
    assertShape(crashing, 'scheduler-docs-states-crashing.json');
    assert.equal(crashing.total_rows, 4);
    assert.equal(crashing.docs.length, 1);

    const jobs = await ok('GET', `${tgt.url}/_scheduler/jobs`);
    const sj = sample('scheduler-jobs.json');
    assert.equal(jobs.total_rows, 2, 'completed and failed docs have no job');
    const byDoc = (list: Json[], id: string): Json => list.find((j) => j.doc_id === id);
    assertShape(
      { ...jobs, jobs: [byDoc(jobs.jobs, 'rep-auth-objects'), byDoc(jobs.jobs, 'rep-crashing')] },
      'scheduler-jobs.json',
      { ...sj, jobs: [byDoc(sj.jobs, 'rep-auth-objects'), byDoc(sj.jobs, 'rep-crashing')] },
    );
    assert.equal(byDoc(jobs.jobs, 'rep-crashing').info, null);
    const paged = await ok('GET', `${tgt.url}/_scheduler/jobs?limit=1&skip=1`);
    assert.equal(paged.total_rows, 2);
    assert.equal(paged.offset, 1);
    assert.equal(paged.jobs.length, 1);
  });

  it('404s of `_scheduler/jobs/{id}` and `_scheduler/docs/_replicator/{doc}`', async () => {
    for (const [path, name] of [
      ['/_scheduler/jobs/no-such-job', 'scheduler-job-missing-404.json'],
      ['/_scheduler/docs/_replicator/no-such-rep', 'scheduler-doc-missing-404.json'],
    ]) {
      const r = await http('GET', `${tgt.url}${path}`);
      const s = sampleFile(name!);
      assert.equal(r.status, s.status);
      assert.deepEqual(r.body, s.body);
    }
  });

  it('`_node/_local/_stats/couch_replicator` counters and gauges', async () => {
    const stats = await ok('GET', `${tgt.url}/_node/_local/_stats/couch_replicator`);
    assertShape(stats, 'node-stats-couch-replicator.json');
    // the sample's node ran the same four docs: a running, a crashing, a completed and a duplicate
    assert.equal(stats.jobs.running.value, 1);
    assert.equal(stats.jobs.crashed.value, 1);
    assert.equal(stats.jobs.total.value, 2);
    assert.equal(stats.jobs.duplicate_adds.value, 0, 'a duplicate doc is refused before it is added');
    assert.equal(stats.docs.failed_state_updates.value, 1);
    assert.ok(stats.docs.completed_state_updates.value >= 1);
    assert.ok(stats.failed_starts.value >= 1);
    assert.ok(stats.checkpoints.success.value >= 1);
    assert.ok(stats.requests.value > 0);
  });

  it('checkpoint `_local` docs on source and target, run 1 and run 2 (after stop and restart)', async () => {
    const put1 = replay('checkpoint-run1-replicator-doc-put.json');
    await ok('PUT', `${tgt.url}/_replicator/ckpt`, { ...put1, checkpoint_interval: 100 });
    const seq1 = await updateSeq(src, 'cksrc');
    const d1 = await waitState(
      tgt,
      'ckpt',
      'running',
      (x) => seqNum(x.info.checkpointed_source_seq) === seq1,
    );
    const base = d1.id.split('+')[0];
    const s1 = await ok('GET', `${src.url}/cksrc/_local/${base}`);
    const t1 = await ok('GET', `${tgt.url}/cktgt/_local/${base}`);
    assertShape(s1, 'checkpoint-run1-source-local-doc.json');
    assertShape(t1, 'checkpoint-run1-target-local-doc.json');
    assert.deepEqual(t1, s1, 'identical on both sides');
    assert.equal(s1._rev, sample('checkpoint-run1-source-local-doc.json')._rev);
    assert.equal(s1.history[0].start_last_seq, 0);
    assert.match(s1.history[0].start_time, /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    assertShape(await ok('GET', `${src.url}/cksrc/_local_docs`), 'checkpoint-source-local-docs-list.json');

    // stop (delete the doc), write 5 more, start again: same id, a second history entry, stats carried over
    const doc = await ok('GET', `${tgt.url}/_replicator/ckpt`);
    const del = await http('DELETE', `${tgt.url}/_replicator/ckpt?rev=${doc._rev}`);
    assert.deepEqual(keysOf(del.body), keysOf(sample('checkpoint-stop-delete-replicator-doc.json')));
    await poll(
      'ckpt stopped',
      async () => (await http('GET', `${tgt.url}/_scheduler/docs/_replicator/ckpt`)).status === 404,
    );
    await writeDocs(src, 'cksrc', 'doc', 5, 5);
    await ok('PUT', `${tgt.url}/_replicator/ckpt`, {
      ...replay('checkpoint-run2-replicator-doc-put-again.json'),
      checkpoint_interval: 100,
    });
    const seq2 = await updateSeq(src, 'cksrc');
    const d2 = await waitState(
      tgt,
      'ckpt',
      'running',
      (x) => seqNum(x.info.checkpointed_source_seq) === seq2,
    );
    assertShape(d2, 'checkpoint-run2-scheduler-doc.json');
    assert.equal(d2.id, d1.id);
    assert.equal(
      d2.info.revisions_checked,
      sample('checkpoint-run2-scheduler-doc.json').info.revisions_checked,
    );
    const s2 = await ok('GET', `${src.url}/cksrc/_local/${base}`);
    const t2 = await ok('GET', `${tgt.url}/cktgt/_local/${base}`);
    assertShape(s2, 'checkpoint-run2-source-local-doc.json');
    assertShape(t2, 'checkpoint-run2-target-local-doc.json');
    assert.equal(s2._rev, sample('checkpoint-run2-source-local-doc.json')._rev);
    assert.equal(s2.history.length, 2);
    assert.equal(s2.history[1].session_id, s1.session_id);
    assert.equal(s2.history[0].start_last_seq, s1.source_last_seq);
    assert.deepEqual(
      [s2.history[0].missing_checked, s2.history[1].missing_checked],
      sample('checkpoint-run2-source-local-doc.json').history.map(
        (h: { missing_checked: number }) => h.missing_checked,
      ),
    );
  });

  it('POST /_replicate one-shot answers the checkpoint history', async () => {
    const r = await http('POST', `${tgt.url}/_replicate`, {
      source: endpoint(src, 'repsrc'),
      target: endpoint(tgt, 'via-replicate'),
      create_target: true,
    });
    assert.equal(r.status, 200);
    assertShape(r.body, 'replicate-oneshot-10k-response.json');
    assert.equal(r.body.ok, true);
    assert.equal(r.body.history[0].docs_written, 5);
    assert.equal(r.body.history[0].start_last_seq, 0);
    assert.equal(seqNum(r.body.source_last_seq), await updateSeq(src, 'repsrc'));
    assert.equal((await ok('GET', `${tgt.url}/via-replicate`)).doc_count, 5);
    // a transient job shows `database: null`, `doc_id: null` while it runs; gone once done
    const jobs = await ok('GET', `${tgt.url}/_scheduler/jobs`);
    assert.ok(jobs.jobs.every((j: { doc_id: string | null }) => j.doc_id !== null));
  });

  it('`owner` is set by the server; a non-admin cannot write another user`s doc', async () => {
    await ok('PUT', `${tgt.url}/_users/org.couchdb.user:bob`, {
      name: 'bob',
      password: 'bobpw',
      roles: [],
      type: 'user',
    });
    const bob = { username: 'bob', password: 'bobpw' };
    // `_replicator` is admin-only by default (CouchDB 3): an admin opens it to bob first
    await ok(
      'PUT',
      `${tgt.url}/_replicator/_security`,
      { members: { names: ['bob'], roles: [] } },
      [200],
      ADMIN,
    );
    const body = {
      source: endpoint(src, 'repsrc'),
      target: endpoint(tgt, 'bobs'),
      create_target: true,
      continuous: true,
    };
    assert.equal((await http('PUT', `${tgt.url}/_replicator/bobs`, body, bob)).status, 201);
    assert.equal((await ok('GET', `${tgt.url}/_replicator/bobs`)).owner, 'bob');
    const forged = await http('PUT', `${tgt.url}/_replicator/forged`, { ...body, owner: 'admin' }, bob);
    assert.equal(forged.status, 403);
    assert.deepEqual(forged.body, {
      error: 'forbidden',
      reason: "Can't update replication documents from other users.",
    });
    // an admin's write keeps the owner it names
    await ok(
      'PUT',
      `${tgt.url}/_replicator/by-admin`,
      { ...body, target: endpoint(tgt, 'bobs2'), owner: 'bob' },
      [201],
      ADMIN,
    );
    assert.equal((await ok('GET', `${tgt.url}/_replicator/by-admin`)).owner, 'bob');
  });

  /** a sample response body with the sample's node URLs replaced by ours */
  function replayBody(body: unknown) {
    return JSON.parse(JSON.stringify(body).replaceAll(SRC, src.url).replaceAll(TGT, tgt.url));
  }
});

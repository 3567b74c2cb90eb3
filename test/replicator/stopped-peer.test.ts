// Must show 4: a stopped peer. The source node is closed: the job becomes `crashing` (with backoff).
// A new node on the same port and data folder comes back: the job returns to `running`, catches up,
// and resumes from its checkpoint — not from 0.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  endpoint,
  Nodes,
  ok,
  poll,
  schedDoc,
  seqNum,
  type TestNode,
  updateSeq,
  waitState,
  writeDocs,
} from './helpers.ts';

describe('a stopped peer', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;
  let dataDir: string;

  before(async () => {
    dataDir = nodes.tempDir('src');
    src = await nodes.start({ dataDir });
    tgt = await nodes.start({}, { backoff_base_msec: '100' });
    await ok('PUT', `${src.url}/src`);
    await ok('PUT', `${tgt.url}/tgt`);
  });
  after(() => nodes.closeAll());

  it('crashing while the source is down, then running, caught up and resumed from its checkpoint', async () => {
    await writeDocs(src, 'src', 'before', 50);
    await ok('PUT', `${tgt.url}/_replicator/from-src`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'tgt'),
      continuous: true,
      checkpoint_interval: 100,
      // fail fast once the peer is gone (CouchDB: 5 retries, 30 s timeout)
      retries_per_request: 1,
      connection_timeout: 3000,
    });
    const seq1 = await updateSeq(src, 'src');
    const d1 = await waitState(
      tgt,
      'from-src',
      'running',
      (d) => seqNum(d.info.checkpointed_source_seq) === seq1,
    );
    assert.equal(d1.info.revisions_checked, 50);
    const base = d1.id.split('+')[0];
    const ck1 = await ok('GET', `${src.url}/src/_local/${base}`);
    assert.equal(ck1.history.length, 1);

    // stop the source
    const port = src.port;
    await src.close();
    const crashing = await waitState(tgt, 'from-src', 'crashing', undefined, 15_000);
    assert.match(crashing.info.error, /^http_request_failed: /);
    // backoff: it keeps crashing (retries spaced by the scheduler's backoff) while the peer is away
    await waitState(tgt, 'from-src', 'crashing', (d) => d.error_count >= 2, 15_000);
    const live = tgt.replicator.scheduler.get(d1.id);
    assert.ok(live);
    // newest first: crashes alternate with restarts (order, not elapsed time: the backoff schedule
    // runs on a ManualClock in src/node/replicator/scheduler.test.ts)
    const types = live.history.map((e) => e.type).filter((t) => t === 'crashed' || t === 'started');
    for (let i = 0; i + 1 < types.length; i++) assert.notEqual(types[i], types[i + 1]);
    assert.ok(types.filter((t) => t === 'crashed').length >= 2);

    // the peer returns: same port, same data folder (its data and the checkpoint survived)
    src = await nodes.start({ dataDir, port });
    assert.equal(src.port, port);
    await writeDocs(src, 'src', 'after', 20);
    const seq2 = await updateSeq(src, 'src');
    assert.equal(seq2, seq1 + 20);
    const d2 = await waitState(
      tgt,
      'from-src',
      'running',
      (d) => seqNum(d.info.checkpointed_source_seq) === seq2,
      20_000,
    );
    assert.equal(d2.error_count, 0);
    assert.equal((await ok('GET', `${tgt.url}/tgt`)).doc_count, 70);

    // resumed from the checkpoint: the new session started at the recorded seq, not at 0 ...
    const ck2 = await ok('GET', `${src.url}/src/_local/${base}`);
    const tck2 = await ok('GET', `${tgt.url}/tgt/_local/${base}`);
    assert.equal(ck2.session_id, tck2.session_id);
    assert.equal(ck2.history.length, 2);
    assert.notEqual(ck2.history[0].session_id, ck1.session_id);
    assert.equal(ck2.history[1].session_id, ck1.session_id);
    assert.equal(seqNum(ck2.history[0].start_last_seq), seq1);
    // ... so only the 20 new revisions were checked (a re-scan from 0 would have counted 50 + 70)
    assert.equal(d2.info.revisions_checked, 70);
    assert.equal(ck2.history[0].missing_checked, 70);
    assert.equal(d2.info.docs_written, 70);
  });

  it('the job`s history shows the crashes and restarts', async () => {
    const d = await schedDoc(tgt, 'from-src');
    const job = await ok('GET', `${tgt.url}/_scheduler/jobs/${encodeURIComponent(d.id)}`);
    const types = job.history.map((e: { type: string }) => e.type);
    assert.equal(types[0], 'started');
    assert.ok(types.filter((t: string) => t === 'crashed').length >= 2);
    assert.equal(types.at(-1), 'added');
    await poll('still running', async () => (await schedDoc(tgt, 'from-src'))?.state === 'running');
  });
});

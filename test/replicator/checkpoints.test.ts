// Must show 5: `checkpointed_source_seq` advances on its `checkpoint_interval` (not per batch) and never
// moves backwards under continuous writes; recreating a job resumes from its `_local` checkpoints, while
// deleting them on both sides first forces a clean re-scan from 0.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  endpoint,
  http,
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

const INTERVAL = 250;

describe('checkpoints', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;
  const repDoc = () => ({
    source: endpoint(src, 'src'),
    target: endpoint(tgt, 'tgt'),
    continuous: true,
    checkpoint_interval: INTERVAL,
  });

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start();
    await ok('PUT', `${src.url}/src`);
    await ok('PUT', `${tgt.url}/tgt`);
  });
  after(() => nodes.closeAll());

  // What an end-to-end test can say without a clock: under continuous writes the checkpoint advances
  // (several times while the writes go on, not only once they stop), never moves backwards in either
  // view of it, and is written on its interval rather than per batch (far fewer checkpoints than
  // writes). The samples are counted, not timed: the run lasts until ADVANCES advances were seen.
  // (CouchDB's couch_replicator_scheduler_job checkpoints on a checkpoint_interval timer.)
  it('checkpointed_source_seq advances while writes go on, on its interval, and never moves backwards', async () => {
    await ok('PUT', `${tgt.url}/_replicator/ckpt`, repDoc());
    const d0 = await waitState(tgt, 'ckpt', 'running');
    assert.equal(d0.info.checkpointed_source_seq, '0');

    const ADVANCES = 4;
    // distinct checkpointed_source_seq values in the order seen, and every sample of both views of it
    const changes: number[] = [];
    const seen: { docs: number[]; tasks: number[] } = { docs: [], tasks: [] };
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing) {
        await ok('PUT', `${src.url}/src/w-${String(i++).padStart(5, '0')}`, { i });
        await new Promise((r) => setTimeout(r, 5)); // pacing of the writer, not a wait for a condition
      }
      return i;
    })();
    await poll(
      `${ADVANCES} checkpoint advances under continuous writes`,
      async () => {
        const [doc, tasks] = await Promise.all([
          schedDoc(tgt, 'ckpt'),
          ok('GET', `${tgt.url}/_active_tasks`),
        ]);
        const seq = seqNum(doc.info.checkpointed_source_seq);
        const task = tasks.find((t: { doc_id: string }) => t.doc_id === 'ckpt');
        assert.equal(task.checkpoint_interval, INTERVAL);
        seen.docs.push(seq);
        seen.tasks.push(seqNum(task.checkpointed_source_seq));
        if (seq > 0 && changes.at(-1) !== seq) changes.push(seq);
        return changes.length >= ADVANCES;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    writing = false;
    const written = await writer;

    for (const list of [seen.docs, seen.tasks])
      for (let i = 1; i < list.length; i++) assert.ok(list[i]! >= list[i - 1]!, `never backwards: ${list}`);
    for (let i = 1; i < changes.length; i++) assert.ok(changes[i]! > changes[i - 1]!, `${changes}`);
    // Interval, not per batch: each checkpoint bumps the source-side _local doc's rev.
    const base = d0.id.split('+')[0];
    const checkpoints = Number(String((await ok('GET', `${src.url}/src/_local/${base}`))._rev).split('-')[1]);
    assert.ok(checkpoints >= ADVANCES, `${checkpoints} checkpoints for ${ADVANCES} advances seen`);
    assert.ok(checkpoints * 2 <= written, `${checkpoints} checkpoints for ${written} writes`);

    // and it catches up once the writes stop
    const last = await updateSeq(src, 'src');
    await waitState(tgt, 'ckpt', 'running', (d) => seqNum(d.info.checkpointed_source_seq) === last);
    // the checkpoint doc on both sides carries that seq, in one session
    const [s, t] = await Promise.all([
      ok('GET', `${src.url}/src/_local/${base}`),
      ok('GET', `${tgt.url}/tgt/_local/${base}`),
    ]);
    assert.equal(s.session_id, t.session_id);
    assert.equal(seqNum(s.source_last_seq), last);
    assert.equal(s.history.length, 1);
    assert.ok(Number(String(s._rev).split('-')[1]) >= checkpoints, `checkpoint rev ${s._rev}`);
  });

  async function stopJob(docId: string) {
    const doc = await ok('GET', `${tgt.url}/_replicator/${docId}`);
    await ok('DELETE', `${tgt.url}/_replicator/${docId}?rev=${doc._rev}`);
    await poll(
      `${docId} gone`,
      async () => (await http('GET', `${tgt.url}/_scheduler/docs/_replicator/${docId}`)).status === 404,
    );
  }

  it('recreating the job resumes from the checkpoint; deleting both _local checkpoints first re-scans from 0', async () => {
    await writeDocs(src, 'src', 'extra', 30);
    const total = await updateSeq(src, 'src');
    const docs = (await ok('GET', `${src.url}/src`)).doc_count;
    await waitState(tgt, 'ckpt', 'running', (d) => seqNum(d.info.checkpointed_source_seq) === total);
    const before = await schedDoc(tgt, 'ckpt');
    const base = before.id.split('+')[0];
    await stopJob('ckpt');

    // 1. recreated with the same definition: same replication id, resumes (nothing re-checked)
    await ok('PUT', `${tgt.url}/_replicator/ckpt2`, repDoc());
    const resumed = await waitState(
      tgt,
      'ckpt2',
      'running',
      (d) => seqNum(d.info.checkpointed_source_seq) === total,
    );
    assert.equal(resumed.id, before.id);
    assert.equal(resumed.info.revisions_checked, before.info.revisions_checked);
    await writeDocs(src, 'src', 'more', 1); // one new change -> a checkpoint in the new session
    const total2 = await updateSeq(src, 'src');
    await waitState(tgt, 'ckpt2', 'running', (d) => seqNum(d.info.checkpointed_source_seq) === total2);
    const ck = await ok('GET', `${src.url}/src/_local/${base}`);
    assert.equal(ck.history.length, 2);
    assert.equal(seqNum(ck.history[0].start_last_seq), total);
    await stopJob('ckpt2');

    // 2. both checkpoints deleted, job recreated: a clean re-scan from 0
    for (const [node, db] of [
      [src, 'src'],
      [tgt, 'tgt'],
    ] as const) {
      const c = await ok('GET', `${node.url}/${db}/_local/${base}`);
      await ok('DELETE', `${node.url}/${db}/_local/${base}?rev=${c._rev}`);
    }
    await ok('PUT', `${tgt.url}/_replicator/ckpt3`, repDoc());
    const rescan = await waitState(
      tgt,
      'ckpt3',
      'running',
      (d) => seqNum(d.info.checkpointed_source_seq) === total2,
    );
    assert.equal(rescan.id, before.id);
    assert.equal(rescan.info.revisions_checked, docs + 1, 'every doc checked again');
    assert.equal(rescan.info.missing_revisions_found, 0, 'the target already had them all');
    const fresh = await ok('GET', `${src.url}/src/_local/${base}`);
    assert.equal(fresh.history.length, 1);
    assert.equal(fresh.history[0].start_last_seq, 0);
    assert.equal(fresh.history[0].missing_checked, docs + 1);
  });
});

// NODE-TRUST: the target database is deleted and recreated while the job has progress not yet
// checkpointed. CouchDB 3.5.0's job notices at its next checkpoint (`instance_start_time on target
// database has changed since last checkpoint.`), crashes, restarts, finds no target checkpoint and
// re-scans: the target gets every document back by itself, no command run (REFERENCE.md G2).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  endpoint,
  type Json,
  Nodes,
  ok,
  poll,
  schedDoc,
  seqNum,
  type TestNode,
  updateSeq,
  writeDocs,
} from './helpers.ts';

const INTERVAL = 3000; // long enough to recreate the db before the next checkpoint

describe('a target database deleted and recreated between two checkpoints', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start();
    await ok('PUT', `${src.url}/src`);
    await ok('PUT', `${tgt.url}/tgt`);
  });
  after(() => nodes.closeAll());

  const count = async () => {
    const r = await fetch(`${tgt.url}/tgt`, {
      headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    });
    return r.status === 200 ? ((await r.json()) as { doc_count: number }).doc_count : -1;
  };

  it('the job crashes with CouchDB`s reason and the target gets all 60 docs back by itself', async () => {
    const before = (await ok('GET', `${tgt.url}/tgt`)).instance_start_time;
    await ok('PUT', `${tgt.url}/_replicator/pull`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'tgt'),
      continuous: true,
      checkpoint_interval: INTERVAL,
    });
    await writeDocs(src, 'src', 'a', 50);
    const seq50 = await updateSeq(src, 'src');
    await poll(
      '50 docs checkpointed',
      async () => {
        const d = await schedDoc(tgt, 'pull');
        return seqNum(d?.info?.checkpointed_source_seq) >= seq50 && (await count()) === 50;
      },
      { timeoutMs: 20_000 },
    );
    await writeDocs(src, 'src', 'b', 10, 50);
    await poll('60 docs replicated', async () => (await count()) === 60);
    const d = await schedDoc(tgt, 'pull');
    assert.ok(
      seqNum(d.info.checkpointed_source_seq) < seqNum(d.info.through_seq),
      'progress not yet checkpointed',
    );

    await ok('DELETE', `${tgt.url}/tgt`);
    await ok('PUT', `${tgt.url}/tgt`);
    assert.notEqual((await ok('GET', `${tgt.url}/tgt`)).instance_start_time, before, 'a new incarnation');

    await poll('the target has all 60 docs back', async () => (await count()) === 60, { timeoutMs: 30_000 });
    const id = (await schedDoc(tgt, 'pull')).id;
    const job: Json = await ok('GET', `${tgt.url}/_scheduler/jobs/${encodeURIComponent(id)}`);
    const reasons = job.history.filter((h: Json) => h.type === 'crashed').map((h: Json) => h.reason);
    assert.ok(
      reasons.some((r: string) =>
        /instance_start_time on target database has changed since last checkpoint\./.test(r),
      ),
      `crash reasons: ${JSON.stringify(reasons)}`,
    );
  });
});

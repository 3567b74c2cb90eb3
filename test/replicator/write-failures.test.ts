// Must show 3 (first half): a target that refuses some writes — documents over its max_document_size
// (413) and design documents written by a non-admin replication user (403) — skips them and counts
// `doc_write_failures` (CouchDB >= 3.4), while `checkpointed_source_seq` keeps up with the source.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpoint, http, Nodes, ok, poll, schedDoc, seqNum, type TestNode, updateSeq } from './helpers.ts';

const MAX_DOC = 4096;
const BOB = { username: 'bob', password: 'bobpw' };

describe('a target that refuses some writes', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start({ maxDocumentSize: MAX_DOC });
    await ok('PUT', `${src.url}/src`);
    await ok('PUT', `${tgt.url}/tgt`);
    await ok('PUT', `${tgt.url}/_users/org.couchdb.user:bob`, {
      name: 'bob',
      password: 'bobpw',
      roles: [],
      type: 'user',
    });
    // the target db is admin-only by default (CouchDB 3): bob is made a member of it
    await ok('PUT', `${tgt.url}/tgt/_security`, { members: { names: ['bob'], roles: [] } });
  });
  after(() => nodes.closeAll());

  /** Writes `small` plain docs, `big` docs over the target's limit and `ddocs` design docs, interleaved. */
  async function writeMix(tag: string, small: number, big: number, ddocs: number) {
    const docs: Record<string, unknown>[] = [];
    for (let i = 0; i < Math.max(small, big, ddocs); i++) {
      if (i < small) docs.push({ _id: `${tag}-small-${i}`, i });
      if (i < big) docs.push({ _id: `${tag}-big-${i}`, blob: 'x'.repeat(MAX_DOC + 1000) });
      if (i < ddocs)
        docs.push({ _id: `_design/${tag}-${i}`, views: { v: { map: 'function(d){emit(d._id)}' } } });
    }
    await ok('POST', `${src.url}/src/_bulk_docs`, { docs });
  }

  it('the target really answers 413 for oversized docs and 403 for design docs by a non-admin', async () => {
    const big = await http('PUT', `${tgt.url}/tgt/probe-big`, { blob: 'x'.repeat(MAX_DOC + 1000) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error, 'document_too_large');
    const ddoc = await http(
      'POST',
      `${tgt.url}/tgt/_bulk_docs`,
      { new_edits: false, docs: [{ _id: '_design/probe', _rev: '1-abc', views: {} }] },
      BOB,
    );
    // CouchDB answers the batch 201 with a per-doc error (couch_db:check_is_admin: `unauthorized`,
    // "You are not a db or server admin."); a whole-request 401/403 would be skipped the same way
    const refused =
      [401, 403].includes(ddoc.status) ||
      (ddoc.status === 201 && ['unauthorized', 'forbidden'].includes(ddoc.body[0]?.error));
    assert.ok(refused, `design doc by bob: ${ddoc.status} ${JSON.stringify(ddoc.body)}`);
  });

  it('doc_write_failures climbs while checkpointed_source_seq keeps up; the job stays running', async () => {
    await writeMix('a', 20, 3, 2);
    await ok('PUT', `${tgt.url}/_replicator/refusing`, {
      source: endpoint(src, 'src'),
      target: endpoint(tgt, 'tgt', BOB),
      continuous: true,
      checkpoint_interval: 100,
    });
    const samples: Array<{ failures: number; ckpt: number }> = [];
    const caughtUp = async (want: number) =>
      poll(`checkpointed_source_seq reaches ${want}`, async () => {
        const d = await schedDoc(tgt, 'refusing');
        if (d?.state !== 'running') return undefined;
        samples.push({ failures: d.info.doc_write_failures, ckpt: seqNum(d.info.checkpointed_source_seq) });
        return seqNum(d.info.checkpointed_source_seq) === want ? d : undefined;
      });

    let d = await caughtUp(await updateSeq(src, 'src'));
    assert.equal(d.info.doc_write_failures, 5, '3 oversized + 2 design docs skipped');
    assert.equal(d.info.docs_written, 20);
    assert.equal(d.info.missing_revisions_found, 25);
    assert.equal(d.error_count, 0);
    const first = d.info.doc_write_failures;

    // more refused writes: the count climbs, the checkpoint keeps up
    await writeMix('b', 10, 2, 1);
    d = await caughtUp(await updateSeq(src, 'src'));
    assert.equal(d.state, 'running');
    assert.equal(d.info.doc_write_failures, first + 3);
    assert.equal(d.info.docs_written, 30);

    // never backwards
    for (let i = 1; i < samples.length; i++) {
      assert.ok(samples[i]!.failures >= samples[i - 1]!.failures);
      assert.ok(samples[i]!.ckpt >= samples[i - 1]!.ckpt);
    }
    // what reached the target: the plain docs only
    const all = await ok('GET', `${tgt.url}/tgt/_all_docs`);
    const ids = all.rows.map((r: { id: string }) => r.id);
    assert.equal(ids.filter((x: string) => x.includes('-small-')).length, 30);
    assert.equal(ids.filter((x: string) => x.includes('-big-') || x.startsWith('_design/')).length, 0);
    // and the checkpoint on both sides records the failures
    const base = d.id.split('+')[0];
    for (const [node, db, auth] of [
      [src, 'src', undefined],
      [tgt, 'tgt', undefined],
    ] as const) {
      const ck = await ok('GET', `${node.url}/${db}/_local/${base}`, undefined, [200], auth);
      assert.equal(ck.history[0].doc_write_failures, first + 3);
      assert.equal(seqNum(ck.source_last_seq), await updateSeq(src, 'src'));
    }
  });
});

// The shape checks of peer answers: CouchDB's shapes pass, anything else is a `bad_response` crash.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bulkDocsAnswer,
  changesAnswer,
  checkpointReadAnswer,
  checkpointWriteAnswer,
  openRevsAnswer,
  revsDiffAnswer,
} from './answers.ts';
import { type Peer, RepCrash } from './peer.ts';

const peer = { url: 'http://127.0.0.1:1/db/' } as Peer;
const bad = (f: () => unknown, what: RegExp) =>
  assert.throws(
    f,
    (e: unknown) => e instanceof RepCrash && /^bad_response: /.test(e.message) && what.test(e.message),
  );

describe('replicator: shape checks of peer answers', () => {
  it('a changes page needs `results` rows with id, seq and changes revs', () => {
    const page = {
      results: [{ seq: '1-x', id: 'a', changes: [{ rev: '1-a' }] }],
      last_seq: '1-x',
      pending: 0,
    };
    assert.deepEqual(changesAnswer(peer, page), page);
    assert.deepEqual(changesAnswer(peer, { results: [], last_seq: 0 }).results, []);
    for (const b of [
      [['x']],
      {},
      { results: {} },
      { results: [{ id: 'a', seq: 1 }] },
      { results: [{ id: 1, seq: 1, changes: [] }] },
    ])
      bad(() => changesAnswer(peer, b), /_changes/);
  });

  it('revs_diff: an object of {missing: [rev]} (empty when nothing is missing)', () => {
    assert.deepEqual(revsDiffAnswer(peer, {}), {});
    assert.deepEqual(revsDiffAnswer(peer, { a: { missing: ['1-a'], possible_ancestors: [] } }).a?.missing, [
      '1-a',
    ]);
    for (const b of [[], 'x', { a: [] }, { a: { missing: [1] } }])
      bad(() => revsDiffAnswer(peer, b), /_revs_diff/);
  });

  it('bulk_docs: a list of result objects ([] when new_edits=false stored all)', () => {
    assert.deepEqual(bulkDocsAnswer(peer, []), []);
    assert.equal(bulkDocsAnswer(peer, [{ id: 'a', error: 'forbidden' }]).length, 1);
    for (const b of [{}, { ok: true }, [1], null]) bad(() => bulkDocsAnswer(peer, b), /_bulk_docs/);
  });

  it('open_revs: a non-empty list of {ok} / {missing}', () => {
    assert.equal(openRevsAnswer(peer, 'a', [{ ok: { _id: 'a' } }, { missing: '2-b' }]).length, 2);
    for (const b of [[], {}, [{}], [{ ok: 1 }]]) bad(() => openRevsAnswer(peer, 'a', b), /GET .*a answered/);
  });

  it('checkpoints: a write answers its rev, a read a document', () => {
    assert.equal(checkpointWriteAnswer(peer, '_local/x', { ok: true, id: '_local/x', rev: '0-2' }), '0-2');
    bad(() => checkpointWriteAnswer(peer, '_local/x', [['unexpected']]), /PUT .*_local\/x/);
    assert.deepEqual(checkpointReadAnswer(peer, '_local/x', { history: [] }), { history: [] });
    bad(() => checkpointReadAnswer(peer, '_local/x', [['unexpected']]), /GET .*_local\/x/);
  });
});

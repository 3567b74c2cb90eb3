// Self-tests of the interop harness, independent of the embedded node: express-pouchdb (a reference
// implementation nobody here wrote) must pass every scenario the node is held to. If one of these fails,
// the harness or the scenario is wrong, not the node.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  memoryDb,
  type Peer,
  peerOf,
  type RunningPeerServer,
  startExpressPouch,
  startTraceProxy,
  type TraceProxy,
} from './peers.ts';
import {
  attachmentsBothWays,
  awkwardIds,
  conflictsBothWays,
  deletionsBothWays,
  liveBothWays,
  plainDocsBothWays,
  replicateOnce,
  roundTripViaLocal,
} from './scenarios.ts';

const T = { timeout: 60_000 };

describe('interop harness: express-pouchdb 4.2.0 peer', () => {
  let ep1: RunningPeerServer;
  let ep2: RunningPeerServer;
  let peer: Peer;
  let peer2: Peer;

  before(async () => {
    [ep1, ep2] = await Promise.all([startExpressPouch(), startExpressPouch()]);
    peer = peerOf('express-pouchdb', ep1.url);
    peer2 = peerOf('express-pouchdb#2', ep2.url);
  });
  after(async () => {
    await Promise.all([ep1?.close(), ep2?.close()]);
  });

  test('starts on 127.0.0.1 and answers GET /', T, async () => {
    assert.match(ep1.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${ep1.url}/`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['express-pouchdb'], 'Welcome!');
    assert.equal(body['express-pouchdb-mode'], 'minimumForPouchDB');
  });

  test('memory -> express-pouchdb with a conflict, read back', T, async () => {
    const local = memoryDb('self');
    const remote = peer.db('self');
    const a = await local.put({ _id: 'doc', v: 'base' });
    await replicateOnce(local, remote, 'seed');
    const l2 = await local.put({ _id: 'doc', _rev: a.rev, v: 'local' });
    const r2 = await remote.put({ _id: 'doc', _rev: a.rev, v: 'remote' });
    const res = await replicateOnce(local, remote, 'local -> remote');
    assert.equal(res.docs_written, 1);
    const doc = await remote.get('doc', { conflicts: true });
    // equal generations: the higher rev id wins
    const [loser, winner] = [l2.rev, r2.rev].sort();
    assert.equal(doc._rev, winner);
    assert.deepEqual(doc._conflicts, [loser]);
    await local.destroy();
  });

  test('plain docs (300) both ways', T, async () => {
    await plainDocsBothWays(memoryDb('plain'), peer.db('plain'), memoryDb('plain-fresh'));
  });

  test('deletions both ways', T, async () => {
    await deletionsBothWays(memoryDb('del'), peer.db('del'));
  });

  test('binary attachments both ways (inline base64 in, stubs/standalone/inline out)', T, async () => {
    await attachmentsBothWays(memoryDb('att'), peer.db('att'), memoryDb('att-fresh'));
  });

  test('conflicts made while disconnected: memory <-> express-pouchdb', T, async () => {
    await conflictsBothWays(memoryDb('conf'), peer.db('conf'));
  });

  test('awkward doc ids, design doc, _local doc', T, async () => {
    await awkwardIds(memoryDb('ids'), peer.db('ids'), memoryDb('ids-fresh'));
  });

  test('live replication memory -> express-pouchdb -> memory', T, async () => {
    await liveBothWays(memoryDb('live'), peer.db('live'), memoryDb('live-fresh'));
  });

  test('express-pouchdb -> memory -> express-pouchdb round trip', T, async () => {
    await roundTripViaLocal(peer.db('rt-src'), memoryDb('rt'), peer.db('rt-dst'));
  });

  test('remote to remote with conflicts: express-pouchdb <-> express-pouchdb#2', T, async () => {
    await conflictsBothWays(peer.db('r2r'), peer2.db('r2r'));
  });

  describe('replicator protocol fingerprint (what PouchDB 9 asks a server for)', () => {
    let proxy: TraceProxy;
    before(async () => {
      proxy = await startTraceProxy(ep1.url);
    });
    after(async () => {
      await proxy?.close();
    });

    test('push and pull through a recording proxy use the expected endpoints', T, async () => {
      const traced = peerOf('traced express-pouchdb', proxy.url);
      await attachmentsBothWays(memoryDb('fp'), traced.db('fp'), memoryDb('fp-fresh'));
      await conflictsBothWays(memoryDb('fp-conf'), traced.db('fp-conf'));
      const seen = new Set(proxy.requests.map((r) => `${r.method} ${shape(r.url)}`));
      for (const want of [
        'GET /',
        'GET /{db}/',
        'PUT /{db}/',
        'GET /{db}/_local/{id}',
        'PUT /{db}/_local/{id}',
        'POST /{db}/_revs_diff',
        'POST /{db}/_bulk_docs',
        'POST /{db}/_bulk_get?revs=true&latest=true',
        'GET /{db}/_changes?style=all_docs&since={seq}&limit=100',
        'GET /{db}/{id}/{att}?rev={rev}',
        'GET /{db}/{id}/{att}',
      ]) {
        assert.ok(seen.has(want), `expected ${want} among:\n${[...seen].sort().join('\n')}`);
      }
      const failed = proxy.requests.filter((r) => r.status >= 500);
      assert.deepEqual(failed, [], 'no 5xx answers');
    });
  });
});

/** Replaces the variable parts of a request URL by placeholders: /{db}/{id}/{att}?rev={rev}&since={seq}. */
function shape(url: string): string {
  const [path = '/', query] = url.split('?');
  const segs = path.slice(1).split('/');
  const out = segs.map((s, i) => {
    if (s === '') return '';
    if (i === 0) return '{db}';
    if (s.startsWith('_')) return s;
    if (i === 1 || segs[i - 1] === '_local' || segs[i - 1] === '_design') return '{id}';
    return '{att}';
  });
  const p = `/${out.join('/')}`;
  if (query === undefined) return p;
  const q = query
    .split('&')
    .map((kv) => {
      const k = kv.split('=')[0];
      if (k === 'since') return 'since={seq}';
      if (k === 'rev') return 'rev={rev}';
      if (k === 'open_revs' && kv !== 'open_revs=all') return 'open_revs={revs}';
      return kv;
    })
    .join('&');
  return `${p}?${q}`;
}

// PouchDB 9's replicator (one-shot and live) replicating to and from the embedded node, and between the node
// and express-pouchdb (remote to remote, driven by PouchDB). The scenarios are the ones express-pouchdb passes
// in peers.test.ts. Every request to the node goes through a recording proxy; when a test fails, the requests
// it made are attached to the report as diagnostics.
import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import {
  describeError,
  type EmbeddedNode,
  memoryDb,
  NODE_ADMIN,
  type Peer,
  peerOf,
  type RunningPeerServer,
  startEmbeddedNode,
  startExpressPouch,
  startTraceProxy,
  type TraceProxy,
  within,
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

describe('PouchDB 9 <-> embedded node', () => {
  let node: EmbeddedNode | undefined;
  let nodeError: unknown;
  let proxy: TraceProxy | undefined;
  let ep: RunningPeerServer | undefined;
  let express: Peer;

  before(async () => {
    ep = await startExpressPouch();
    express = peerOf('express-pouchdb', ep.url);
    const starting = startEmbeddedNode();
    try {
      node = await within('startNode() to resolve', 15_000, starting);
      proxy = await startTraceProxy(node.url);
    } catch (e) {
      nodeError = e;
      // if it resolves late, do not leak a listening server
      starting.then((n) => n.close()).catch(() => {});
    }
  });

  after(async () => {
    await proxy?.close();
    await ep?.close();
    if (node) await within('embedded node close()', 10_000, node.close());
  });

  /** The node as a peer (through the recording proxy); fails the test cleanly if the node is not there. */
  function nodePeer(): Peer {
    if (!node || !proxy) assert.fail(`embedded node unavailable: ${describeError(nodeError)}`);
    proxy.requests.length = 0;
    return peerOf('node', proxy.url, NODE_ADMIN);
  }

  /** Runs a test body; on failure attaches the node requests it made (method, url, status) as diagnostics. */
  async function traced(t: TestContext, body: (nodeP: Peer) => Promise<void>): Promise<void> {
    const nodeP = nodePeer();
    try {
      await body(nodeP);
    } catch (e) {
      const reqs = proxy?.requests ?? [];
      const bad = reqs.filter(
        (r) => r.status >= 500 || r.status === 0 || r.status === 400 || r.status === 405,
      );
      const lines = [
        `${reqs.length} requests to the node; suspicious answers (5xx/400/405/none): ${bad.length}`,
        ...bad.slice(0, 20).map((r) => `  ! ${r.method} ${r.url} -> ${r.status}`),
        'last requests:',
        ...reqs.slice(-25).map((r) => `    ${r.method} ${r.url} -> ${r.status}`),
      ];
      for (const l of lines) t.diagnostic(l);
      // PouchDB rejects with plain objects ({status, name, message}); make them readable Errors.
      throw e instanceof Error ? e : new Error(`PouchDB error: ${describeError(e)}`, { cause: e });
    }
  }

  test('startNode() answers GET / and lets PouchDB create a database with basic auth', T, async (t) => {
    await traced(t, async (nodeP) => {
      const res = await fetch(`${nodeP.url}/`);
      assert.equal(res.status, 200, 'GET /');
      const welcome = (await res.json()) as Record<string, unknown>;
      assert.equal(typeof welcome.version, 'string', 'GET / has a version');
      const db = nodeP.db('smoke');
      const info = await db.info(); // GET /db/ (404) -> PUT /db/ -> GET /db/
      assert.equal(info.doc_count, 0);
      assert.equal(info.db_name, db.name.slice(db.name.lastIndexOf('/') + 1));
    });
  });

  test('plain docs (300): memory -> node -> fresh memory', T, async (t) => {
    await traced(t, (nodeP) =>
      plainDocsBothWays(memoryDb('plain'), nodeP.db('plain'), memoryDb('plain-fresh')),
    );
  });

  test('deletions both ways (memory <-> node), re-creation after delete', T, async (t) => {
    await traced(t, (nodeP) => deletionsBothWays(memoryDb('del'), nodeP.db('del')));
  });

  test(
    'binary attachments both ways (memory <-> node): stubs, standalone GET/PUT, inline base64',
    T,
    async (t) => {
      await traced(t, (nodeP) =>
        attachmentsBothWays(memoryDb('att'), nodeP.db('att'), memoryDb('att-fresh')),
      );
    },
  );

  test('conflicts made while disconnected: memory <-> node, same winner/_conflicts/leaves', T, async (t) => {
    await traced(t, (nodeP) => conflictsBothWays(memoryDb('conf'), nodeP.db('conf')));
  });

  test('conflicts made while disconnected: node <-> memory (seeded on the node)', T, async (t) => {
    await traced(t, (nodeP) => conflictsBothWays(nodeP.db('conf-n'), memoryDb('conf-n')));
  });

  test('awkward doc ids, a design doc, and a _local doc that must not replicate', T, async (t) => {
    await traced(t, (nodeP) => awkwardIds(memoryDb('ids'), nodeP.db('ids'), memoryDb('ids-fresh')));
  });

  test('live replication memory -> node -> memory (longpoll _changes), then cancel', T, async (t) => {
    await traced(t, (nodeP) => liveBothWays(memoryDb('live'), nodeP.db('live'), memoryDb('live-fresh')));
  });

  test('node -> memory -> node round trip keeps revs, histories, conflicts, attachments', T, async (t) => {
    await traced(t, (nodeP) => roundTripViaLocal(nodeP.db('rt-src'), memoryDb('rt'), nodeP.db('rt-dst')));
  });

  test('remote to remote with conflicts: node <-> express-pouchdb (seeded on the node)', T, async (t) => {
    await traced(t, (nodeP) => conflictsBothWays(nodeP.db('r2r'), express.db('r2r')));
  });

  test(
    'remote to remote with conflicts: express-pouchdb <-> node (seeded on express-pouchdb)',
    T,
    async (t) => {
      await traced(t, (nodeP) => conflictsBothWays(express.db('r2r-e'), nodeP.db('r2r-e')));
    },
  );

  test('remote to remote attachments: express-pouchdb -> node -> fresh express-pouchdb', T, async (t) => {
    await traced(t, (nodeP) =>
      attachmentsBothWays(express.db('r2r-att'), nodeP.db('r2r-att'), express.db('r2r-att-f')),
    );
  });

  test('remote to remote plain docs: node -> express-pouchdb -> node', T, async (t) => {
    await traced(t, (nodeP) =>
      plainDocsBothWays(nodeP.db('r2r-plain'), express.db('r2r-plain'), nodeP.db('r2r-plain-f')),
    );
  });

  test('the replicator used _bulk_get and got no 5xx from the node', T, async (t) => {
    await traced(t, async (nodeP) => {
      const local = memoryDb('fp');
      await local.bulkDocs([{ _id: 'a' }, { _id: 'b' }]);
      const remote = nodeP.db('fp');
      await replicateOnce(local, remote, 'memory -> node');
      const back = await replicateOnce(remote, memoryDb('fp-back'), 'node -> memory');
      assert.equal(back.docs_written, 2);
      const reqs = proxy!.requests;
      const bulkGet = reqs.filter((r) => r.method === 'POST' && r.url.includes('/_bulk_get'));
      assert.ok(
        bulkGet.length > 0,
        'PouchDB asked for POST /{db}/_bulk_get (after one failed _bulk_get, PouchDB falls back for the rest of ' +
          'the process to GET /{db}/{id}?revs=true&open_revs=[..]&latest=true, so an earlier test may have caused this)',
      );
      assert.ok(
        bulkGet.every((r) => r.status === 200),
        `POST _bulk_get answered ${bulkGet.map((r) => r.status).join(',')} (PouchDB then falls back to GET /{db}/{id}?open_revs=[..] for the whole process)`,
      );
      const fallback = reqs.filter((r) => r.method === 'GET' && r.url.includes('open_revs='));
      assert.deepEqual(fallback, [], 'no per-doc open_revs fallback requests');
      assert.deepEqual(
        reqs.filter((r) => r.status >= 500 || r.status === 0),
        [],
        'no 5xx (or unanswered) requests',
      );
    });
  });
});

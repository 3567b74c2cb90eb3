import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LinkSpec, MeshSpec, NodeSpec } from '../spec/types.ts';
import { meshLinks } from './links.ts';
import { parseReplicatorDoc } from './parse.ts';
import { schedulerDocFromReplicatorDoc } from './reduced.ts';
import { linkView, unreachableSnapshot } from './snapshot.ts';
import {
  crashedJob,
  crashingDoc,
  dbAt,
  fixture,
  runningDoc,
  snapshot,
  T0,
  taskFor,
  twoNodeLink,
} from './test-support.ts';

const L = twoNodeLink();
const [N1N2, N2N1] = L.directions;

describe('linkView joins doc, task, job and source db info per direction', () => {
  test('running pull direction: task stats win, source seq from db info, lag heuristic', () => {
    const doc = runningDoc(N1N2.docId, { checkpointed: 5, source: 5 });
    const task = taskFor(doc, { checkpointed: 8, source: 9, written: 8 }, 2000);
    const n2 = snapshot('n2', T0, { docs: [doc], tasks: [task] });
    const n1 = snapshot('n1', T0, { dbInfo: { sensors: dbAt(12) } });
    const [view] = linkView([n1, n2], [L]);
    const d = view?.directions[0];
    assert.equal(d?.state, 'running');
    assert.equal(d?.docNode, 'n2');
    assert.equal(d?.direction, 'n1->n2');
    assert.equal(d?.checkpointIntervalMs, 2000);
    assert.equal(d?.docsWritten, 8);
    assert.equal(d?.sourceSeqOrigin, 'db-info');
    assert.equal(d?.lagEstimate, 4);
    assert.equal(d?.lagHeuristic, true);
    assert.equal(d?.changesPending, null);
    assert.equal(d?.checkpointAge, null, 'unknown on the first observation');
    assert.equal(d?.sourceInstance, '1795793403');
    // the other direction: n1 holds no doc for n2->n1
    assert.equal(view?.directions[1].state, 'missing');
  });

  test('crashing: reason, error count, crash time from job history, next retry from the backoff', () => {
    const doc = crashingDoc(N2N1.docId, 3, T0);
    const job = crashedJob(doc, undefined, T0 - 5000);
    const n1 = snapshot('n1', T0, { docs: [doc], jobs: [job] });
    const d = linkView([n1, snapshot('n2', T0)], [L])[0]?.directions[1];
    assert.equal(d?.state, 'crashing');
    assert.match(d?.reason ?? '', /^db_not_found: could not open/);
    assert.equal(d?.errorCount, 3);
    assert.equal(d?.lastCrashAt, T0 - 5000);
    assert.equal(d?.nextRetryAt, T0 - 5000 + 120_000);
    assert.equal(d?.crashes.length, 1);
    assert.equal(d?.docsWritten, null);
  });

  test('crashing without _scheduler/jobs: crash time is the doc last_updated', () => {
    const d = linkView([snapshot('n1', T0, { docs: [crashingDoc(N2N1.docId, 1, T0 - 1000)] })], [L])[0]
      ?.directions[1];
    assert.equal(d?.lastCrashAt, T0 - 1000);
    assert.equal(d?.nextRetryAt, T0 - 1000 + 30_000);
  });

  test('doc node unreachable: unknown, not missing', () => {
    const views = linkView(
      [unreachableSnapshot('n2', T0, { code: 'E_COUCH_UNREACHABLE', message: 'ECONNREFUSED' })],
      [L],
    );
    const d = views[0]?.directions[0];
    assert.equal(d?.state, 'unknown');
    assert.equal(d?.observed, false);
    assert.equal(views[0]?.directions[1].state, 'unknown', 'n1 not polled at all');
    assert.equal(views[0]?.directions[1].at, null);
  });

  test('a doc found on another node than planned (push) is still joined', () => {
    const doc = runningDoc(N1N2.docId);
    const d = linkView([snapshot('n1', T0, { docs: [doc] }), snapshot('n2', T0)], [L])[0]?.directions[0];
    assert.equal(d?.state, 'running');
    assert.equal(d?.docNode, 'n1');
  });

  test('checkpointSince carries over polls while the seq is unchanged', () => {
    const poll = (t: number, ck: number) => [
      snapshot('n2', t, { docs: [runningDoc(N1N2.docId, { checkpointed: ck })] }),
    ];
    const v1 = linkView(poll(T0, 5), [L]);
    const v2 = linkView(poll(T0 + 10_000, 5), [L], v1);
    assert.equal(v2[0]?.directions[0].checkpointSince, T0, 'lower bound: the first poll');
    assert.equal(v2[0]?.directions[0].checkpointAge, 10_000);
    const v3 = linkView(poll(T0 + 20_000, 5), [L], v2);
    assert.equal(v3[0]?.directions[0].checkpointAge, 20_000);
    const v4 = linkView(poll(T0 + 30_000, 9), [L], v3);
    assert.equal(v4[0]?.directions[0].checkpointSince, T0 + 30_000);
    assert.equal(v4[0]?.directions[0].checkpointAge, 0);
  });

  test('input order of snapshots does not matter', () => {
    const snaps = [
      snapshot('n1', T0, { docs: [crashingDoc(N2N1.docId)], dbInfo: { sensors: dbAt(7) } }),
      snapshot('n2', T0, { docs: [runningDoc(N1N2.docId)], dbInfo: { sensors: dbAt(3) } }),
      snapshot('n2', T0 - 10_000, { reachable: false }),
    ];
    assert.deepEqual(linkView(snaps, [L]), linkView([...snaps].reverse(), [L]));
  });
});

describe('reduced confidence: _replicator states only', () => {
  test('failed and completed docs keep their reason / stats; a live doc is unknown', () => {
    const failed = schedulerDocFromReplicatorDoc(parseReplicatorDoc(fixture('replicator-doc-get-duplicate')));
    assert.equal(failed.state, 'failed');
    assert.match((failed.info as { error: string }).error, /already started/);
    const done = schedulerDocFromReplicatorDoc(
      parseReplicatorDoc(fixture('replicator-doc-oneshot-after-completion')),
    );
    assert.equal(done.state, 'completed');
    assert.equal((done.info as { docs_written: number }).docs_written, 5);
    const live = schedulerDocFromReplicatorDoc(
      parseReplicatorDoc({ _id: 'x', source: 'http://a/db', target: 'http://b/db' }),
    );
    assert.equal(live.state, 'unknown');
    const crashed = schedulerDocFromReplicatorDoc(
      parseReplicatorDoc({ _id: 'y', _replication_state: 'error' }),
    );
    assert.equal(crashed.state, 'crashing');
  });
});

describe('meshLinks', () => {
  const node = (name: string, reachable = true): NodeSpec => ({
    name,
    url: `http://${name}:5984`,
    role: 'edge',
    reachable,
  });
  const link: LinkSpec = {
    key: 'a--b',
    nodes: ['a', 'b'],
    class: 'lan',
    params: {
      checkpoint_interval: 5000,
      worker_batch_size: 500,
      http_connections: 20,
      connection_timeout: 10000,
      retries_per_request: 5,
    },
    databases: ['s1', 's2'],
    origin: { path: 'links[0]', line: 1, column: 1 },
  };
  test('one entry per database, docs on the target, on the source when the source is behind NAT', () => {
    const spec = { mesh: 'm', nodes: [node('a', false), node('b')], links: [link] } as unknown as MeshSpec;
    const links = meshLinks(spec);
    assert.deepEqual(
      links.map((l) => l.db),
      ['s1', 's2'],
    );
    const [ab, ba] = links[0]?.directions ?? [];
    assert.deepEqual([ab?.docNode, ab?.mode, ab?.docId], ['a', 'push', 'couchmesh.m.s1.a--b']);
    assert.deepEqual([ba?.docNode, ba?.mode, ba?.checkpointIntervalMs], ['a', 'pull', 5000]);
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { CouchClient } from '../couch/client.ts';
import { fixture, runningDoc, twoNodeLink } from '../observe/test-support.ts';
import { Poller, pollTargets } from './poller.ts';

/** A fake node answering with CouchDB 3.5.0 sample bodies, counting requests by path. */
function fakeNode(routes: Record<string, (req: IncomingMessage) => [number, unknown]>) {
  const hits: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    hits.push(path);
    const route = routes[path];
    const [status, body] = route ? route(req) : [404, { error: 'not_found', reason: 'missing' }];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return { server, hits };
}

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

describe('Poller', () => {
  const L = twoNodeLink('n1', 'n2', 'sensors', 5000);
  const doc = runningDoc(L.directions[0].docId, { checkpointed: 5, source: 5 });
  // n2: the full scheduler API; n1: a PouchDB-like server without it (reduced confidence)
  const n2 = fakeNode({
    '/_scheduler/docs': () => [200, { total_rows: 1, offset: 0, docs: [doc] }],
    '/_active_tasks': () => [200, fixture('active-tasks')],
    '/sensors': () => [200, fixture('node1-sensors-dbinfo')],
    '/_scheduler/jobs': () => [200, fixture('scheduler-jobs')],
    '/_node/_local/_stats/couch_replicator': () => [200, fixture('node-stats-couch-replicator')],
  });
  const n1 = fakeNode({
    '/_replicator/_all_docs': () => [
      200,
      {
        rows: [
          {
            id: L.directions[1].docId,
            doc: {
              _id: L.directions[1].docId,
              source: 'http://x/sensors',
              target: 'http://y/sensors',
              _replication_state: 'error',
              _replication_state_reason: 'db_not_found',
            },
          },
        ],
      },
    ],
    '/_active_tasks': () => [200, []],
    '/sensors': () => [200, fixture('node1-sensors-dbinfo')],
  });
  const clients = new Map<string, CouchClient>();
  const clock = new ManualClock(Date.parse('2026-11-27T16:00:00Z'));

  before(async () => {
    clients.set('n1', new CouchClient({ url: await listen(n1.server), retries: 0 }));
    clients.set('n2', new CouchClient({ url: await listen(n2.server), retries: 0 }));
  });
  after(async () => {
    for (const c of clients.values()) await c.close();
    n1.server.close();
    n2.server.close();
  });

  test('budget: 3 requests per node in steady state; _scheduler/jobs + _stats at the slow cadence', async () => {
    const p = new Poller({ targets: pollTargets([L], clients), links: [L], clock, intervalMs: 10_000 });
    const first = await p.pollOnce();
    assert.equal(first.requests.byNode.n2, 5, 'first poll: docs, tasks, db info, jobs, stats');
    n2.hits.length = 0;
    await clock.advance(10_000);
    const second = await p.pollOnce();
    assert.equal(second.requests.byNode.n2, 3);
    assert.deepEqual(n2.hits.sort(), ['/_active_tasks', '/_scheduler/docs', '/sensors']);
    // the jobs read earlier travel with the snapshot, stamped with their own time
    const s2 = second.snapshots.find((s) => s.node === 'n2');
    assert.ok(s2?.jobs && s2.jobsAt === first.at);
    // after slowIntervalMs (6 polls) they are read again
    for (let i = 0; i < 5; i++) {
      await clock.advance(10_000);
      await p.pollOnce();
    }
    assert.equal(p.last?.requests.byNode.n2, 5);
  });

  test('a node without the scheduler API: _replicator states, reduced confidence (and a finding)', async () => {
    const p = new Poller({ targets: pollTargets([L], clients), links: [L], clock, intervalMs: 10_000 });
    const r = await p.pollOnce();
    const s1 = r.snapshots.find((s) => s.node === 'n1');
    assert.equal(s1?.confidence, 'reduced');
    assert.equal(s1?.docs[0]?.state, 'crashing');
    assert.equal(r.requests.byNode.n1, 4, '404 on _scheduler/docs, then _replicator, tasks, db info');
    assert.ok(r.findings.some((f) => f.rule === 'reduced-confidence' && f.node === 'n1'));
    const d = r.views[0]?.directions[1];
    assert.equal(d?.state, 'crashing');
    assert.equal(d?.confidence, 'reduced');
    // remembered: no scheduler probe on the next polls
    await clock.advance(10_000);
    assert.equal((await p.pollOnce()).requests.byNode.n1, 3);
  });

  test('a non-admin poller refused _dbs_info (401/403, CouchDB 3 keeps it to admins) reads each db instead', async () => {
    const A = twoNodeLink('n1', 'n2', 'sensors', 5000);
    const B = twoNodeLink('n1', 'n2', 'alerts', 5000);
    for (const status of [401, 403]) {
      const member = fakeNode({
        '/_scheduler/docs': () => [200, { total_rows: 0, offset: 0, docs: [] }],
        '/_active_tasks': () => [200, []],
        '/_scheduler/jobs': () => [200, fixture('scheduler-jobs')],
        '/_node/_local/_stats/couch_replicator': () => [200, fixture('node-stats-couch-replicator')],
        '/_dbs_info': () => [
          status,
          status === 401
            ? { error: 'unauthorized', reason: 'You are not a server admin.' }
            : { error: 'forbidden', reason: 'You are not a server admin.' },
        ],
        '/sensors': () => [200, fixture('node1-sensors-dbinfo')],
        '/alerts': () => [200, fixture('node1-sensors-dbinfo')],
      });
      const url = await listen(member.server);
      const c = new CouchClient({ url, retries: 0 });
      const targets = pollTargets(
        [A, B],
        new Map([
          ['n1', c],
          ['n2', c],
        ]),
      );
      const p = new Poller({
        targets: targets.filter((t) => t.name === 'n1'),
        links: [A, B],
        clock,
        intervalMs: 10_000,
      });
      const r = await p.pollOnce();
      const s1 = r.snapshots.find((s) => s.node === 'n1');
      assert.equal(s1?.reachable, true, `status ${status}: ${JSON.stringify(s1?.error)}`);
      assert.deepEqual(Object.keys(s1?.dbInfo ?? {}).sort(), ['alerts', 'sensors']);
      assert.ok(member.hits.includes('/sensors') && member.hits.includes('/alerts'));
      // remembered: the next poll goes straight to the per-db reads
      member.hits.length = 0;
      await clock.advance(10_000);
      await p.pollOnce();
      assert.ok(!member.hits.includes('/_dbs_info'));
      await c.close();
      member.server.close();
    }
  });

  test('an unreachable node is a snapshot (and a finding), not an error', async () => {
    const dead = new CouchClient({ url: 'http://127.0.0.1:9', retries: 0, timeoutMs: 2000 });
    const p = new Poller({
      targets: [
        { name: 'n1', client: dead, dbs: ['sensors'] },
        ...pollTargets([L], clients).filter((t) => t.name === 'n2'),
      ],
      links: [L],
      clock,
    });
    const r = await p.pollOnce();
    const s = r.snapshots.find((x) => x.node === 'n1');
    assert.equal(s?.reachable, false);
    assert.equal(s?.error?.code, 'E_COUCH_UNREACHABLE');
    const f = r.findings.find((x) => x.rule === 'node-unreachable');
    assert.equal(f?.node, 'n1');
    assert.equal(
      r.diff.raised.some((x) => x.rule === 'node-unreachable'),
      true,
    );
    await dead.close();
  });

  test('a bug is not an unreachable node: a client whose request throws a TypeError makes the poll fail', async () => {
    // a real client whose request path has a bug (not a network or HTTP failure)
    const buggy = new CouchClient({ url: 'http://127.0.0.1:9', retries: 0 });
    buggy.get = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'rows')");
    };
    const p = new Poller({ targets: [{ name: 'n1', client: buggy, dbs: ['sensors'] }], links: [L], clock });
    await assert.rejects(p.pollOnce(), (e: unknown) => e instanceof TypeError && !!e.stack);
    await buggy.close();
  });

  test('ring buffer keeps retainMs of snapshots; silences drop findings until they expire', async () => {
    const p = new Poller({
      targets: pollTargets([L], clients),
      links: [L],
      clock,
      intervalMs: 1000,
      retainMs: 5000,
    });
    for (let i = 0; i < 10; i++) {
      await p.pollOnce();
      await clock.advance(1000);
    }
    const times = new Set(p.snapshots.map((s) => s.at));
    assert.ok(times.size <= 6, `${times.size} polls kept`);
    assert.ok(p.findings.some((f) => f.rule === 'reduced-confidence'));
    p.silence({ rule: 'reduced-confidence', until: clock.now() + 1500 });
    assert.equal(
      (await p.pollOnce()).findings.some((f) => f.rule === 'reduced-confidence'),
      false,
    );
    await clock.advance(2000);
    assert.equal(
      (await p.pollOnce()).findings.some((f) => f.rule === 'reduced-confidence'),
      true,
    );
  });

  test('run() polls every intervalMs on the injected clock and stops on abort', async () => {
    const p = new Poller({ targets: pollTargets([L], clients), links: [L], clock, intervalMs: 1000 });
    const ac = new AbortController();
    const seen: number[] = [];
    const loop = p.run(ac.signal, (r) => {
      seen.push(r.poll);
    });
    while (seen.length < 1) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 3; i++) {
      while (clock.pending === 0) await new Promise((r) => setImmediate(r));
      await clock.advance(1000);
      while (seen.length < i + 2) await new Promise((r) => setImmediate(r));
    }
    ac.abort();
    await loop;
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });
});

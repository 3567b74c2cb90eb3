// A move's create waits for the old node's scheduler to drop the job of the deleted doc (CouchDB
// stops it asynchronously): the old node answers a recorded scheduler entry for a few polls, then
// CouchDB 3.5.0's 404; or it never lets go, and the create is withheld (never two jobs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPlan } from '../apply/apply.ts';
import type { ApplyEvent } from '../apply/moves.ts';
import { planOf as plan } from '../apply/test-support.ts';
import { CouchClient } from '../couch/client.ts';
import { faultServer, RecordingClock, sendJson } from '../couch/test-support.ts';
import { sample } from '../couchdb/test-support.ts';
import type { ManagedReplication, Plan } from '../plan/types.ts';
import { DEFAULT_STOP_TIMEOUT_MS, STOP_POLL_MS, stopAwaiter } from './job-stop.ts';

const RUNNING = sample('checkpoint-run1-scheduler-doc.json');
const MISSING = sample('scheduler-doc-missing-404.json');

const move = (id: string): Plan['actions'][number] => ({
  kind: 'move',
  node: 'b',
  id,
  mode: 'push',
  doc: {} as ManagedReplication,
  old_node: 'a',
  old_rev: `1-${id}`,
});

type Nodes = { log: string[]; clients: Map<string, CouchClient>; clock: RecordingClock };

/**
 * Runs `fn` with old node `a` (its scheduler lists the job `lingers` times, then answers 404) and
 * new node `b`, one ordered request log, and a clock that advances itself by each sleep.
 */
async function withNodes(lingers: number, fn: (n: Nodes) => Promise<void>): Promise<void> {
  const log: string[] = [];
  let polls = 0;
  const server = (name: string) =>
    faultServer((req, res) => {
      log.push(`${name} ${req.method} ${req.url}`);
      if (req.method === 'GET') {
        polls++;
        return polls > lingers
          ? sendJson(res, MISSING.status, MISSING.body)
          : sendJson(res, 200, RUNNING.body);
      }
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        const body = JSON.parse(text) as { docs: Array<{ _id: string }> };
        sendJson(
          res,
          201,
          body.docs.map((d) => ({ id: d._id, ok: true, rev: '1-c' })),
        );
      });
    });
  const [a, b] = await Promise.all([server('a'), server('b')]);
  const clients = new Map([
    ['a', new CouchClient({ url: a.url, retries: 0 })],
    ['b', new CouchClient({ url: b.url, retries: 0 })],
  ]);
  try {
    await fn({ log, clients, clock: new RecordingClock(0) });
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await Promise.all([a.close(), b.close()]);
  }
}

const SCHED = 'GET /_scheduler/docs/_replicator/m1';

test('the old job lingers for 3 polls: the create on the new node is sent only after the 404', async () => {
  const events: ApplyEvent[] = [];
  await withNodes(3, async ({ log, clients, clock }) => {
    const r = await applyPlan(plan([move('m1')]), clients, 8, {
      awaitStop: stopAwaiter(clients, { clock }),
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual(log, [
      'a POST /_replicator/_bulk_docs',
      `a ${SCHED}`,
      `a ${SCHED}`,
      `a ${SCHED}`,
      `a ${SCHED}`,
      'b POST /_replicator/_bulk_docs',
    ]);
    assert.deepEqual(clock.sleeps, [STOP_POLL_MS, STOP_POLL_MS, STOP_POLL_MS]);
    assert.deepEqual(events, [{ type: 'waiting-for-stop', node: 'a', id: 'm1', to: 'b' }]);
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.nodes.map((x) => [x.node, x.applied]),
      [
        ['a', 1],
        ['b', 1],
      ],
    );
  });
});

test('the old job never goes: no create is sent, the move is reported not done on the new node', async () => {
  await withNodes(Number.POSITIVE_INFINITY, async ({ log, clients, clock }) => {
    const r = await applyPlan(plan([move('m1')]), clients, 8, {
      awaitStop: stopAwaiter(clients, { clock }),
    });
    assert.deepEqual(
      log.filter((l) => l.startsWith('b ')),
      [],
      'nothing written on the new node',
    );
    assert.equal(log.filter((l) => l === `a ${SCHED}`).length, DEFAULT_STOP_TIMEOUT_MS / STOP_POLL_MS + 1);
    assert.equal(clock.now(), DEFAULT_STOP_TIMEOUT_MS, 'bounded by the 30 s default, on the clock');
    assert.equal(r.ok, false);
    assert.equal(r.partial, true, 'the delete on a is done');
    const b = r.nodes.find((x) => x.node === 'b');
    assert.equal(b?.applied, 0);
    assert.equal(b?.failures.length, 1);
    assert.equal(b?.failures[0]?.error, 'move_not_done');
    assert.match(
      b?.failures[0]?.reason ?? '',
      /^not created: a still lists the old job after 30 s; its document there is deleted\. Run apply again once a's _scheduler\/docs no longer lists m1$/,
    );
  });
});

test('a shorter bound is an option; a scheduler read that fails withholds the create too', async () => {
  await withNodes(Number.POSITIVE_INFINITY, async ({ log, clients, clock }) => {
    const r = await applyPlan(plan([move('m1')]), clients, 8, {
      awaitStop: stopAwaiter(clients, { clock, timeoutMs: 500 }),
    });
    assert.equal(clock.now(), 500);
    assert.match(r.nodes.find((x) => x.node === 'b')?.failures[0]?.reason ?? '', /after 0\.5 s/);
    const failing = await applyPlan(plan([move('m2')]), clients, 8, {
      awaitStop: async () => {
        throw new Error('connection reset');
      },
    });
    assert.match(
      failing.nodes.find((x) => x.node === 'b')?.failures[0]?.reason ?? '',
      /^not created: could not read the scheduler of a \(connection reset\)/,
    );
    assert.equal(log.filter((l) => l.startsWith('b ')).length, 0);
  });
});

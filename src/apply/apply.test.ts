import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { CouchClient } from '../couch/client.ts';
import { closedPort, faultServer, sendJson } from '../couch/test-support.ts';
import type { ManagedReplication } from '../plan/types.ts';
import { applyPlan } from './apply.ts';
import { planOf as plan } from './test-support.ts';

const doc = {} as ManagedReplication;

test('one _bulk_docs per node; per-doc failures and a dead node are reported, the rest applied', async () => {
  const bodies: unknown[] = [];
  const good = await faultServer((req, res) => {
    if (req.method === 'PUT') return sendJson(res, 412, { error: 'file_exists' });
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const body = JSON.parse(text) as { docs: Array<{ _id: string }> };
      bodies.push(body);
      sendJson(
        res,
        201,
        body.docs.map((d, i) =>
          i === 1
            ? { id: d._id, error: 'conflict', reason: 'Document update conflict.' }
            : { id: d._id, ok: true, rev: '1-a' },
        ),
      );
    });
  });
  const dead = await closedPort();
  const clients = new Map([
    ['a', new CouchClient({ url: good.url, retries: 0 })],
    ['b', new CouchClient({ url: `http://127.0.0.1:${dead}`, retries: 0 })],
  ]);
  try {
    const r = await applyPlan(
      plan([
        { kind: 'create-db', node: 'a', db: 'd' },
        { kind: 'create-doc', node: 'a', id: 'x', mode: 'pull', doc },
        { kind: 'delete-doc', node: 'a', id: 'y', rev: '1-b', reason: 'pruned' },
        { kind: 'create-doc', node: 'b', id: 'z', mode: 'pull', doc },
      ]),
      clients,
    );
    assert.equal(r.ok, false);
    assert.equal(r.partial, true);
    const a = r.nodes.find((n) => n.node === 'a');
    assert.deepEqual(
      { applied: a?.applied, requests: a?.requests, failures: a?.failures },
      {
        applied: 2,
        requests: 2,
        failures: [{ id: 'y', error: 'conflict', reason: 'Document update conflict.' }],
      },
    );
    assert.deepEqual(bodies, [{ docs: [{ _id: 'x' }, { _id: 'y', _rev: '1-b', _deleted: true }] }]);
    assert.deepEqual(good.seen, ['PUT /d', 'POST /_replicator/_bulk_docs']);
    const b = r.nodes.find((n) => n.node === 'b');
    assert.equal(b?.ok, false);
    assert.equal(b?.error?.code, 'E_COUCH_UNREACHABLE');
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await good.close();
  }
});

/** A `_replicator/_bulk_docs` endpoint: records each body in `log` (under `name`), answers with `answer`. */
const bulkNode = (
  name: string,
  log: Array<{ node: string; docs: Array<Record<string, unknown>> }>,
  answer: (d: { _id: string }) => Record<string, unknown>,
) =>
  faultServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const body = JSON.parse(text) as { docs: Array<{ _id: string }> };
      log.push({ node: name, docs: body.docs });
      sendJson(res, 201, body.docs.map(answer));
    });
  });

test('a move deletes on the old node first and creates on the new one only when that delete succeeded', async () => {
  const log: Array<{ node: string; docs: Array<Record<string, unknown>> }> = [];
  // the old node refuses the delete of m2 (its doc changed since the plan)
  const a = await bulkNode('a', log, (d) =>
    d._id === 'm2'
      ? { id: d._id, error: 'conflict', reason: 'Document update conflict.' }
      : { id: d._id, ok: true },
  );
  const b = await bulkNode('b', log, (d) => ({ id: d._id, ok: true, rev: '1-c' }));
  const clients = new Map([
    ['a', new CouchClient({ url: a.url, retries: 0 })],
    ['b', new CouchClient({ url: b.url, retries: 0 })],
  ]);
  try {
    const move = (id: string) =>
      ({ kind: 'move', node: 'b', id, mode: 'push', doc, old_node: 'a', old_rev: `1-${id}` }) as const;
    const r = await applyPlan(plan([move('m1'), move('m2')]), clients);
    // one _bulk_docs on a (both deletes), then one on b with the create of m1 only
    assert.deepEqual(log, [
      {
        node: 'a',
        docs: [
          { _id: 'm1', _rev: '1-m1', _deleted: true },
          { _id: 'm2', _rev: '1-m2', _deleted: true },
        ],
      },
      { node: 'b', docs: [{ _id: 'm1' }] },
    ]);
    assert.equal(r.ok, false);
    assert.equal(r.partial, true);
    const ra = r.nodes.find((n) => n.node === 'a');
    const rb = r.nodes.find((n) => n.node === 'b');
    assert.deepEqual(
      ra?.failures.map((f) => `${f.id} ${f.error}`),
      ['m2 conflict'],
    );
    assert.equal(ra?.applied, 1);
    assert.deepEqual(
      rb?.failures.map((f) => `${f.id} ${f.error}`),
      ['m2 move_not_done'],
    );
    assert.equal(rb?.applied, 1);
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await Promise.all([a.close(), b.close()]);
  }
});

test('two phases: the databases of every node (read back, q/n passed) before any _bulk_docs', async () => {
  const order: string[] = [];
  const node = (name: string) =>
    faultServer((req, res) => {
      order.push(`${name} ${req.method} ${req.url}`);
      if (req.method === 'PUT') return sendJson(res, 201, { ok: true });
      if (req.method === 'GET') return sendJson(res, 200, { db_name: 'd' });
      sendJson(res, 201, [{ id: 'x', ok: true, rev: '1-a' }]);
    });
  const [a, b] = [await node('a'), await node('b')];
  const clients = new Map([
    ['a', new CouchClient({ url: a.url, retries: 0 })],
    ['b', new CouchClient({ url: b.url, retries: 0 })],
  ]);
  try {
    const r = await applyPlan(
      plan([
        { kind: 'create-db', node: 'a', db: 'd', q: 2, n: 3 },
        { kind: 'create-doc', node: 'a', id: 'x', mode: 'pull', doc },
        { kind: 'create-db', node: 'b', db: 'd' },
        { kind: 'create-doc', node: 'b', id: 'x', mode: 'pull', doc },
      ]),
      clients,
      8,
      { clock: new ManualClock(0) },
    );
    assert.equal(r.ok, true);
    const lastSetup = Math.max(...order.map((l, i) => (l.includes('_bulk_docs') ? -1 : i)));
    const firstDocs = order.findIndex((l) => l.includes('_bulk_docs'));
    assert.ok(lastSetup < firstDocs, order.join('\n'));
    assert.ok(order.includes('a PUT /d?q=2&n=3'), order.join('\n'));
    assert.ok(order.includes('a GET /d') && order.includes('b GET /d'));
    assert.ok(order.includes('b PUT /d'));
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await Promise.all([a.close(), b.close()]);
  }
});

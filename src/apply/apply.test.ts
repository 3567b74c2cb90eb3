import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CouchClient } from '../couch/client.ts';
import { closedPort, faultServer, sendJson } from '../couch/test-support.ts';
import type { ManagedReplication, Plan } from '../plan/types.ts';
import { applyPlan } from './apply.ts';

const doc = {} as ManagedReplication;
const plan = (actions: Plan['actions']): Plan => ({
  mesh: 'm',
  actions,
  drift: [],
  orphans: [],
  unreachable: [],
  errors: [],
  observed: 'x',
  noop: 0,
});

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

// `_security` as code against a real embedded node: observe reads one `_security` per declared
// database (a missing database has no entry), apply sets it right after creating the database, and
// a PUT the node refuses is reported per node while the other nodes are applied.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { observeNode } from '../plan/observe.ts';
import type { NodeSpec } from '../spec/types.ts';
import { applyPlan } from './apply.ts';
import { planOf } from './test-support.ts';

const READERS = { admins: { names: [], roles: [] }, members: { names: [], roles: ['readers'] } };
const nodes: Array<Awaited<ReturnType<typeof startNode>>> = [];
const clients = new Map<string, CouchClient>();

before(async () => {
  for (const name of ['a', 'b']) {
    const node = await startNode({ port: 0, inMemory: true, admins: { admin: 'pw' } });
    nodes.push(node);
    clients.set(
      name,
      new CouchClient({ url: node.url, retries: 0, auth: { username: 'admin', password: 'pw' } }),
    );
  }
});
after(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
  await Promise.all(nodes.map((n) => n.close()));
});

test('observe: one GET /{db}/_security per declared database; a missing database has no entry', async () => {
  const a = clients.get('a') as CouchClient;
  await a.put('/present');
  const spec = { name: 'a', url: nodes[0]?.url } as NodeSpec;
  const o = await observeNode(spec, a, undefined, ['present', 'missing']);
  assert.equal(o.requests, 4);
  assert.deepEqual(Object.keys(o.security ?? {}), ['present']);
  const plain = await observeNode(spec, a);
  assert.equal(plain.requests, 2);
  assert.equal(plain.security, undefined);
});

test('apply: _security set right after create-db; a refused PUT is a per-node failure, the rest applied', async () => {
  const r = await applyPlan(
    planOf([
      { kind: 'create-db', node: 'a', db: 'sensors' },
      { kind: 'set-security', node: 'a', db: 'sensors', security: READERS, diff: [], drift: false },
      // no create-db on b: CouchDB answers 404 for the _security of a missing database
      { kind: 'set-security', node: 'b', db: 'nowhere', security: READERS, diff: [], drift: false },
    ]),
    clients,
  );
  assert.deepEqual(await clients.get('a')?.get('/sensors/_security'), READERS);
  const a = r.nodes.find((n) => n.node === 'a');
  const b = r.nodes.find((n) => n.node === 'b');
  assert.deepEqual([a?.ok, a?.applied, a?.requests], [true, 2, 2]);
  assert.equal(b?.ok, false);
  assert.deepEqual(b?.failures, [
    { db: 'nowhere', error: '404', reason: 'could not set the _security of nowhere' },
  ]);
  assert.equal(r.partial, true);
});

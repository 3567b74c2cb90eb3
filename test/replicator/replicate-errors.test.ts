// POST /_replicate (transient one-shot jobs) answers a failed replication with the reason's status,
// as chttpd_misc does: a missing source database is a 404 db_not_found, not a 500.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startNode } from '../../src/node/index.ts';

const AUTH = {
  authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
  'content-type': 'application/json',
};
let node: Awaited<ReturnType<typeof startNode>>;

before(async () => {
  node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
  await fetch(`${node.url}/tgt`, { method: 'PUT', headers: AUTH });
});
after(() => node.close());

test('a one-shot _replicate from a missing source db answers 404 db_not_found with the URL', async () => {
  const auth = { basic: { username: 'admin', password: 'admin' } };
  const res = await fetch(`${node.url}/_replicate`, {
    method: 'POST',
    headers: AUTH,
    body: JSON.stringify({
      source: { url: `${node.url}/no_such_db`, auth },
      target: { url: `${node.url}/tgt`, auth },
    }),
  });
  assert.equal(res.status, 404);
  const body = (await res.json()) as { error: string; reason: string };
  assert.equal(body.error, 'db_not_found');
  assert.match(body.reason, /could not open http:\/\/127\.0\.0\.1:\d+\/no_such_db\//);
  assert.doesNotMatch(JSON.stringify(body), /admin:admin|password/);
});

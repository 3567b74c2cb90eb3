// `_replicator` documents carry credentials: a reader who is neither a server admin nor the
// document's owner gets them stripped, on every read path (couch_replicator_docs:strip_credentials).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startNode } from '../../src/node/index.ts';

const basic = (u: string, p: string) => ({
  authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
  'content-type': 'application/json',
});
const ADMIN = basic('admin', 'admin');
let node: Awaited<ReturnType<typeof startNode>>;

before(async () => {
  node = await startNode({
    port: 0,
    inMemory: true,
    admins: { admin: 'admin' },
    users: { alice: { password: 'pw-a' }, bob: { password: 'pw-b' } },
  });
  // `_replicator` is admin-only by default (CouchDB 3): an admin opens it to alice and bob
  const sec = await fetch(`${node.url}/_replicator/_security`, {
    method: 'PUT',
    headers: ADMIN,
    body: JSON.stringify({ members: { names: ['alice', 'bob'], roles: [] } }),
  });
  assert.equal(sec.status, 200);
  const doc = {
    source: { url: 'http://127.0.0.1:1/src', auth: { basic: { username: 'repl', password: 'TOP-SECRET' } } },
    target: {
      url: 'http://repl:URL-SECRET@127.0.0.1:1/tgt',
      headers: { Authorization: 'Basic SEVBREVSLVNFQ1JFVA==' },
    },
    continuous: true,
  };
  const res = await fetch(`${node.url}/_replicator/alices`, {
    method: 'PUT',
    headers: basic('alice', 'pw-a'),
    body: JSON.stringify(doc),
  });
  assert.equal(res.status, 201);
});
after(() => node.close());

const SECRETS = /TOP-SECRET|URL-SECRET|SEVBREVSLVNFQ1JFVA/;

test('the owner and server admins see the credentials; another user sees none, on every read path', async () => {
  const get = async (path: string, headers: Record<string, string>) =>
    (await fetch(`${node.url}${path}`, { headers })).text();
  const owner = await get('/_replicator/alices', basic('alice', 'pw-a'));
  assert.match(owner, /TOP-SECRET/);
  assert.match(JSON.parse(owner).owner, /^alice$/);
  assert.match(await get('/_replicator/alices', ADMIN), /TOP-SECRET/);
  for (const path of [
    '/_replicator/alices',
    '/_replicator/_all_docs?include_docs=true',
    '/_replicator/_changes?include_docs=true',
    '/_replicator/alices?open_revs=all',
  ]) {
    const text = await get(path, { ...basic('bob', 'pw-b'), accept: 'application/json' });
    assert.doesNotMatch(text, SECRETS, path);
    assert.match(text, /127\.0\.0\.1:1\/src/, `${path}: the endpoints themselves stay visible`);
  }
});

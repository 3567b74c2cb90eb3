// NODE-TRUST: settings and identity are durable and private. `_config` changes survive a restart
// (CouchDB writes them to its local.ini); the identity file is written atomically and a damaged one
// is a clear error, not "internal error (a bug)"; the data folder is 0700 and every file in it 0600.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startNode } from '../../src/node/index.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'couchmesh-persist-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const H = {
  authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
  'content-type': 'application/json',
};
const start = (dataDir: string, extra = {}) =>
  startNode({ port: 0, dataDir, admins: { admin: 'admin' }, ...extra });

test('_config changes survive a restart; DELETE too; explicit start options win', async () => {
  const dir = tempDir();
  let node = await start(dir);
  const put = (path: string, v: string) =>
    fetch(`${node.url}/_node/_local/_config/${path}`, { method: 'PUT', headers: H, body: JSON.stringify(v) });
  assert.equal((await put('couchdb/max_document_size', '123456')).status, 200);
  assert.equal((await put('cm_test/kept', 'yes')).status, 200);
  assert.equal((await put('cm_test/dropped', 'no')).status, 200);
  await fetch(`${node.url}/_node/_local/_config/cm_test/dropped`, { method: 'DELETE', headers: H });
  await node.close();
  node = await start(dir);
  const get = async (path: string) =>
    (await fetch(`${node.url}/_node/_local/_config/${path}`, { headers: H })).json();
  assert.equal(await get('couchdb/max_document_size'), '123456');
  assert.equal(node.state.config.maxDocumentSize, 123456, 'applied, not only shown');
  assert.equal(await get('cm_test/kept'), 'yes');
  assert.deepEqual(await get('cm_test'), { kept: 'yes' });
  await node.close();
  node = await start(dir, { maxDocumentSize: 999 });
  assert.equal(node.state.config.maxDocumentSize, 999);
  await node.close();
});

test('an empty or torn identity file is a clear error naming the file, never a stack', async () => {
  for (const content of ['', '{"uuid":"abc","sec']) {
    const dir = tempDir();
    writeFileSync(join(dir, 'couchmesh-node.json'), content);
    await assert.rejects(start(dir), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'E_NODE_FILE_DAMAGED');
      assert.match(e.message, /couchmesh-node\.json/);
      return true;
    });
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'node', '--data', dir, '--port', '0', '--admin', 'admin:admin'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stderr, /couchmesh-node\.json/);
    assert.doesNotMatch(cli.stderr, /\n\s+at /, 'no stack');
  }
});

test('the data folder is 0700 and every file in it 0600 (identity, config, databases, WAL)', async () => {
  const dir = tempDir();
  const node = await start(dir);
  await fetch(`${node.url}/db1`, { method: 'PUT', headers: H });
  await fetch(`${node.url}/db1/doc`, { method: 'PUT', headers: H, body: '{"a":1}' });
  await fetch(`${node.url}/_node/_local/_config/cm_test/k`, { method: 'PUT', headers: H, body: '"v"' });
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const files = readdirSync(dir);
  assert.ok(files.includes('couchmesh-node.json') && files.includes('couchmesh-config.json'));
  assert.ok(files.some((f) => f.endsWith('-wal')));
  for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  await node.close();
});

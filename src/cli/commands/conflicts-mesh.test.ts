import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CouchClient } from '../../couch/index.ts';
import { startNode } from '../../node/index.ts';
import { main } from '../main.ts';
import { captureOutput as capture } from '../testing.ts';

const PASSWORD = 'pw-Mesh-77-secret';

describe('couchmesh conflicts -f mesh.yaml', () => {
  const nodes: Array<Awaited<ReturnType<typeof startNode>>> = [];
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-conflicts-cli-'));
  const file = join(dir, 'mesh.yaml');
  const saved = { ...process.env };
  before(async () => {
    for (let n = 0; n < 2; n++) {
      const node = await startNode({ port: 0, inMemory: true, admins: { admin: PASSWORD } });
      nodes.push(node);
      const c = new CouchClient({ url: node.url, auth: { username: 'admin', password: PASSWORD } });
      await c.put('/sensors');
      const docs = [];
      for (let i = 0; i < 2; i++)
        for (const [l, h] of ['a', 'b'].entries())
          docs.push({
            _id: `doc-${i}`,
            _rev: `1-${h.repeat(32)}`,
            _revisions: { start: 1, ids: [h.repeat(32)] },
            at: l,
          });
      await c.post('/sensors/_bulk_docs', { docs, new_edits: false });
      await c.close();
    }
    const auth = '{ username: admin, password_env: CM_CLI_PW }';
    writeFileSync(
      file,
      `mesh: cli\nnodes:\n  n1: { url: "${nodes[0]?.url}", auth: ${auth} }\n  n2: { url: "${nodes[1]?.url}", auth: ${auth} }\n` +
        'databases:\n  - { name: sensors, conflicts: { strategy: lww, timestamp: at } }\nlinks: [[n1, n2]]\n',
    );
    process.env.CM_CLI_PW = PASSWORD;
    delete process.env.COUCHMESH_URL;
  });
  after(async () => {
    process.env = saved;
    await Promise.all(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[]) {
    const o = capture();
    const code = await main(['conflicts', ...args, '-f', file, '--db', 'sensors'], o);
    assert.ok(!o.stdout.includes(PASSWORD) && !o.stderr.includes(PASSWORD), 'no password in the output');
    return { code, ...o };
  }

  it('lists, resolves with the mesh strategy on every node, audits and undoes once', async () => {
    const list = await run(['list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /n1: 2 document\(s\) in conflict in sensors[\s\S]*n2: 2 document\(s\)/);

    const r = await run(['resolve', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.counts, { resolved: 4, declined: 0, failed: 0 });
    assert.deepEqual(out.conflicted, { n1: 0, n2: 0 });
    const one = await run(['list', '--node', 'n2', '--json']);
    assert.deepEqual(JSON.parse(one.stdout), [{ node: 'n2', conflicts: [] }]);

    const [entry] = JSON.parse((await run(['audit', 'doc-0', '--node', 'n1', '--json'])).stdout);
    assert.equal(entry.strategy, 'lww');
    const undo = await run(['undo', entry._id]);
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /^n1: restored 1-a{32} of doc-0/);
    const again = await run(['undo', entry._id]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^n1: already undone: .* nothing written/);
  });

  it('an unknown node or database is named, with the fix', async () => {
    const bad = await run(['list', '--node', 'n3']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no node 'n3'/);
    const o = capture();
    assert.equal(await main(['conflicts', 'resolve', '-f', file, '--db', 'sensor'], o), 1);
    assert.match(o.stderr, /database 'sensor' is not in[\s\S]*did you mean 'sensors'/);
  });
});

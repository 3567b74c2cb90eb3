import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../node/index.ts';
import { applyOperation } from './apply.ts';
import { destroyOperation } from './destroy.ts';

describe('destroy operation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-destroy-'));
  const env = { CM_DESTROY_PW: 'destroy-test-pw' };
  const nodes: Array<Awaited<ReturnType<typeof startNode>>> = [];
  let file = '';
  const yes = async () => true;
  const deps = { env, client: { retries: 0 } };
  const replicatorIds = async (url: string) => {
    const res = await fetch(`${url}/_replicator/_all_docs`, {
      headers: { authorization: `Basic ${Buffer.from('admin:destroy-test-pw').toString('base64')}` },
    });
    return ((await res.json()) as { rows: Array<{ id: string }> }).rows
      .map((r) => r.id)
      .filter((id) => !id.startsWith('_design/'));
  };

  before(async () => {
    for (let i = 0; i < 2; i++)
      nodes.push(await startNode({ port: 0, inMemory: true, admins: { admin: env.CM_DESTROY_PW } }));
    file = join(dir, 'mesh.yaml');
    const auth = '{ username: admin, password_env: CM_DESTROY_PW }';
    writeFileSync(
      file,
      `mesh: tiny\nnodes:\n  a: { url: "${nodes[0]?.url}", auth: ${auth} }\n  b: { url: "${nodes[1]?.url}", auth: ${auth} }\ndatabases: [logs, metrics]\ndefaults: { class: lan }\nlinks: [[a, b]]\n`,
    );
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a declined review writes nothing; an approved one removes every owned doc and keeps the databases', async () => {
    assert.equal((await applyOperation({ file }, deps, yes)).outcome?.ok, true);
    assert.deepEqual(await replicatorIds(nodes[0]?.url as string), [
      'couchmesh.tiny.logs.b--a',
      'couchmesh.tiny.metrics.b--a',
    ]);

    const no = await destroyOperation({ file }, deps, async () => false);
    assert.equal(no.outcome?.approved, false);
    assert.equal(no.outcome?.plan.summary.destroy, 4);
    assert.equal((await replicatorIds(nodes[1]?.url as string)).length, 2);

    const r = await destroyOperation({ file }, deps, yes);
    assert.equal(r.outcome?.ok, true);
    assert.equal(r.outcome?.applied, 4);
    assert.deepEqual(r.outcome?.plan.databases_kept, [
      { node: 'a', db: 'logs' },
      { node: 'a', db: 'metrics' },
      { node: 'b', db: 'logs' },
      { node: 'b', db: 'metrics' },
    ]);
    for (const n of nodes) assert.deepEqual(await replicatorIds(n.url), []);
  });
});

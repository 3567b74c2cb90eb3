// `couchmesh graph --live` on embedded nodes: a direction the router rerouted (its doc carries the
// route marker on the node) is drawn dashed through its relay; the declared link stays drawn.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../../node/index.ts';
import { applyOperation, executePlan } from '../../ops/apply.ts';
import { preparePlan } from '../../ops/plan.ts';
import { main } from '../main.ts';
import { captureOutput } from '../testing.ts';

const PASSWORD = 'graph-live-pw';

describe('couchmesh graph --live', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-graph-live-'));
  const file = join(dir, 'mesh.yaml');
  const nodes: Array<Awaited<ReturnType<typeof startNode>>> = [];
  const saved = process.env.COUCHMESH_PASSWORD;
  const deps = { env: { COUCHMESH_PASSWORD: PASSWORD }, client: { retries: 0, timeoutMs: 5_000 } };

  before(async () => {
    process.env.COUCHMESH_PASSWORD = PASSWORD;
    for (let i = 0; i < 3; i++)
      nodes.push(await startNode({ port: 0, inMemory: true, admins: { admin: PASSWORD } }));
    const auth = 'auth: { username: admin, password_env: COUCHMESH_PASSWORD }';
    const [n3, n4, r] = nodes.map((n) => n.url);
    writeFileSync(
      file,
      `mesh: t
nodes:
  n3: { url: "${n3}", ${auth} }
  n4: { url: "${n4}", ${auth} }
  r: { url: "${r}", role: relay, ${auth} }
databases: [sensors]
links:
  - [n3, n4]
failover:
  relays: { r: { proxy: "http://127.0.0.1:9" } }
`,
    );
    const applied = await applyOperation({ file }, deps, async () => true);
    assert.ok(applied.outcome.ok);
    // what the router writes when n3->n4 degrades: the route set through the plan operation
    const since = new Date(0).toISOString();
    const routes = new Map([['n3->n4', { via: 'r', mode: 'proxy' as const, reason: 'test', since }]]);
    const prep = await preparePlan({ file, routes }, deps);
    assert.ok(prep.ok);
    try {
      assert.ok((await executePlan(prep, async () => true, {})).ok);
    } finally {
      await prep.close();
    }
  });
  after(async () => {
    if (saved === undefined) delete process.env.COUCHMESH_PASSWORD;
    else process.env.COUCHMESH_PASSWORD = saved;
    await Promise.allSettled(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws the relayed direction dashed through the relay; without --live, only the declared links', async () => {
    const o = captureOutput();
    assert.equal(await main(['graph', '-f', file, '--live'], o), 0, o.stderr);
    const lines = o.stdout.split('\n');
    assert.equal(lines[1], 'N1[(n3)] <-->|wan| N2[(n4)]', 'the declared link stays');
    assert.deepEqual(
      lines.filter((l) => l.includes('-.->')),
      ['N1 -.->|"n3->n4 via r"| N3[(r)]', 'N3 -.->|"n3->n4 via r"| N2'],
    );
    const plain = captureOutput();
    assert.equal(await main(['graph', '-f', file], plain), 0);
    assert.ok(!plain.stdout.includes('-.->'));
  });

  it('a node that cannot be read is said on stderr; its routes are not drawn', async () => {
    await nodes[1]?.close();
    const o = captureOutput();
    assert.equal(await main(['graph', '-f', file, '--live'], o), 0);
    assert.match(o.stderr, /graph: n4 could not be read, so its routes are not drawn/);
    assert.ok(!o.stdout.includes('-.->'), 'the rerouted doc lives on n4 (pull)');
    assert.ok(!o.stderr.includes(PASSWORD));
  });
});

// FAILOVER (#15) canaries end to end, on embedded nodes on 127.0.0.1: n1 - n2 - n3 (n1 and n3 not
// linked), the n1-n2 link reaching n1 through a fault proxy (mesh.yaml `links[].endpoints`). A round
// gives one sample per direction; 300 ms of injected latency shows on that link's directions only;
// a partition gives null after the (short) timeout; a canary never travels past its own hop.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CanaryProbe } from '../../src/canary/probe.ts';
import type { CanarySample } from '../../src/canary/types.ts';
import { paint } from '../../src/cli/views/paint.ts';
import { renderStatus } from '../../src/cli/views/status.ts';
import { applyOperation } from '../../src/ops/apply.ts';
import { canaryDirections, canaryOperation, newCanaryProbe } from '../../src/ops/canary.ts';
import type { MeshDeps } from '../../src/ops/deps.ts';
import { type OpenMesh, openMesh } from '../../src/ops/mesh.ts';
import { statusOperation } from '../../src/ops/status-run.ts';
import { type FaultProxy, startFaultProxy } from '../../src/relay/fault-proxy.ts';
import { ADMIN, http, Nodes, poll, type TestNode, waitState } from '../replicator/helpers.ts';

const DB = 'couchmesh_canary';
const by = (samples: CanarySample[]) => new Map(samples.map((s) => [`${s.from}>${s.to}`, s.latencyMs]));

describe('canaries over a 3-node mesh (n1-n2 through a fault proxy, n2-n3 direct)', () => {
  const nodes = new Nodes();
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-canary-'));
  const file = join(dir, 'mesh.yaml');
  const deps: MeshDeps = { env: { PW: ADMIN.password }, client: { retries: 0, timeoutMs: 5_000 } };
  let n: TestNode[] = [];
  let fault: FaultProxy;
  let mesh: OpenMesh;
  let probe: CanaryProbe;

  before(async () => {
    n = [await nodes.start(), await nodes.start(), await nodes.start()];
    const [n1, n2, n3] = n as [TestNode, TestNode, TestNode];
    fault = await startFaultProxy({ target: { host: '127.0.0.1', port: n1.port } });
    const node = (x: TestNode) => `{ url: "${x.url}", auth: { username: admin, password_env: PW } }`;
    writeFileSync(
      file,
      `mesh: canary\nnodes:\n  n1: ${node(n1)}\n  n2: ${node(n2)}\n  n3: ${node(n3)}\ndatabases: [sensors]\n` +
        `defaults: { class: lan }\nlinks:\n  - { between: [n1, n2], endpoints: { n1: "${fault.url}" } }\n  - [n2, n3]\n` +
        'canary: { enabled: true, timeout_ms: 10000 }\n',
    );
    const applied = await applyOperation({ file }, deps, async () => true);
    assert.equal(applied.outcome?.ok, true);
    for (const [node, ids] of [
      [n2, ['n1--n2', 'n3--n2']],
      [n1, ['n2--n1']],
      [n3, ['n2--n3']],
    ] as const)
      for (const id of ids) await waitState(node, `couchmesh.canary.${DB}.${id}`, 'running');
    const r = openMesh({ file }, deps);
    assert.ok(r.ok);
    mesh = r.mesh;
    probe = newCanaryProbe(mesh, deps) as CanaryProbe;
    assert.ok(probe);
  });
  after(async () => {
    await mesh?.close();
    await nodes.closeAll();
    await fault?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a round gives one sample per direction; a steady round costs one write per direction and one feed per node', async () => {
    const dirs = canaryDirections(mesh.spec);
    assert.equal(dirs.length, 4);
    const first = await probe.round(dirs);
    assert.deepEqual(
      first.samples.map((s) => `${s.from}>${s.to}`),
      ['n1>n2', 'n2>n1', 'n2>n3', 'n3>n2'],
    );
    for (const s of first.samples) assert.equal(typeof s.latencyMs, 'number', JSON.stringify(first.samples));
    // the first round of a fresh probe: 4 writes + 3 feeds (the docs did not exist: no read)
    assert.equal(first.requests, 7);
    const steady = await probe.round(dirs);
    assert.ok(steady.samples.every((s) => s.latencyMs !== null));
    assert.equal(steady.requests, 7, 'writes reuse the remembered revision');
    const minute =
      (steady.requests * 60_000) / (mesh.spec.canary?.interval_ms ?? 30_000) / mesh.spec.links.length;
    console.log(
      `# canary cost: ${steady.requests} requests per round, ${minute} per link per minute at 30 s`,
    );
  });

  it('a new probe (a restarted controller) reads the existing revision once, then writes', async () => {
    const fresh = newCanaryProbe(mesh, deps) as CanaryProbe;
    const r = await fresh.round([{ from: 'n2', to: 'n3' }]);
    assert.equal(typeof r.samples[0]?.latencyMs, 'number');
    assert.equal(r.requests, 4, 'feed + PUT (409) + GET + PUT');
  });

  it('300 ms of latency on the n1-n2 link raises its directions above 300 ms; n2-n3 stays low', async () => {
    fault.set({ latencyMs: 300 });
    try {
      const r = by((await probe.round(canaryDirections(mesh.spec))).samples);
      assert.ok((r.get('n1>n2') ?? 0) > 300, JSON.stringify([...r]));
      assert.ok((r.get('n2>n1') ?? 0) > 300, JSON.stringify([...r]));
      for (const d of ['n2>n3', 'n3>n2']) {
        const v = r.get(d);
        assert.ok(v !== null && v !== undefined && v < 300, JSON.stringify([...r]));
      }
    } finally {
      fault.heal();
    }
  });

  it('a partitioned link gives null after the timeout, the other link still measures', async () => {
    const short = newCanaryProbe(mesh, deps, 1_500) as CanaryProbe;
    await short.round(canaryDirections(mesh.spec)); // learn revisions and feed positions
    fault.set({ partition: true });
    try {
      const r = by((await short.round(canaryDirections(mesh.spec))).samples);
      assert.equal(r.get('n1>n2'), null);
      assert.equal(r.get('n2>n1'), null);
      assert.equal(typeof r.get('n2>n3'), 'number');
      assert.equal(typeof r.get('n3>n2'), 'number');
    } finally {
      fault.heal();
    }
  });

  it('the canary docs travel their own hop only (doc_ids): canary:n1>n2 never reaches n3', async () => {
    const [n1, n2, n3] = n as [TestNode, TestNode, TestNode];
    await poll(
      'canary:n1>n2 on n2',
      async () => (await http('GET', `${n2.url}/${DB}/canary:n1%3En2`)).status === 200,
    );
    const ids = async (x: TestNode) =>
      ((await http('GET', `${x.url}/${DB}/_all_docs`)).body.rows as Array<{ id: string }>)
        .map((r) => r.id)
        .sort();
    assert.deepEqual(await ids(n3), ['canary:n2>n3', 'canary:n3>n2']);
    assert.deepEqual(await ids(n1), ['canary:n1>n2', 'canary:n2>n1']);
    assert.deepEqual(await ids(n2), ['canary:n1>n2', 'canary:n2>n1', 'canary:n2>n3', 'canary:n3>n2']);
    const rep = await http('GET', `${n2.url}/_replicator/couchmesh.canary.${DB}.n1--n2`);
    assert.deepEqual(rep.body.doc_ids, ['canary:n1>n2']);
  });

  it('canaryOperation: one round through the operation, the mesh opened and closed by it', async () => {
    const r = await canaryOperation({ file, timeoutMs: 5_000 }, deps);
    assert.equal(r.enabled, true);
    assert.equal(r.samples.length, 4);
    assert.ok(r.samples.every((s) => typeof s.latencyMs === 'number'));
  });

  it('status runs one round: every row carries canary_ms (--json), the text a CANARY column; lost shows as lost', async () => {
    const run = await statusOperation({ file }, deps);
    const report = run.reports[0];
    assert.ok(report);
    assert.equal(report.directions.length, 4);
    for (const d of report.directions) assert.equal(typeof d.canary_ms, 'number', JSON.stringify(d));
    // the canary's own replications are managed, not strays: no finding is about them
    assert.ok(!JSON.stringify(report.findings).includes(DB), JSON.stringify(report.findings));
    const text = renderStatus(report, paint(false, {}));
    assert.match(text, /CANARY/);
    assert.match(text, /\d+ ms/);
    fault.set({ partition: true });
    try {
      const cut = (await statusOperation({ file, canaryTimeoutMs: 1_000 }, deps)).reports[0];
      const row = cut?.directions.find((d) => d.from === 'n1' && d.to === 'n2');
      assert.equal(row?.canary_ms, null);
      assert.match(renderStatus(cut as NonNullable<typeof cut>, paint(false, {})), /lost/);
    } finally {
      fault.heal();
    }
  });
});

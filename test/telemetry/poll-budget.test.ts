// README: "A poll reads each node with at most 3 requests in steady state (`_scheduler/docs`,
// `_active_tasks`, the mesh databases' info)". Against embedded nodes carrying several databases that
// holds only because the node answers `POST /_dbs_info` as CouchDB 3 does (one request for every
// database's info, instead of one GET per database). Requests are counted where they happen, by the
// client's onResponse hook, per node and per poll. The poller runs on a ManualClock, so the slow
// cadence of `_scheduler/jobs` + `_stats` (every 6 intervals) is asserted without waiting for it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { applyPlan } from '../../src/apply/apply.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { ResponseEvent } from '../../src/couch/events.ts';
import { startNode } from '../../src/node/index.ts';
import { type OpenMesh, openMesh } from '../../src/ops/mesh.ts';
import { desiredState } from '../../src/plan/desired.ts';
import { observeMesh } from '../../src/plan/observe.ts';
import { makePlan } from '../../src/plan/plan.ts';
import { Poller, type PollResult, pollTargets } from '../../src/watch/poller.ts';

const DBS = ['alpha', 'beta', 'gamma', 'delta'];
const INTERVAL = 1_000;

describe('telemetry: the poll budget against embedded nodes with several databases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-poll-budget-'));
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const nodes: Array<Awaited<ReturnType<typeof startNode>>> = [];
  const seen: ResponseEvent[] = [];
  let mesh: OpenMesh;

  before(async () => {
    for (let i = 0; i < 2; i++) {
      const node = await startNode({ port: 0, inMemory: true, admins: { admin: password } });
      nodes.push(node);
      const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
      const res = await fetch(`${node.url}/_node/_local/_config/replicator/startup_jitter`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: '"0"',
      });
      assert.equal(res.status, 200);
    }
    const file = join(dir, 'mesh.yaml');
    const node = (n: number) =>
      `  n${n}: { url: "${nodes[n - 1]?.url}", auth: { username: admin, password_env: COUCHMESH_PASSWORD } }`;
    writeFileSync(
      file,
      `mesh: budget\nnodes:\n${node(1)}\n${node(2)}\ndatabases: [${DBS.join(', ')}]\nlinks:\n  - [n1, n2]\n`,
    );
    const opened = openMesh(
      { file },
      {
        env: { COUCHMESH_PASSWORD: password },
        client: { retries: 0, timeoutMs: 5_000, onResponse: (e) => void seen.push(e) },
      },
    );
    if (!opened.ok) throw new Error(JSON.stringify(opened.validation.diagnostics));
    mesh = opened.mesh;
    const plan = makePlan(
      desiredState(mesh.spec, mesh.passwordOf),
      await observeMesh(mesh.spec, mesh.clients),
    );
    const applied = await applyPlan(plan, mesh.clients);
    assert.ok(applied.ok, JSON.stringify(applied.nodes));
  });

  after(async () => {
    await mesh?.close();
    await Promise.all(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** One poll; what each node was asked, as the client saw it (`METHOD path`). */
  async function counted(poller: Poller): Promise<{ r: PollResult; asked: Map<string, string[]> }> {
    seen.length = 0;
    const r = await poller.pollOnce();
    const name = new Map(mesh.spec.nodes.map((n) => [n.url, n.name]));
    const asked = new Map<string, string[]>();
    for (const e of seen) {
      const n = name.get(e.node) ?? e.node;
      asked.set(n, [...(asked.get(n) ?? []), `${e.method} ${e.path}`].sort());
    }
    return { r, asked };
  }

  test('steady state: 3 requests per node per poll (one POST /_dbs_info for 4 databases)', async () => {
    const clock = new ManualClock(1_000_000);
    const poller = new Poller({
      targets: pollTargets(mesh.links, mesh.clients),
      links: mesh.links,
      thresholds: mesh.thresholds,
      intervalMs: INTERVAL,
      clock,
    });
    for (const t of poller.targets) assert.deepEqual(t.dbs, [...DBS].sort(), `${t.name} reports every db`);

    // the first poll also reads the crash history and _stats: 5 requests
    const first = await counted(poller);
    for (const [node, paths] of first.asked) {
      assert.equal(paths.length, 5, `${node}: ${paths.join(', ')}`);
      assert.equal(first.r.requests.byNode[node], 5);
    }
    // wait (bounded, the clock standing still) until every direction of every db runs
    let steady = first.r;
    for (
      let i = 0;
      i < 200 && !steady.views.every((v) => v.directions.every((d) => d.state === 'running'));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 25));
      steady = await poller.pollOnce();
    }
    assert.equal(steady.views.length, DBS.length);
    assert.ok(steady.views.every((v) => v.directions.every((d) => d.state === 'running')));

    for (let k = 1; k <= 5; k++) {
      await clock.advance(INTERVAL);
      const { r, asked } = await counted(poller);
      assert.equal(asked.size, 2);
      for (const [node, paths] of asked) {
        assert.deepEqual(
          paths,
          ['GET /_active_tasks', 'GET /_scheduler/docs', 'POST /_dbs_info'],
          `${node}, poll ${k}`,
        );
        assert.equal(r.requests.byNode[node], 3, 'the poller counts what the client sent');
      }
      for (const v of r.views) for (const d of v.directions) assert.equal(d.observed, true, d.direction);
    }
    // six intervals after the last read: _scheduler/jobs and _stats again
    await clock.advance(INTERVAL);
    const slow = await counted(poller);
    for (const [node, paths] of slow.asked) assert.equal(paths.length, 5, `${node}: ${paths.join(', ')}`);
  });
});

// FAILOVER (#15) canaries in the controller: the `canary` loop measures every direction each
// interval; the history is in the context (`samples(from, to)`, the router's input), the snapshot's
// directions and status rows carry the latency, and /metrics the latency gauge and lost counter.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { controllerLogger } from '../../src/controller/log.ts';
import { ADMIN, Nodes, poll, type TestNode } from '../replicator/helpers.ts';

describe('controller: the canary loop', () => {
  const nodes = new Nodes();
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-canary-ctl-'));
  let c: Controller;

  before(async () => {
    const [n1, n2] = [await nodes.start(), await nodes.start()] as [TestNode, TestNode];
    const node = (x: TestNode) => `{ url: "${x.url}", auth: { username: admin, password_env: PW } }`;
    const file = join(dir, 'mesh.yaml');
    writeFileSync(
      file,
      `mesh: ctl\nnodes:\n  n1: ${node(n1)}\n  n2: ${node(n2)}\ndatabases: [sensors]\ndefaults: { class: lan }\n` +
        'links:\n  - [n1, n2]\ncontroller: { poll_interval_ms: 200, drift_interval_ms: 300 }\n' +
        'canary: { enabled: true, interval_ms: 300, timeout_ms: 5000 }\n',
    );
    c = startController(
      {
        file,
        stateDir: join(dir, 'state'),
        log: (r) => controllerLogger(r, new Writable({ write: (_c, _e, cb) => cb() })),
        graceMs: 2_000,
      },
      { env: { PW: ADMIN.password }, client: { retries: 0, timeoutMs: 5_000 } },
    );
  });
  after(async () => {
    await c?.stop();
    await nodes.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('measures every direction: latency on the snapshot, the status rows and the metrics', async () => {
    // the drift loop creates the canary database and its doc_ids replications; canaries then arrive
    const snap = await poll(
      'canary latency on both directions',
      () => {
        const s = c.snapshot();
        const measured = s.directions.filter((d) => typeof d.canary_ms === 'number');
        const rows = s.status?.directions.filter((d) => typeof d.canary_ms === 'number') ?? [];
        return measured.length === 2 && rows.length === 2 ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    for (const d of snap.directions) {
      assert.ok(
        (d.canary_p50_ms ?? -1) >= 0 && (d.canary_p95_ms ?? -1) >= (d.canary_p50_ms ?? 0),
        JSON.stringify(d),
      );
    }
    const m = (await c.metrics()).body;
    assert.match(
      m,
      /couchmesh_canary_latency_seconds\{mesh="ctl",from="n1",to="n2",db="couchmesh_canary"\} \d/,
    );
    assert.match(m, /couchmesh_canary_lost_total\{mesh="ctl",from="n2",to="n1",db="couchmesh_canary"\} \d/);
  });
});

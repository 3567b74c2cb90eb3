// CONTROLLER-UI must-show, on two embedded nodes: the controller repairs a hand-edited managed
// `_replicator` doc (drift loop); a database deleted and recreated while its replications are idle
// is detected from the node's db info and, with the `restart-job` policy, backfilled; a stopped
// node raises a finding, restarted it resolves. Waits poll observable state, bounded.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { controllerLogger } from '../../src/controller/log.ts';
import type { ControllerEvent } from '../../src/controller/view.ts';
import { DB, type Json, TelemetryMesh, until } from '../telemetry/helpers.ts';

const CONTROLLER = `controller:
  poll_interval_ms: 150
  drift_interval_ms: 300
  deep_check_interval_ms: 300
  conflicts_interval_ms: 1000
  remediation:
    db-recreated: restart-job
`;

describe('controller on embedded nodes', () => {
  const mesh = new TelemetryMesh();
  let c: Controller;
  const events: ControllerEvent[] = [];
  const logLines: string[] = [];

  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2', persistent: true }], [['n1', 'n2']]);
    appendFileSync(mesh.file, CONTROLLER);
    await mesh.apply();
    const dest = new Writable({
      write(chunk, _e, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    c = startController(
      {
        file: mesh.file,
        stateDir: join(mesh.dir, 'state'),
        log: (r) => controllerLogger(r, dest),
        graceMs: 5_000,
      },
      mesh.deps(),
    );
    c.subscribe((e) => events.push(e));
  });
  after(async () => {
    await c?.stop();
    await mesh.close();
  });

  const actions = (kind: string) => c.snapshot().actions.filter((a) => a.kind === kind);

  it('repairs a hand-edited managed _replicator doc', async () => {
    const id = 'couchmesh.t.sensors.n1--n2';
    await until('the first drift pass', async () => (c.snapshot().drift ? true : undefined));
    const doc = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
    await mesh.ok('n2', 'PUT', `/_replicator/${id}`, { ...doc, checkpoint_interval: 999_999 });
    const fixed = await until('the controller repairs the doc', async () => {
      const d = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
      return d.checkpoint_interval !== 999_999 ? d : undefined;
    });
    assert.equal(fixed.checkpoint_interval, 100);
    const a = await until('the drift action', async () => actions('apply').find((x) => x.outcome === 'done'));
    assert.equal(a.loop, 'drift');
    assert.ok(a.audit_id, 'an audit record was written');
    const audit = await mesh
      .ok('n1', 'GET', `/couchmesh_audit/${encodeURIComponent(a.audit_id as string)}`)
      .catch(() => mesh.ok('n2', 'GET', `/couchmesh_audit/${encodeURIComponent(a.audit_id as string)}`));
    assert.equal(audit.action, a.id);
  });

  it('detects a target database recreated while idle and backfills it (restart-job)', async () => {
    await mesh.write('n1', 'r', 20);
    await until('20 docs on n2', async () => {
      const i = await mesh.ok('n2', 'GET', `/${DB}`);
      return i.doc_count >= 20 ? true : undefined;
    });
    // let the deep check take the baseline of the filled database
    await until(
      'a deep-check baseline',
      async () => logLines.length > 0 && (await new Promise((r) => setTimeout(r, 700)).then(() => true)),
    );
    await mesh.ok('n2', 'DELETE', `/${DB}`);
    await mesh.ok('n2', 'PUT', `/${DB}`);
    const a = await until(
      'the restart-job action',
      async () =>
        actions('restart-job').find((x) => x.outcome === 'done' && x.target.endsWith('n1->n2/sensors')),
      1_000,
    );
    assert.match(a.detail, /recreated/);
    assert.ok(a.audit_id);
    const info: Json = await until(
      'the recreated database backfilled',
      async () => {
        const i = await mesh.ok('n2', 'GET', `/${DB}`);
        return i.doc_count >= 20 ? i : undefined;
      },
      1_000,
    );
    assert.ok(info.doc_count >= 20);
    assert.ok(events.some((e) => e.type === 'action' && e.action.id === a.id));
  });

  it('a stopped node raises a finding; restarted, it is resolved', async () => {
    await mesh.stop('n2');
    const raised = await until(
      'node-unreachable raised',
      async () =>
        events.find(
          (e) => e.type === 'finding' && e.change === 'raised' && e.finding.rule === 'node-unreachable',
        ),
      1_000,
    );
    assert.ok(raised);
    await mesh.restart('n2');
    await until(
      'node-unreachable resolved',
      async () =>
        events.find(
          (e) => e.type === 'finding' && e.change === 'resolved' && e.finding.rule === 'node-unreachable',
        ),
      1_000,
    );
  });

  it('logs JSON lines without the password; the store file is 0600', async () => {
    const all = logLines.join('');
    assert.ok(!all.includes(mesh.password));
    for (const line of logLines) JSON.parse(line);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(join(mesh.dir, 'state', 'controller.sqlite')).mode & 0o777, 0o600);
    assert.match(c.mermaid(), /flowchart/);
    const m = await c.metrics();
    assert.match(m.body, /couchmesh_link_state/);
    assert.match(m.body, /couchmesh_controller_queue_depth\{[^}]*loop="all"\} \d+/);
    assert.match(
      m.body,
      /couchmesh_controller_actions_total\{[^}]*loop="drift"[^}]*\} [1-9]/,
      m.body
        .split('\n')
        .filter((l) => l.includes('controller'))
        .join('\n'),
    );
    assert.ok(readFileSync(mesh.file, 'utf8').includes('controller:'));
  });

  it('operator commands: a one-shot reconcile is recorded as an operator action', async () => {
    const a = await c.reconcile('n1->n2', DB);
    assert.equal(a.loop, 'operator');
    assert.equal(a.outcome, 'done', a.detail);
    const bad = await c.reconcile('n1->n9', DB).catch((e: Error) => e);
    assert.ok(bad instanceof Error && /no direction/.test(bad.message));
  });

  it('--dry-run records what it would do and changes nothing', async () => {
    await c.stop();
    const dry = startController(
      {
        file: mesh.file,
        dryRun: true,
        stateDir: join(mesh.dir, 'state-dry'),
        log: (r) => controllerLogger(r, new Writable({ write: (_c, _e, cb) => cb() })),
      },
      mesh.deps(),
    );
    try {
      const id = 'couchmesh.t.sensors.n2--n1';
      const doc = await mesh.ok('n1', 'GET', `/_replicator/${id}`);
      await mesh.ok('n1', 'PUT', `/_replicator/${id}`, { ...doc, checkpoint_interval: 777_777 });
      const a = await until(
        'the dry-run drift action',
        async () => dry.snapshot().actions.find((x) => x.loop === 'drift' && x.outcome === 'dry-run'),
        1_000,
      );
      assert.match(a.detail, /would apply/);
      assert.equal(dry.snapshot().dry_run, true);
      assert.equal(
        (await mesh.ok('n1', 'GET', `/_replicator/${id}`)).checkpoint_interval,
        777_777,
        'not repaired',
      );
    } finally {
      await dry.stop();
    }
  });

  it('reset-checkpoints also backfills a recreated database', async () => {
    writeFileSync(
      mesh.file,
      readFileSync(mesh.file, 'utf8').replace('db-recreated: restart-job', 'db-recreated: reset-checkpoints'),
    );
    const lines: string[] = [];
    const c2 = startController(
      {
        file: mesh.file,
        stateDir: join(mesh.dir, 'state-reset'),
        log: (r) =>
          controllerLogger(
            r,
            new Writable({
              write: (ch, _e, cb) => {
                lines.push(String(ch));
                cb();
              },
            }),
          ),
      },
      mesh.deps(),
    );
    try {
      const before = (await mesh.ok('n1', 'GET', `/${DB}`)).doc_count;
      await until(
        'the baseline of every database',
        async () => (lines.some((l) => l.includes('loop deep: first pass done')) ? true : undefined),
        1_000,
      );
      await mesh.ok('n2', 'DELETE', `/${DB}`);
      await mesh.ok('n2', 'PUT', `/${DB}`);
      const a = await until(
        'the reset-checkpoints action',
        async () =>
          c2
            .snapshot()
            .actions.find(
              (x) =>
                x.kind === 'reset-checkpoints' && x.outcome === 'done' && x.target.endsWith('n1->n2/sensors'),
            ),
        1_000,
      );
      assert.match(a.detail, /recreated/);
      await until(
        'backfilled',
        async () => ((await mesh.ok('n2', 'GET', `/${DB}`)).doc_count >= before ? true : undefined),
        1_000,
      );
    } finally {
      await c2.stop();
    }
  });

  it('resolves the conflicts of a database whose mesh.yaml block asks for it, audited', async () => {
    writeFileSync(
      mesh.file,
      readFileSync(mesh.file, 'utf8').replace(
        `databases: [${DB}]`,
        `databases:\n  - { name: ${DB}, conflicts: { strategy: lww, timestamp: updated_at, node: n1 } }`,
      ),
    );
    await mesh.ok('n1', 'POST', `/${DB}/_bulk_docs`, {
      new_edits: false,
      docs: [
        { _id: 'c1', _rev: '1-aaaa', v: 1, updated_at: '2026-01-01T00:00:00Z' },
        { _id: 'c1', _rev: '1-bbbb', v: 2, updated_at: '2026-02-01T00:00:00Z' },
      ],
    });
    const c3 = startController(
      {
        file: mesh.file,
        stateDir: join(mesh.dir, 'state-conflicts'),
        log: (r) => controllerLogger(r, new Writable({ write: (_c, _e, cb) => cb() })),
      },
      mesh.deps(),
    );
    try {
      const r = await until(
        'the resolution of c1',
        async () => c3.snapshot().resolutions.find((x) => x.doc_id === 'c1'),
        1_000,
      );
      assert.equal(r.node, 'n1');
      assert.equal(r.strategy, 'lww');
      assert.equal(r.losers.length, 1);
      const doc = await mesh.ok('n1', 'GET', `/${DB}/c1?conflicts=true`);
      assert.equal(doc.v, 2);
      assert.equal(doc._conflicts, undefined);
      await until('the resolve action', async () =>
        c3.snapshot().actions.find((a) => a.loop === 'resolve' && a.outcome === 'done'),
      );
      const undo = await c3.undoResolution(DB, r.audit_id);
      assert.equal(undo.outcome, 'done', undo.detail);
    } finally {
      await c3.stop();
    }
  });
});

// CONTROLLER-UI (#14): an action cut off by SIGKILL is not lost. A store left with an open intent
// (what a killed controller was about to do) is started on: the intent becomes an `interrupted`
// action in the snapshot, the store, the log, the alert sink and the audit db, at the intent's
// time, once; a second start records it no second time.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { controllerLogger } from '../../src/controller/log.ts';
import { ControllerStore } from '../../src/controller/store.ts';
import { TelemetryMesh, until } from '../telemetry/helpers.ts';

const AT = Date.parse('2026-01-01T00:00:00Z');

describe('couchmesh run: intents left by a killed controller', () => {
  const mesh = new TelemetryMesh();
  const logLines: string[] = [];
  const stateDir = () => join(mesh.dir, 'state');
  const alertLog = () => join(mesh.dir, 'alerts.ndjson');

  function start(): Controller {
    const dest = new Writable({
      write(chunk, _e, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    return startController(
      {
        file: mesh.file,
        stateDir: stateDir(),
        alerts: { alertLog: [alertLog()] },
        log: (r) => controllerLogger(r, dest),
        graceMs: 5_000,
      },
      mesh.deps(),
    );
  }

  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    appendFileSync(mesh.file, 'controller:\n  poll_interval_ms: 150\n  drift_interval_ms: 300\n');
    await mesh.apply();
    // what a controller SIGKILLed mid-reconcile leaves behind: its intent, no outcome
    const s = ControllerStore.open(stateDir());
    s.putIntent({
      id: 'a-interrupted-1',
      at: AT,
      loop: 'operator',
      kind: 'reconcile',
      target: 'direction:n1->n2/sensors',
      detail: `reconcile direction:n1->n2/sensors on http://admin:${mesh.password}@127.0.0.1:1`,
      node: 'n1',
    });
    s.close();
  });
  after(() => mesh.close());

  it('records it as interrupted everywhere an action goes, once', async () => {
    let c = start();
    try {
      const a = await until('the interrupted action', async () =>
        c.snapshot().actions.find((x) => x.id === 'a-interrupted-1' && x.audit_id),
      );
      assert.equal(a.outcome, 'interrupted');
      assert.equal(a.at, new Date(AT).toISOString(), 'at the time it was about to act');
      assert.match(a.detail, /about to reconcile direction:n1->n2\/sensors/);
      assert.ok(!JSON.stringify(a).includes(mesh.password), 'no secret in the action');
      const audit = await mesh.ok('n1', 'GET', `/couchmesh_audit/${encodeURIComponent(a.audit_id ?? '')}`);
      assert.ok(audit._id, 'an audit record');
      assert.ok(
        logLines.some((l) => l.includes('a-interrupted-1') && l.includes('interrupted')),
        'a log line',
      );
      const told = await until('the alert', async () =>
        existsSync(alertLog()) && readFileSync(alertLog(), 'utf8').includes('a-interrupted-1')
          ? true
          : undefined,
      );
      assert.ok(told);
      assert.ok(!readFileSync(alertLog(), 'utf8').includes(mesh.password), 'no secret in the alert');
      assert.ok(!logLines.join('').includes(mesh.password), 'no secret in the log');
    } finally {
      await c.stop();
    }
    c = start();
    try {
      await until('the first drift pass', async () => (c.snapshot().drift ? true : undefined));
      const same = c.snapshot().actions.filter((x) => x.id === 'a-interrupted-1');
      assert.equal(same.length, 1, 'recorded once across restarts');
      assert.equal(same[0]?.outcome, 'interrupted');
    } finally {
      await c.stop();
    }
    const s = ControllerStore.open(stateDir());
    assert.deepEqual(s.openIntents(), []);
    assert.equal(s.recentActions().filter((x) => x.id === 'a-interrupted-1').length, 1);
    s.close();
  });
});

// The controller's verify loop (`controller.verify_interval_ms`): a divergent linked pair raises a
// `divergence` finding with its evidence (in the snapshot, as an event, kept across polls), and it
// resolves once the nodes agree. A dry run, so the drift loop writes no replication that would
// make the nodes agree by itself.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { controllerLogger } from '../../src/controller/log.ts';
import type { ControllerEvent } from '../../src/controller/view.ts';
import { DB, TelemetryMesh, until } from '../telemetry/helpers.ts';
import { baseDoc, ids, putRevs } from './helpers.ts';

describe('controller: the verify loop', () => {
  const mesh = new TelemetryMesh();
  let c: Controller;
  const events: ControllerEvent[] = [];
  const alertLog = () => join(mesh.dir, 'alerts.ndjson');
  const alerts = () =>
    (existsSync(alertLog()) ? readFileSync(alertLog(), 'utf8').trim().split('\n') : [])
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((a) => a.rule === 'divergence');
  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    appendFileSync(mesh.file, 'controller:\n  poll_interval_ms: 200\n  verify_interval_ms: 1000\n');
    for (const n of ['n1', 'n2']) await mesh.ok(n, 'PUT', `/${DB}`);
    await putRevs(mesh, 'n1', ids('d', 5).map(baseDoc));
    await putRevs(mesh, 'n2', ids('d', 3).map(baseDoc));
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    c = startController(
      {
        file: mesh.file,
        stateDir: join(mesh.dir, 'state'),
        log: (r) => controllerLogger(r, sink),
        graceMs: 5_000,
        dryRun: true,
        alerts: { alertLog: [alertLog()] },
      },
      mesh.deps(),
    );
    c.subscribe((e) => events.push(e));
  });
  after(async () => {
    await c?.stop();
    await mesh.close();
  });

  const divergence = () => c.snapshot().findings.find((f) => f.rule === 'divergence');

  it('raises a divergence finding with the evidence, kept across polls; resolved once the nodes agree', async () => {
    const f = await until('the divergence finding', async () => divergence(), 500);
    assert.equal(f.link, 'n1--n2');
    assert.equal(f.db, DB);
    assert.deepEqual(f.evidence, {
      missing_on_n1: 0,
      missing_on_n2: 2,
      winners_differ: 0,
      leaves_differ: 0,
      first_ids: 'd-003, d-004',
    });
    assert.match(f.message, /sensors differs between n1 and n2: 2 missing on n2/);
    assert.ok(
      events.some((e) => e.type === 'finding' && e.change === 'raised' && e.finding.rule === 'divergence'),
    );
    // the observe loop's polls keep it open
    const polls = events.filter((e) => e.type === 'poll').length;
    await until(
      'two more polls',
      async () => (events.filter((e) => e.type === 'poll').length >= polls + 2 ? true : undefined),
      500,
    );
    assert.ok(divergence(), 'still open after polls');
    // the alert sinks hear of it once, through the observe loop's diff
    const raised = await until(
      'the divergence alert',
      async () => (alerts().length ? alerts() : undefined),
      500,
    );
    assert.deepEqual(
      raised.map((a) => a.event),
      ['raised'],
    );

    await putRevs(mesh, 'n2', ['d-003', 'd-004'].map(baseDoc));
    await until('resolved', async () => (divergence() ? undefined : true), 500);
    assert.ok(
      events.some((e) => e.type === 'finding' && e.change === 'resolved' && e.finding.rule === 'divergence'),
    );
  });
});

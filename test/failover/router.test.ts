// FAILOVER (#15) must-show, proxy mode, on embedded nodes (router-harness.ts): flapping causes no
// route change; n3->n4 degraded -> the controller reroutes it through relay r within k + 2 polls;
// documents written on n3 meanwhile reach n4 through the relay, under the same replication id and
// from its checkpoint (no re-scan from 0); healed -> direct again, the proxy field and the marker
// gone; with the relay down a degraded direction is a critical finding and nothing is written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routesOperation } from '../../src/ops/routes.ts';
import { DB, type Json, until } from '../telemetry/helpers.ts';
import { DOC, RouterWorld } from './router-harness.ts';

const K = 3;

describe('router on embedded nodes: proxy mode', () => {
  const w = new RouterWorld();
  let repId = '';

  before(async () => {
    await w.start('proxy');
    repId = await w.startRunning();
  });
  after(() => w.close());

  it('a link flapping every sample causes no route change', async () => {
    w.setLink('flap');
    await w.waitPolls(4 * K);
    w.setLink('good');
    await w.waitPolls(2);
    assert.deepEqual(w.routeEvents(), []);
    assert.equal((await w.doc()).source_proxy, undefined);
  });

  it('degraded: rerouted through the relay within k + 2 polls; data written meanwhile arrives; same replication id, resumed from its checkpoint', async () => {
    const from = w.setLink('bad');
    await w.mesh.write('n3', 'b', 10);
    const at = await w.routed('relayed');
    assert.ok(at - from <= K + 2, `rerouted after ${at - from} polls`);
    const doc = await w.doc();
    assert.equal(doc.source_proxy, w.proxy.url);
    assert.equal(doc.couchmesh.route.via, 'r');
    assert.equal(doc.couchmesh.route.mode, 'proxy');
    await w.reaches('n4', 30);
    const job: Json = await w.mesh.ok('n4', 'GET', `/_scheduler/docs/_replicator/${DOC}`);
    assert.equal(job.id, repId, 'proxies are not part of the replication id');
    // the relayed session's checkpoint on the source: it started where the direct one had got to
    const ckpt: Json = await until('the relayed session checkpointed at 30', async () => {
      const c: Json = await w.mesh.ok('n3', 'GET', `/${DB}/_local/${repId.split('+')[0]}`);
      return String(c.source_last_seq).startsWith('30-') ? c : undefined;
    });
    assert.ok(Number(String(ckpt.history[0].start_last_seq).split('-')[0]) >= 20, 'resumed, not from 0');
    const snap = w.c.snapshot();
    assert.deepEqual(snap.directions.find((d) => d.direction === 'n3->n4')?.via, ['r']);
    assert.ok(snap.findings.some((f) => f.rule === 'rerouted' && f.direction === 'n3->n4'));
    assert.ok(w.log.some((l) => l.includes('route n3->n4: relayed via r (proxy)')));
    const view = (await routesOperation({ file: w.mesh.file }, w.mesh.deps())).view;
    const n34 = view.directions.find((d) => d.direction === 'n3->n4');
    assert.equal(n34?.path, 'relayed');
    assert.equal(n34?.via, 'r');
    assert.equal(view.directions.find((d) => d.direction === 'n4->n3')?.path, 'direct');
  });

  it('a restarted controller keeps the route: nothing rewritten, no switch', async () => {
    const rev = (await w.doc())._rev;
    await w.c.stop();
    const mark = w.events.length;
    w.startController();
    await w.routed('relayed', mark);
    await w.waitPolls(K + 1);
    assert.equal((await w.doc())._rev, rev);
    assert.ok(!w.events.slice(mark).some((e) => e.type === 'route' && e.route.path !== 'relayed'));
  });

  it('healed: direct again, proxy field and marker gone, the finding resolved', async () => {
    const mark = w.events.length;
    w.setLink('good');
    await w.routed('direct', mark);
    const doc = await w.doc();
    assert.equal(doc.source_proxy, undefined);
    assert.equal(doc.couchmesh.route, undefined);
    await w.mesh.write('n3', 'c', 5);
    await w.reaches('n4', 35);
    assert.ok(
      w.events.some((e) => e.type === 'finding' && e.change === 'resolved' && e.finding.rule === 'rerouted'),
    );
    assert.deepEqual(w.c.snapshot().directions.find((d) => d.direction === 'n3->n4')?.via, []);
  });

  it('no relay available: a critical no-relay finding and nothing written', async () => {
    await w.mesh.stop('r');
    await w.waitPolls(2);
    const rev = (await w.doc())._rev;
    const routeActions = () => w.c.snapshot().actions.filter((a) => a.loop === 'route').length;
    const actionsBefore = routeActions();
    const mark = w.events.length;
    w.setLink('bad');
    await w.routed('no-relay', mark);
    const f = w.c.snapshot().findings.find((x) => x.rule === 'no-relay');
    assert.equal(f?.severity, 'critical');
    assert.match(f?.message ?? '', /no relay can take it/);
    await w.waitPolls(3);
    assert.equal((await w.doc())._rev, rev, 'nothing was written');
    assert.equal(routeActions(), actionsBefore, 'no reroute tried');
    w.setLink('good');
  });
});

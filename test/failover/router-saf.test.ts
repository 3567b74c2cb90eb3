// FAILOVER (#15) must-show, store-and-forward mode, on embedded nodes (router-harness.ts): n3->n4
// degraded -> within k + 2 polls the controller adds marked legs n3->r (on r) and r->n4 (on n4),
// creating the database on r, and leaves the direct doc retrying; documents written on n3 meanwhile
// reach n4 through r; healed -> direct again, the legs deleted and the marker gone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { legId } from '../../src/plan/routes.ts';
import { DB } from '../telemetry/helpers.ts';
import { RouterWorld } from './router-harness.ts';

const K = 3;
const IN = legId('t', DB, 'n3', 'r');
const OUT = legId('t', DB, 'r', 'n4');

describe('router on embedded nodes: store-and-forward mode', () => {
  const w = new RouterWorld();

  before(async () => {
    await w.start('store-and-forward');
    await w.mesh.write('n3', 'a', 20);
    await w.reaches('n4', 20);
    w.startController();
    await w.waitPolls(2);
  });
  after(() => w.close());

  it('degraded: legs through the relay within k + 2 polls; data written meanwhile reaches n4 via r', async () => {
    const from = w.setLink('bad');
    await w.mesh.write('n3', 'b', 10);
    const at = await w.routed('relayed');
    assert.ok(at - from <= K + 2, `rerouted after ${at - from} polls`);
    const legIn = await w.doc('r', IN);
    const legOut = await w.doc('n4', OUT);
    assert.equal(legIn.couchmesh.route.leg, true);
    // the leg reaches n3 at its own URL, not through the degraded link's endpoint
    assert.equal(legIn.source.url, `${w.mesh.url('n3')}/${DB}`);
    assert.equal(legOut.couchmesh.route.direction, 'n3->n4');
    const direct = await w.doc();
    assert.equal(direct.couchmesh.route.mode, 'store-and-forward');
    assert.equal(direct.source_proxy, undefined, 'the direct doc keeps retrying the direct path');
    await w.reaches('r', 30);
    await w.reaches('n4', 30);
    assert.ok(w.c.snapshot().findings.some((f) => f.rule === 'rerouted'));
  });

  it('healed: direct again, the legs deleted, the marker gone', async () => {
    const mark = w.events.length;
    w.setLink('good');
    await w.routed('direct', mark);
    for (const [node, id] of [
      ['r', IN],
      ['n4', OUT],
    ] as const)
      assert.equal((await w.mesh.request(node, 'GET', `/_replicator/${encodeURIComponent(id)}`)).status, 404);
    assert.equal((await w.doc()).couchmesh.route, undefined);
    await w.mesh.write('n3', 'c', 5);
    await w.reaches('n4', 35);
    const act = w.c.snapshot().actions.filter((a) => a.loop === 'route');
    assert.deepEqual(
      act.map((a) => a.outcome),
      ['done', 'done'],
    );
  });

  it('the target offline: data flows into the relay meanwhile and on to n4 once it is back', async () => {
    await w.mesh.stop('n4');
    const mark = w.events.length;
    w.setLink('bad');
    await w.routed('relayed', mark);
    assert.equal((await w.doc('r', IN)).couchmesh.route.direction, 'n3->n4');
    await w.mesh.write('n3', 'd', 5);
    await w.reaches('r', 40);
    await w.mesh.restart('n4');
    // the route's writes on n4 (its marker, the leg r->n4) are retried until done; the direct path is still cut
    await w.reaches('n4', 40);
    assert.equal((await w.doc('n4', OUT)).couchmesh.route.leg, true);
    const healed = w.events.length;
    w.setLink('good');
    await w.routed('direct', healed);
    assert.equal((await w.mesh.request('r', 'GET', `/_replicator/${encodeURIComponent(IN)}`)).status, 404);
  });
});

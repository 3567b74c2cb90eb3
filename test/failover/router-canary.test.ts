// FAILOVER (#15) must-show, driven by the real canaries (the controller's canary loop): latency
// injected on n3->n4 (the fault proxy on the link's endpoint for n3) beyond the link's threshold
// makes the canaries of that direction late or lost; the router moves it to the relay within k + 2
// canary rounds (a round = a new revision of `canary:n3>n4` on n3), the documents written on n3
// meanwhile reach n4 through the relay under the same replication id, and once the latency is gone
// the canaries (which always take the direct path) say so and the route returns to direct.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Json, until } from '../telemetry/helpers.ts';
import { DOC, RouterWorld } from './router-harness.ts';

const K = 3;
const THRESHOLD_MS = 600;
const CANARY = 'couchmesh_canary';

describe('router on embedded nodes, driven by real canaries (proxy mode)', () => {
  const w = new RouterWorld();
  let repId = '';
  /** canary rounds so far: the generation of n3's `canary:n3>n4` (one revision per round) */
  const rounds = async (): Promise<number> => {
    const d: Json = await w.mesh.ok('n3', 'GET', `/${CANARY}/${encodeURIComponent('canary:n3>n4')}`);
    return Number(String(d._rev).split('-')[0]);
  };
  const canaryMs = () => w.c.snapshot().directions.find((d) => d.direction === 'n3->n4')?.canary_ms;

  before(async () => {
    await w.start('proxy', { canary: { interval_ms: 100, timeout_ms: 2_500 }, thresholdMs: THRESHOLD_MS });
    repId = await w.startRunning();
    await until('a canary measured on n3->n4', async () =>
      typeof canaryMs() === 'number' ? true : undefined,
    );
  });
  after(() => w.close());

  it('latency beyond the threshold: rerouted within k + 2 canary rounds; data written meanwhile arrives via the relay, same replication id', async () => {
    assert.deepEqual(w.routeEvents(), [], 'a healthy link is not rerouted');
    assert.ok((canaryMs() as number) < THRESHOLD_MS);
    const r0 = await rounds();
    // 700 ms per chunk: a request's round trip (1.4 s) stays under the link class's connection
    // timeout (2 s), so the job keeps running and the canaries (over 2 s) are what degrade it
    w.fault.set({ latencyMs: 700 });
    await w.mesh.write('n3', 'b', 10);
    await w.routed('relayed');
    const r1 = await rounds();
    assert.ok(r1 - r0 <= K + 2, `rerouted after ${r1 - r0} canary rounds`);
    const doc = await w.doc();
    assert.equal(doc.source_proxy, w.proxy.url);
    assert.match(doc.couchmesh.route.reason, /canary|latency|lost|crashing/);
    await w.reaches('n4', 30);
    const job: Json = await w.mesh.ok('n4', 'GET', `/_scheduler/docs/_replicator/${DOC}`);
    assert.equal(job.id, repId, 'proxies are not part of the replication id');
    const late = canaryMs();
    assert.ok(
      late === null || (late as number) > THRESHOLD_MS,
      `the canary still takes the slow direct path (${late})`,
    );
  });

  it('latency gone: the canaries say so and the route returns to direct', async () => {
    const mark = w.events.length;
    w.fault.heal();
    await w.routed('direct', mark);
    const doc = await w.doc();
    assert.equal(doc.source_proxy, undefined);
    assert.equal(doc.couchmesh.route, undefined);
    assert.ok((canaryMs() as number) < THRESHOLD_MS);
    await w.mesh.write('n3', 'c', 5);
    await w.reaches('n4', 35);
  });
});

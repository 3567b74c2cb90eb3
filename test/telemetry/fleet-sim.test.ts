// The fleet simulator (bench/lib/fleet-sim.ts) read by the real poller: every node reachable, every
// direction of the generated mesh found running, no finding on a healthy fleet, the steady-state
// request budget, and a crashing fleet seen as crashing. Counts only, never times.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type FleetSim, startFleetSim } from '../../bench/lib/fleet-sim.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { seqNumber } from '../../src/couchdb/seq.ts';
import { healthThresholdsFromSpec } from '../../src/health/types.ts';
import { readCheckpoints } from '../../src/observe/checkpoints.ts';
import { TELEMETRY_CLIENT } from '../../src/ops/mesh.ts';
import { clientsFor, observeMesh } from '../../src/plan/observe.ts';
import { Poller, pollTargets } from '../../src/watch/poller.ts';

const sims: FleetSim[] = [];
const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
  await Promise.all(sims.map((s) => s.close()));
});

async function pollerOn(sim: FleetSim) {
  const { spec, links } = sim.mesh;
  const clients = clientsFor(spec, () => undefined, TELEMETRY_CLIENT);
  closers.push(() => Promise.all([...clients.values()].map((c) => c.close())));
  const clock = new ManualClock(sim.now());
  sim.setNow(clock.now());
  const thresholds = healthThresholdsFromSpec(spec.thresholds, {});
  const poller = new Poller({ targets: pollTargets(links, clients), links, thresholds, clock });
  const step = async (ms: number) => {
    await clock.advance(ms);
    sim.setNow(clock.now());
  };
  return { poller, clients, step };
}

let healthy: FleetSim;
before(async () => {
  healthy = await startFleetSim({ nodes: 3 });
  sims.push(healthy);
});

test('one poll of a 3-node simulated fleet: every node reachable, 6 directions running, no finding', async () => {
  const { poller, step } = await pollerOn(healthy);
  const r = await poller.pollOnce();
  assert.equal(r.snapshots.length, 3);
  assert.deepEqual(
    r.snapshots.map((s) => [s.node, s.reachable, s.confidence, s.error]),
    [
      ['n1', true, 'full', undefined],
      ['n2', true, 'full', undefined],
      ['n3', true, 'full', undefined],
    ],
  );
  const dirs = r.views.flatMap((v) => v.directions);
  assert.deepEqual(dirs.map((d) => d.direction).sort(), [
    'n1->n2',
    'n1->n3',
    'n2->n1',
    'n2->n3',
    'n3->n1',
    'n3->n2',
  ]);
  assert.ok(dirs.every((d) => d.observed && d.state === 'running' && d.sourceSeqOrigin === 'db-info'));
  assert.deepEqual(r.findings, []);
  // first poll: docs, tasks, db info + the slow reads (jobs, stats); then the steady budget of 3
  assert.deepEqual(r.requests.byNode, { n1: 5, n2: 5, n3: 5 });
  await step(30_000);
  const r2 = await poller.pollOnce();
  assert.deepEqual(r2.requests.byNode, { n1: 3, n2: 3, n3: 3 });
  assert.deepEqual(r2.findings, []);
  const seq = (x: typeof r) => seqNumber(x.views[0]?.directions[0].sourceSeq) ?? 0;
  assert.ok(seq(r2) > seq(r), 'the source seq grows with time');
});

test('the planner observes the generated _replicator docs, and checkpoints agree on both sides', async () => {
  const { clients } = await pollerOn(healthy);
  const observed = await observeMesh(healthy.mesh.spec, clients);
  assert.deepEqual(
    observed.map((o) => [o.node, o.reachable, o.replicator.length]),
    [
      ['n1', true, 2],
      ['n2', true, 2],
      ['n3', true, 2],
    ],
  );
  const d = healthy.model.nodes.get('n2')?.held[0];
  assert.ok(d);
  const read = await readCheckpoints(
    { link: d.link, db: d.db, from: d.from, to: d.to, repId: d.repId },
    clients,
  );
  assert.ok(read.source.doc && read.target.doc);
  assert.deepEqual(read.source.doc, read.target.doc);
});

test('a fleet whose jobs all crash: every direction crashing, one finding each', async () => {
  const sim = await startFleetSim({ nodes: 3, crashing: 1 });
  sims.push(sim);
  const { poller } = await pollerOn(sim);
  const r = await poller.pollOnce();
  const dirs = r.views.flatMap((v) => v.directions);
  assert.equal(dirs.length, 6);
  assert.ok(dirs.every((d) => d.state === 'crashing' && d.crashes.length > 0));
  assert.equal(r.findings.filter((f) => f.rule === 'crashing').length, 6);
});

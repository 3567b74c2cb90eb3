// The fleet simulator (bench/lib/fleet-sim.ts) read by the real poller: every node reachable, every
// direction of the generated mesh found running, no finding on a healthy fleet, the steady-state
// request budget, a crashing fleet seen as crashing, and a node that is a 3-member cluster. Counts
// only, never times.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type FleetSim, startFleetSim } from '../../bench/lib/fleet-sim.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { seqNumber } from '../../src/couchdb/seq.ts';
import { healthThresholdsFromSpec } from '../../src/health/types.ts';
import { readCheckpoints } from '../../src/observe/checkpoints.ts';
import { type OpenMesh, TELEMETRY_CLIENT } from '../../src/ops/mesh.ts';
import { statusReport } from '../../src/ops/status.ts';
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

test('a node answering as a 3-member CouchDB cluster: one row per direction, its member named, no duplicate', async () => {
  // n1 pulls from n2 … n5: it holds 4 docs, spread over its 3 members
  const sim = await startFleetSim({ nodes: 5, fanout: 2, clusterNodes: 3 });
  sims.push(sim);
  const C = (k: number) => `couchdb@n1-c${k}.fleet`;
  // what the cluster node says: every entry names a member, and one doc / job / task comes twice
  const raw = async (path: string) => (await fetch(`${sim.urls[0]}${path}`)).json();
  const docs = ((await raw('/_scheduler/docs')) as { docs: Array<{ doc_id: string; node: string }> }).docs;
  const tasks = (await raw('/_active_tasks')) as Array<{
    replication_id: string;
    node: string;
    docs_written: number;
  }>;
  const jobs = ((await raw('/_scheduler/jobs')) as { jobs: Array<{ id: string; node: string }> }).jobs;
  assert.equal(docs.length, 5);
  assert.equal(new Set(docs.map((d) => d.doc_id)).size, 4);
  assert.equal(new Set(tasks.map((x) => x.replication_id)).size, tasks.length - 1);
  assert.equal(new Set(jobs.map((x) => x.id)).size, jobs.length - 1);
  assert.deepEqual([...new Set([...docs, ...tasks, ...jobs].map((x) => x.node))].sort(), [C(1), C(2), C(3)]);

  const { poller } = await pollerOn(sim);
  const r = await poller.pollOnce();
  const n1 = r.snapshots.find((s) => s.node === 'n1');
  assert.deepEqual(
    n1?.docs.map((d) => [d.doc_id, d.state, d.node]),
    [
      ['couchmesh.fleet.sensors.n2--n1', 'running', C(1)],
      ['couchmesh.fleet.sensors.n3--n1', 'running', C(2)],
      ['couchmesh.fleet.sensors.n4--n1', 'running', C(3)],
      ['couchmesh.fleet.sensors.n5--n1', 'running', C(1)],
    ],
  );
  const dirs = r.views.flatMap((v) => v.directions);
  assert.equal(dirs.length, 20);
  assert.equal(new Set(dirs.map((d) => d.direction)).size, 20);
  assert.ok(dirs.every((d) => d.observed && d.state === 'running'));
  // the member running each job of the cluster node; single servers' rows name none
  assert.deepEqual(
    dirs
      .filter((d) => d.clusterNode !== undefined)
      .map((d) => [d.direction, d.clusterNode])
      .sort(),
    [
      ['n2->n1', C(1)],
      ['n3->n1', C(2)],
      ['n4->n1', C(3)],
      ['n5->n1', C(1)],
    ],
  );
  // the stale copy's stats (older, lower) are not the ones shown
  const stale = tasks.find((x) => x.node === C(2) && x.replication_id === n1?.docs[0]?.id);
  const owner = dirs.find((d) => d.direction === 'n2->n1');
  assert.ok(stale && owner?.docsWritten != null && owner.docsWritten > stale.docs_written);
  assert.deepEqual(r.findings, []);
  // `_membership` names the members: each member's own `_stats` read, its own jobs counted
  assert.deepEqual(n1?.membership?.cluster, [C(1), C(2), C(3)]);
  assert.deepEqual(
    Object.entries(n1?.memberStats ?? {}).map(([m, st]) => [m, st.jobs?.total]),
    [
      [C(1), 2],
      [C(2), 1],
      [C(3), 1],
    ],
  );
  // status --json: the direction rows and the node-level summary of members
  const report = statusReport({ spec: sim.mesh.spec, file: 'mesh.yaml' } as unknown as OpenMesh, r);
  assert.deepEqual(
    report.nodes.map((n) => [n.node, n.docs, n.cluster_members?.length]),
    [
      ['n1', 4, 3],
      ['n2', 4, undefined],
      ['n3', 4, undefined],
      ['n4', 4, undefined],
      ['n5', 4, undefined],
    ],
  );
  assert.equal(report.directions.find((d) => d.direction === 'n3->n1')?.cluster_node, C(2));
  assert.equal(report.directions.find((d) => d.direction === 'n1->n2')?.cluster_node, undefined);
});

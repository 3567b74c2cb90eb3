// CLUSTERS (#17) telemetry, end to end on the simulated cluster (lib/front.ts): node c is 3 members
// behind one URL over an embedded node; s1 and s2 are single embedded nodes. Must show: a member down
// -> `member-down`, no `doc-missing`, no `unreachable`; a job handoff -> no crash finding; the member
// shown per direction (status text, --json, metrics, doctor); a 500 from `_scheduler/jobs` is a note.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderDoctor } from '../../src/cli/views/doctor.ts';
import { paint } from '../../src/cli/views/paint.ts';
import { renderStatus } from '../../src/cli/views/status.ts';
import { MeshMetrics } from '../../src/metrics/exporter.ts';
import { doctorOperation } from '../../src/ops/doctor.ts';
import { statusOperation } from '../../src/ops/status-run.ts';
import type { PollResult } from '../../src/watch/poller.ts';
import { cli, direction, findingsOf, pollUntil } from '../telemetry/helpers.ts';
import { MEMBERS } from './lib/front.ts';
import { type ClusterWorld, clusterWorld, docOf } from './lib/world.ts';

const [C1, C2, C3] = MEMBERS;
const plain = paint(false, {});
const onC = (r: PollResult) => r.findings.filter((f) => f.node === 'c' || f.direction?.endsWith('->c'));
const running = (r: PollResult) => r.views.every((v) => v.directions.every((d) => d.state === 'running'));

describe('cluster telemetry on the simulated cluster', () => {
  let w: ClusterWorld;
  before(async () => {
    w = await clusterWorld();
    // a shard map placing the two docs c holds on different members
    w.cluster.pin(docOf('s1', 'c'), C1);
    w.cluster.pin(docOf('s2', 'c'), C3);
    await w.apply();
    await w.write('s1', 'from-s1', 5);
  });
  after(() => w.close());

  it('all members up: the member of each direction in status --json and text, metrics and doctor', async () => {
    const poller = w.poller();
    const up = await pollUntil(poller, 'all running', (r) => running(r) && r.findings.length === 0);
    assert.equal(direction(up, 's1', 'c').clusterNode, C1);
    assert.equal(direction(up, 's2', 'c').clusterNode, C3);
    // a single node's directions name no member
    assert.equal(direction(up, 'c', 's1').clusterNode, undefined);

    const run = await statusOperation({ file: w.file }, w.deps());
    const report = run.reports[0];
    assert.ok(report);
    const row = (dir: string) => report.directions.find((d) => d.direction === dir);
    assert.equal(row('s1->c')?.cluster_node, C1);
    assert.equal(row('s2->c')?.cluster_node, C3);
    const c = report.nodes.find((n) => n.node === 'c');
    assert.deepEqual(c?.cluster_members, [...MEMBERS]);
    assert.equal(c?.members_down, undefined);
    // per member, its own jobs (never one member's gauges read as the cluster's)
    assert.deepEqual(Object.fromEntries(Object.entries(c?.member_jobs ?? {}).map(([m, j]) => [m, j.total])), {
      [C1]: 1,
      [C2]: 0,
      [C3]: 1,
    });
    const text = renderStatus(report, plain);
    assert.match(text, /c: cluster of 3 members \(couchdb@c1\.local, couchdb@c2\.local, couchdb@c3\.local\)/);
    assert.match(text, /MEMBER/);
    assert.match(text, /s1->c\s+running\s+couchdb@c1\.local/);

    // the CLI's --json is the same report
    const json = await cli(w, ['status', '-f', w.file, '--json']);
    assert.equal(json.code, 0, json.o.stderr);
    const parsed = JSON.parse(json.o.stdout);
    assert.equal(
      parsed.directions.find((d: { direction: string }) => d.direction === 's2->c')?.cluster_node,
      C3,
    );

    const metrics = new MeshMetrics('t');
    metrics.update(up);
    const m = await metrics.metrics();
    assert.match(m, /couchmesh_link_member\{[^}]*direction="s1->c"[^}]*member="couchdb@c1\.local"\} 1/);
    assert.match(m, /couchmesh_link_member\{[^}]*direction="s2->c"[^}]*member="couchdb@c3\.local"\} 1/);
    assert.match(m, /couchmesh_node_member_up\{mesh="t",node="c",member="couchdb@c2\.local"\} 1/);

    const doctor = await doctorOperation({ file: w.file, link: 'c--s1', samples: 1 }, w.deps());
    const d = doctor.directions.find((x) => x.direction === 's1->c');
    assert.equal(d?.member, C1);
    assert.match(renderDoctor(doctor, plain), /on c \(cluster member couchdb@c1\.local\)/);
  });

  it('a member down: member-down, its doc unassigned (not doc-missing), the node reachable; settled: running again', async () => {
    const poller = w.poller();
    await pollUntil(poller, 'all running', running);
    await w.cluster.down(C3);
    const down = await pollUntil(poller, 'member-down and s2->c unassigned', (r) => {
      return findingsOf(r, 'member-down').length === 1 && direction(r, 's2', 'c').state === 'unassigned';
    });
    const [md] = findingsOf(down, 'member-down');
    assert.equal(md?.node, 'c');
    assert.equal(md?.severity, 'warning');
    assert.equal(md?.evidence.downMembers, C3);
    assert.deepEqual(
      onC(down)
        .map((f) => `${f.rule}/${f.severity} ${f.direction ?? f.node}`)
        .sort(),
      ['member-down/warning c', 'unassigned/info s2->c'],
    );
    assert.ok(!down.findings.some((f) => f.rule === 'doc-missing' || f.rule === 'node-unreachable'));
    assert.match(findingsOf(down, 'unassigned')[0]?.message ?? '', /owner is down \(couchdb@c3\.local\)/);
    assert.equal(direction(down, 's1', 'c').state, 'running');

    const metrics = new MeshMetrics('t');
    metrics.update(down);
    assert.match(
      await metrics.metrics(),
      /couchmesh_node_member_up\{mesh="t",node="c",member="couchdb@c3\.local"\} 0/,
    );
    const report = (await statusOperation({ file: w.file }, w.deps())).reports[0];
    assert.deepEqual(report?.nodes.find((n) => n.node === 'c')?.members_down, [C3]);
    assert.match(renderStatus(report as NonNullable<typeof report>, plain), /down: couchdb@c3\.local/);
    // doctor: the down member whose log holds the unassigned doc's lines, and what to do (nothing to apply)
    const doctor = await doctorOperation({ file: w.file, link: 'c--s2', samples: 1 }, w.deps());
    const un = doctor.directions.find((x) => x.direction === 's2->c');
    assert.equal(un?.state, 'unassigned');
    assert.deepEqual(un?.other_members, [C3]);
    assert.match(
      un?.next_steps.join('\n') ?? '',
      /owner member is down, so no member runs it: nothing to apply/,
    );
    assert.ok(!doctor.node_findings.some((f) => f.rule === 'node-unreachable'));
    assert.ok(doctor.node_findings.some((f) => f.rule === 'member-down'));

    // the quiet period over: the doc moves to a live member and runs there
    w.cluster.settle();
    const moved = await pollUntil(poller, 's2->c running on a live member', (r) => {
      const d = direction(r, 's2', 'c');
      return d.state === 'running' && d.clusterNode !== undefined && d.clusterNode !== C3;
    });
    assert.deepEqual(
      onC(moved).map((f) => f.rule),
      ['member-down'],
    );
    await w.cluster.up(C3);
    w.cluster.settle();
    await pollUntil(poller, 'member back', (r) => findingsOf(r, 'member-down').length === 0, 200);
  });

  it('a job handoff (initializing, then Duplicate replication): no crash finding', async () => {
    const poller = w.poller();
    await pollUntil(poller, 'all running', running);
    const doc = docOf('s1', 'c');
    w.cluster.handoff(doc, { phase: 'initializing', to: C2, from: C1 });
    const init = await pollUntil(
      poller,
      'initializing',
      (r) => direction(r, 's1', 'c').state === 'initializing',
    );
    w.cluster.handoff(doc, { phase: 'duplicate', to: C2, from: C1 });
    const dup = await pollUntil(poller, 'duplicate', (r) => direction(r, 's1', 'c').state === 'crashing');
    for (const r of [init, dup]) {
      assert.deepEqual(
        r.findings.filter((f) => f.direction === 's1->c').map((f) => `${f.rule}/${f.severity}`),
        ['handoff/info'],
      );
      assert.ok(!r.findings.some((f) => f.rule === 'crashing'));
    }
    assert.match(
      direction(dup, 's1', 'c').reason ?? '',
      /Duplicate replication running on couchdb@c1\.local/,
    );
    // the job listed twice: the doc's own member's copy is the one joined
    assert.equal(direction(dup, 's1', 'c').clusterNode, C2);
    w.cluster.handoff(doc, null);
    await pollUntil(poller, 'running again, no finding', (r) => running(r) && r.findings.length === 0);
  });

  it('a 500 from _scheduler/jobs (function_clause): that data dropped with a note, the node reachable', async () => {
    const poller = w.poller({}, { slowIntervalMs: 0 });
    await pollUntil(poller, 'all running', running);
    w.cluster.failJobs(1);
    const r = await poller.pollOnce();
    const c = r.snapshots.find((s) => s.node === 'c');
    assert.equal(c?.reachable, true);
    assert.equal(c?.jobs, undefined);
    assert.deepEqual(
      c?.notes?.map((n) => [n.read, n.code]),
      [['_scheduler/jobs', 'E_COUCH_HTTP']],
    );
    assert.ok(!r.findings.some((f) => f.rule === 'node-unreachable'));
    assert.equal(direction(r, 's1', 'c').state, 'running');
    // doctor says what its diagnosis lacks
    w.cluster.failJobs(1);
    const doctor = await doctorOperation({ file: w.file, samples: 1 }, w.deps());
    assert.deepEqual(
      doctor.notes?.map((n) => [n.node, n.read]),
      [['c', '_scheduler/jobs']],
    );
    assert.ok(!doctor.node_findings.some((f) => f.rule === 'node-unreachable'));
    assert.match(renderDoctor(doctor, plain), /c: _scheduler\/jobs not read \(E_COUCH_HTTP/);
  });
});

// CLUSTERS (#17), the first Must show end to end on the simulated cluster (lib/front.ts):
// node c declares its stable `url` (the front, a load balancer: what the `_replicator` docs name) AND
// `members:` (each member's own URL, what the control plane talks to, sticky to c1 while it answers).
// With c1 stopped, the poller, status, doctor, plan, apply, conflicts and verify all succeed through
// c2/c3 and say which member answered; `member-down` names c1; nothing is `doc-missing` or
// `unreachable`; data still flows both ways through c (the docs name the front, never a member).
// c1 back: `member-down` resolves. The two docs on c are placed on c2 and c3 (a shard map), so c1's
// death unassigns none of them: the unassigned case is telemetry.test.ts's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { paint } from '../../src/cli/views/paint.ts';
import { renderStatus } from '../../src/cli/views/status.ts';
import type { MemberFailoverEvent } from '../../src/couch/members.ts';
import { applyOperation } from '../../src/ops/apply.ts';
import { meshConflictsList } from '../../src/ops/conflicts-mesh-cmds.ts';
import type { MeshDeps } from '../../src/ops/deps.ts';
import { doctorOperation } from '../../src/ops/doctor.ts';
import { planOperation } from '../../src/ops/plan.ts';
import { newPoller } from '../../src/ops/poll.ts';
import { statusOperation } from '../../src/ops/status-run.ts';
import { verifyOperation } from '../../src/ops/verify.ts';
import type { PollResult } from '../../src/watch/poller.ts';
import { cli, DB, direction, findingsOf, pollUntil, until } from '../telemetry/helpers.ts';
import { MEMBERS } from './lib/front.ts';
import { type ClusterWorld, docOf, membersWorld } from './lib/world.ts';

const [C1, C2, C3] = MEMBERS;
const plain = paint(false, {});
const running = (r: PollResult) => r.views.every((v) => v.directions.every((d) => d.state === 'running'));
const noFalseFinding = (r: PollResult) =>
  !r.findings.some((f) => f.rule === 'doc-missing' || f.rule === 'node-unreachable');

describe('a cluster node with a stable url and members: a member down, end to end', () => {
  let w: ClusterWorld;
  /** the member URLs that answered c's requests (the client's onResponse names the member) */
  const answered: string[] = [];
  const moves: MemberFailoverEvent[] = [];
  const url = (m: string) => w.cluster.memberUrl(m);
  const deps = (): MeshDeps => {
    const base = w.deps();
    return {
      ...base,
      client: {
        ...base.client,
        onResponse: (e) => answered.push(e.node),
        onMemberFailover: (e) => moves.push(e),
      },
    };
  };
  /** the members of c that answered since the last call (single nodes' URLs left out) */
  const usedSince = () => {
    const members = new Set(w.cluster.members.map(url));
    const used = [...new Set(answered.filter((u) => members.has(u)))].sort();
    answered.length = 0;
    return used;
  };
  const poller = () => {
    const d = deps();
    return newPoller(w.openMesh(d), d);
  };

  before(async () => {
    w = await membersWorld();
    w.cluster.pin(docOf('s1', 'c'), C2);
    w.cluster.pin(docOf('s2', 'c'), C3);
  });
  after(() => w.close());

  it('all members up: apply and status go through c1, the member the control plane is sticky to', async () => {
    const r = await applyOperation({ file: w.file }, deps(), async () => true);
    assert.ok(r.outcome?.ok, JSON.stringify(r.outcome?.nodes));
    assert.equal(r.outcome?.nodes.find((n) => n.node === 'c')?.member, url(C1));
    // the replication docs name the stable url (the front), never a member
    const docs = await w.ok('s1', 'GET', '/_replicator/_all_docs?include_docs=true');
    const mine = (docs.rows as Array<{ id: string; doc: { source: { url: string } } }>).filter((x) =>
      x.id.startsWith('couchmesh.'),
    );
    assert.deepEqual(
      mine.map((x) => x.doc.source.url),
      [`${w.cluster.url}/${DB}`],
    );
    await pollUntil(poller(), 'all running', (p) => running(p) && p.findings.length === 0);
    const status = await statusOperation({ file: w.file }, deps());
    assert.equal(status.reports[0]?.nodes.find((n) => n.node === 'c')?.member, url(C1));
    assert.deepEqual(usedSince(), [url(C1)]);
    assert.deepEqual(moves, []);
  });

  it('c1 down: every operation succeeds through c2, member-down names c1, data flows both ways', async () => {
    const p = poller();
    await pollUntil(p, 'all running', running);
    await w.cluster.down(C1);
    answered.length = 0;
    const down = await pollUntil(p, 'member-down', (r) => findingsOf(r, 'member-down').length === 1);
    assert.equal(findingsOf(down, 'member-down')[0]?.evidence.downMembers, C1);
    assert.ok(noFalseFinding(down), JSON.stringify(down.findings));
    assert.deepEqual(
      down.findings.map((f) => f.rule),
      ['member-down'],
    );
    assert.equal(direction(down, 's1', 'c').clusterNode, C2);
    assert.equal(direction(down, 's2', 'c').clusterNode, C3);
    assert.equal(down.snapshots.find((s) => s.node === 'c')?.reachable, true);
    assert.deepEqual(usedSince(), [url(C2)], 'the poller moved to c2');
    assert.ok(moves.some((m) => m.from === url(C1) && m.to === url(C2)));

    // status: --json and text name the member that answered, and the member down
    const json = await cli(w, ['status', '-f', w.file, '--json']);
    assert.equal(json.code, 0, json.o.stderr);
    const report = JSON.parse(json.o.stdout);
    assert.deepEqual(
      report.findings.map((f: { rule: string; node: string }) => `${f.rule} ${f.node}`),
      ['member-down c'],
    );
    const c = report.nodes.find((n: { node: string }) => n.node === 'c');
    assert.equal(c.member, url(C2));
    assert.deepEqual(c.members_down, [C1]);
    assert.equal(c.reachable, true);
    const run = await statusOperation({ file: w.file }, deps());
    const text = renderStatus(run.reports[0] as NonNullable<(typeof run.reports)[0]>, plain);
    assert.match(text, new RegExp(`answered by ${url(C2).replace(/[.:/]/g, '\\$&')}`));
    assert.match(text, /down: couchdb@c1\.local/);

    // doctor: the member running each job, the member-down finding, nothing unreachable
    const doctor = await doctorOperation({ file: w.file, link: 'c--s1', samples: 1 }, deps());
    assert.equal(doctor.directions.find((x) => x.direction === 's1->c')?.member, C2);
    assert.ok(doctor.node_findings.some((f) => f.rule === 'member-down'));
    assert.ok(!doctor.node_findings.some((f) => f.rule === 'node-unreachable'));
    assert.deepEqual(usedSince(), [url(C2)], 'status and doctor through c2');

    // plan: nothing to change (no doc looks missing), read through c2
    const plan = await planOperation({ file: w.file }, deps());
    assert.equal(plan.view.changes, false);
    const pc = plan.view.nodes.find((n) => n.node === 'c');
    assert.deepEqual([pc?.reachable, pc?.member], [true, url(C2)]);
    assert.deepEqual(usedSince(), [url(C2)], 'plan through c2');

    // apply writes on c through c2: a replication doc of c deleted behind couchmesh's back
    const id = docOf('s1', 'c');
    const doc = await w.ok('c', 'GET', `/_replicator/${id}`);
    await w.ok('c', 'DELETE', `/_replicator/${id}?rev=${doc._rev}`);
    const applied = await applyOperation({ file: w.file }, deps(), async () => true);
    const ac = applied.outcome?.nodes.find((n) => n.node === 'c');
    assert.deepEqual([ac?.status, ac?.applied, ac?.member], ['applied', 1, url(C2)]);
    assert.deepEqual(usedSince(), [url(C2)], 'apply through c2');

    // data both ways through c (the front, as the docs name it): s1 -> c -> s2 and c -> s1
    await w.write('s1', 'from-s1', 3);
    await w.write('c', 'from-c', 2);
    for (const [node, id] of [
      ['c', 'from-s1-00002'],
      ['s2', 'from-s1-00002'],
      ['s1', 'from-c-00001'],
    ] as const)
      await until(`${id} on ${node}`, async () =>
        (await w.request(node, 'GET', `/${DB}/${id}`)).status === 200 ? true : undefined,
      );

    const conflicts = await meshConflictsList({ file: w.file, db: DB }, deps());
    assert.deepEqual(
      conflicts.map((n) => [n.node, n.conflicts.length]),
      [
        ['c', 0],
        ['s1', 0],
        ['s2', 0],
      ],
    );
    assert.deepEqual(usedSince(), [url(C2)], 'conflicts through c2');
    const verify = await until('verify identical', async () => {
      const v = await verifyOperation({ file: w.file }, deps());
      return v.exit_code === 0 ? v : undefined;
    });
    assert.equal(verify.report.summary.unreachable.length, 0);
    assert.equal(verify.report.summary.identical, verify.report.summary.pairs);
    assert.deepEqual(usedSince(), [url(C2)], 'verify through c2');

    const after = await pollUntil(p, 'running after the writes', running);
    assert.ok(noFalseFinding(after));
    assert.deepEqual(usedSince(), [url(C2)], 'the poller still on c2');
  });

  it('c1 back: member-down resolves', async () => {
    const p = poller();
    await w.cluster.up(C1);
    w.cluster.settle();
    const back = await pollUntil(p, 'member back', (r) => findingsOf(r, 'member-down').length === 0);
    assert.ok(running(back));
    assert.deepEqual(back.findings, []);
    const report = (await statusOperation({ file: w.file }, deps())).reports[0];
    const c = report?.nodes.find((n) => n.node === 'c');
    assert.equal(c?.members_down, undefined);
    // a fresh client starts at the first declared member again
    assert.equal(c?.member, url(C1));
  });
});

// CLUSTERS (#17): a mesh node that is a CouchDB cluster, declared with `members:`. Here its members are
// three fault proxies in front of ONE embedded node (every member of a cluster serves the same data),
// its stable `url` (the load balancer of a real site) the node itself. With the first member stopped,
// plan, apply (writes included), status, conflicts and verify all succeed through the others, and
// say which member answered; with every member stopped, the node is unreachable and the error names
// each member. Without a stable url, re-ordering the members re-points every replication doc and
// plan warns that each direction through the node re-scans from 0 (cluster-members/82).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MemberFailoverEvent } from '../../src/couch/members.ts';
import { startNode } from '../../src/node/index.ts';
import { applyOperation } from '../../src/ops/apply.ts';
import { meshConflictsList } from '../../src/ops/conflicts-mesh-cmds.ts';
import type { MeshDeps } from '../../src/ops/deps.ts';
import { planOperation } from '../../src/ops/plan.ts';
import { statusOperation } from '../../src/ops/status-run.ts';
import { verifyOperation } from '../../src/ops/verify.ts';
import { type FaultProxy, startFaultProxy } from '../../src/relay/fault-proxy.ts';
import { poll } from '../topology/helpers.ts';

type TestNode = Awaited<ReturnType<typeof startNode>>;

describe('a cluster node with members: the control plane fails over between them', () => {
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-members-'));
  const file = join(dir, 'mesh.yaml');
  const nodes = new Map<string, TestNode>();
  const members: FaultProxy[] = [];
  const answered: string[] = [];
  const moves: MemberFailoverEvent[] = [];
  const deps = (): MeshDeps => ({
    env: { COUCHMESH_PASSWORD: password },
    client: {
      retries: 0,
      timeoutMs: 5_000,
      onResponse: (e) => answered.push(e.node),
      onMemberFailover: (e) => moves.push(e),
    },
  });
  const auth = '{ username: admin, password_env: COUCHMESH_PASSWORD }';
  const meshText = (c: string) => `mesh: clu
nodes:
  c:
${c}
    auth: ${auth}
  s1: { url: ${nodes.get('s1')?.url}, auth: ${auth} }
  s2: { url: ${nodes.get('s2')?.url}, auth: ${auth} }
databases: [sensors]
links: [[c, s1], [c, s2]]
`;
  const admin = (url: string, method: string, path: string, body?: unknown) =>
    fetch(url + path, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  before(async () => {
    for (const name of ['c', 's1', 's2']) {
      const n = await startNode({ port: 0, inMemory: true, admins: { admin: password } });
      await admin(n.url, 'PUT', '/_node/_local/_config/replicator/startup_jitter', '"0"');
      nodes.set(name, n);
    }
    const port = Number(new URL(nodes.get('c')?.url as string).port);
    for (let i = 0; i < 3; i++) members.push(await startFaultProxy({ target: { host: '127.0.0.1', port } }));
    // the stable url: the node itself (a load balancer's place); the control plane: the three members
    const c = `    url: ${nodes.get('c')?.url}\n    members: [${members.map((m) => m.url).join(', ')}]`;
    writeFileSync(file, meshText(c));
    await members[0]?.close(); // the first member is down from the start
  });
  after(async () => {
    await Promise.allSettled(members.map((m) => m.close()));
    await Promise.allSettled([...nodes.values()].map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const a = () => members[0]?.url as string;
  const b = () => members[1]?.url as string;
  const fromMembers = () => answered.filter((u) => members.some((m) => m.url === u));

  it('apply (writes on c) and plan go through the second member, and say so', async () => {
    const r = await applyOperation({ file }, deps(), async () => true);
    assert.ok(r.outcome?.ok, JSON.stringify(r.outcome?.nodes));
    const c = r.outcome?.nodes.find((n) => n.node === 'c');
    assert.equal(c?.status, 'applied');
    assert.equal(c?.member, b());
    assert.equal(r.outcome?.plan.nodes.find((n) => n.node === 'c')?.member, b());
    assert.ok(moves.length >= 1 && moves.every((m) => m.from === a() && m.to === b()), JSON.stringify(moves));
    assert.ok(!fromMembers().includes(a()), 'no answer from the stopped member');
    // the replication docs name c's stable url, never a member
    const docs = (await (
      await admin(nodes.get('s1')?.url as string, 'GET', '/_replicator/_all_docs?include_docs=true')
    ).json()) as {
      rows: Array<{ id: string; doc: { source: { url: string } } }>;
    };
    const mine = docs.rows.filter((row) => row.id.startsWith('couchmesh.'));
    assert.ok(mine.length > 0);
    for (const row of mine) assert.equal(row.doc.source.url, `${nodes.get('c')?.url}/sensors`);

    const plan = await planOperation({ file }, deps());
    assert.equal(plan.view.changes, false);
    const pc = plan.view.nodes.find((n) => n.node === 'c');
    assert.deepEqual([pc?.reachable, pc?.member], [true, b()]);
  });

  it('status, conflicts and verify succeed through the other members', async () => {
    // data flows through c (the replication uses its stable url)
    await admin(nodes.get('s1')?.url as string, 'PUT', '/sensors/from-s1', { t: 1 });
    await poll('from-s1 on s2 via c', async () =>
      (await admin(nodes.get('s2')?.url as string, 'GET', '/sensors/from-s1')).status === 200
        ? true
        : undefined,
    );
    answered.length = 0;
    const status = await statusOperation({ file }, deps());
    const report = status.reports.at(-1);
    assert.equal(report?.summary.nodes_reachable, 3);
    assert.ok(!report?.findings.some((f) => f.rule === 'node-unreachable'), JSON.stringify(report?.findings));
    const conflicts = await meshConflictsList({ file, db: 'sensors' }, deps());
    assert.deepEqual(
      conflicts.map((n) => [n.node, n.conflicts.length]),
      [
        ['c', 0],
        ['s1', 0],
        ['s2', 0],
      ],
    );
    const verify = await verifyOperation({ file }, deps());
    assert.equal(verify.report.summary.unreachable.length, 0);
    assert.equal(verify.report.summary.identical, verify.report.summary.pairs);
    assert.equal(verify.exit_code, 0);
    const used = new Set(fromMembers());
    assert.ok(used.has(b()) && !used.has(a()), [...used].join(', '));
  });

  it('every member down: c is unreachable, the error names each member', async () => {
    await Promise.all(members.slice(1).map((m) => m.close()));
    const plan = await planOperation({ file }, deps());
    const c = plan.view.nodes.find((n) => n.node === 'c');
    assert.equal(c?.reachable, false);
    assert.match(c?.error?.message ?? '', /no member of the cluster answered/);
    for (const m of members) assert.ok(c?.error?.message.includes(m.url), c?.error?.message);
  });

  it('without a stable url, re-ordering the members re-points the docs: plan warns, per direction, that it re-scans from 0', async () => {
    // members back up (new proxies), first without url: the first member is the replication endpoint
    const port = Number(new URL(nodes.get('c')?.url as string).port);
    const up = [
      await startFaultProxy({ target: { host: '127.0.0.1', port } }),
      await startFaultProxy({ target: { host: '127.0.0.1', port } }),
    ];
    members.push(...up);
    const list = (ms: FaultProxy[]) => `    members: [${ms.map((m) => m.url).join(', ')}]`;
    writeFileSync(file, meshText(list(up)));
    const first = await applyOperation({ file }, deps(), async () => true);
    assert.ok(first.outcome?.ok);
    writeFileSync(file, meshText(list([...up].reverse())));
    const plan = await planOperation({ file }, deps());
    const warnings = plan.view.warnings ?? [];
    assert.deepEqual(warnings.map((w) => `${w.from}->${w.to}`).sort(), ['c->s1', 'c->s2', 's1->c', 's2->c']);
    for (const w of warnings) {
      assert.equal(w.code, 'W_PLAN_RESCAN');
      assert.match(w.message, /re-scans from 0: 1 doc in sensors on (c|s1|s2)/);
      assert.match(w.hint, /load balancer/);
    }
  });
});

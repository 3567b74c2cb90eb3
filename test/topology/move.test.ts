// TOPOLOGY must-show: when reachability changes so a direction's driving node flips (n1 goes behind
// NAT: its outgoing directions are pushed by n1 instead of pulled by their targets), one apply moves
// the `_replicator` docs — deleted on the old node, then created on the new one — and every
// direction has exactly one live replication job across all nodes: sampled on every node's
// `_scheduler/docs` all through the apply, no direction is ever listed on two nodes, because the
// create waits until the old node's scheduler answers 404 for the deleted doc. Also: `plan --detailed-exitcode`
// exits 2 while managed documents no longer declared are kept (orphans), naming --prune.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type ApplyEvent, applyOperation } from '../../src/ops/apply.ts';
import { cli, DB, type Json, poll, RequestLog, SEED_DIRECTIONS, SeedMesh, seedId } from './helpers.ts';

const NODES = ['n1', 'n2', 'n3', 'n4'];
/** Scheduler states of a doc that has (or is about to have) a job: everything but the terminal ones. */
const LIVE = new Set(['initializing', 'pending', 'running', 'crashing', 'error']);

describe('move: a direction whose driving node changes keeps exactly one live job', () => {
  const mesh = new SeedMesh();
  before(async () => {
    await mesh.start();
    const r = await applyOperation({ file: mesh.file }, mesh.deps(), async () => true);
    assert.equal(r.outcome.ok, true);
  });
  after(() => mesh.close());

  /** Sampling rounds that saw one direction listed live on two nodes (must stay empty). */
  const doubles: string[] = [];
  let rounds = 0;

  /**
   * direction doc id -> the nodes whose scheduler runs (or is starting) a job for it. n1 (the moves'
   * new node) is read first: a job seen there, then the old one still seen on n2/n3 read later,
   * means both really were live at once (a created job does not vanish by itself).
   */
  async function liveJobs(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const node of NODES) {
      const r = await mesh.ok(node, 'GET', '/_scheduler/docs/_replicator');
      for (const d of r.docs as Json[])
        if (LIVE.has(d.state)) out.set(d.doc_id, [...(out.get(d.doc_id) ?? []), node]);
    }
    rounds++;
    for (const [id, on] of out) if (on.length > 1) doubles.push(`${id} on ${on.join(' and ')}`);
    return out;
  }

  /** Samples every node's `_scheduler/docs` until `work` settles, then returns its result. */
  async function sampled<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const sampler = (async () => {
      while (!done) await liveJobs();
    })();
    try {
      return await work;
    } finally {
      done = true;
      await sampler;
    }
  }

  /** direction doc id -> the nodes whose `_replicator` holds it */
  async function docHolders(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const node of NODES)
      for (const id of (await mesh.replicator(node)).keys()) out.set(id, [...(out.get(id) ?? []), node]);
    return out;
  }

  it('n1 behind NAT: plan shows two moves; apply leaves one doc and one live job per direction', async () => {
    // every direction starts with its one job (on the target: pull)
    await poll('one live job per direction', async () => {
      const jobs = await liveJobs();
      return SEED_DIRECTIONS.every(([f, t]) => jobs.get(seedId(f, t))?.length === 1) ? true : undefined;
    });
    writeFileSync(mesh.file, mesh.text.replace(/(n1:\n\s+url: \S+\n)/, '$1    reachable: false\n'));
    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    assert.match(plan.o.stdout, /~> move {2}n2 -> n1 {2}couchmesh\.seed\.sensors\.n1--n2/);
    assert.match(plan.o.stdout, /~> move {2}n3 -> n1 {2}couchmesh\.seed\.sensors\.n1--n3/);
    assert.match(plan.o.stdout, /Plan: 0 to create db, 0 to add, 0 to change, 2 to move, 0 to destroy\./);
    assert.doesNotMatch(plan.o.stdout, /Kept:/, 'the old docs are moved, not kept as orphans');

    const log = new RequestLog();
    const events: ApplyEvent[] = [];
    const before = rounds;
    const r = await sampled(
      applyOperation({ file: mesh.file, onEvent: (e) => events.push(e) }, mesh.deps(log), async () => true),
    );
    assert.equal(r.outcome.ok, true, JSON.stringify(r.outcome.nodes));
    assert.equal(r.outcome.plan.summary.move, 2);
    assert.ok(rounds > before, 'the schedulers were sampled during the apply');
    assert.deepEqual(events.map((e) => `${e.type} ${e.node} ${e.id} -> ${e.to}`).sort(), [
      `waiting-for-stop n2 ${seedId('n1', 'n2')} -> n1`,
      `waiting-for-stop n3 ${seedId('n1', 'n3')} -> n1`,
    ]);
    // the create on n1 was sent only after each old node's scheduler answered 404 for its doc
    const create = log.events.findIndex(
      (e) => e.node === mesh.url('n1') && e.method === 'POST' && e.path === '/_replicator/_bulk_docs',
    );
    assert.ok(create > 0, 'one _bulk_docs on n1');
    for (const [from, to] of [
      ['n1', 'n2'],
      ['n1', 'n3'],
    ] as const) {
      const polls = log.events
        .slice(0, create)
        .filter(
          (e) => e.node === mesh.url(to) && e.path === `/_scheduler/docs/_replicator/${seedId(from, to)}`,
        );
      assert.equal(polls.at(-1)?.status, 404, `${to} dropped the job of ${from}->${to} before the create`);
    }

    // one document per direction across all nodes, on its driving node
    const holders = await docHolders();
    for (const [from, to] of SEED_DIRECTIONS)
      assert.deepEqual(holders.get(seedId(from, to)), [from === 'n1' ? 'n1' : to], `${from}->${to}`);
    // and, once the old nodes' schedulers dropped the deleted docs, one live job per direction
    const jobs = await poll('the moved jobs running on n1 only', async () => {
      const j = await liveJobs();
      return SEED_DIRECTIONS.every(([f, t]) => j.get(seedId(f, t))?.length === 1) ? j : undefined;
    });
    assert.deepEqual(jobs.get(seedId('n1', 'n2')), ['n1']);
    assert.deepEqual(jobs.get(seedId('n1', 'n3')), ['n1']);
    assert.deepEqual(doubles, [], 'no sampled point listed a direction on two nodes');
    // the pushed direction carries data
    await mesh.ok('n1', 'PUT', `/${DB}/after-move`, { temperature_c: 3 });
    await poll('the n1 write on n2', async () =>
      (await mesh.request(mesh.url('n2'), 'GET', `/${DB}/after-move`)).status === 200 ? true : undefined,
    );
    // nothing left to do
    const again = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(again.code, 0, again.o.all);
  });

  it('plan --detailed-exitcode exits 2 while orphans are kept, naming --prune; 0 once pruned', async () => {
    writeFileSync(
      mesh.file,
      mesh.text
        .replace(/(n1:\n\s+url: \S+\n)/, '$1    reachable: false\n')
        .replace(/\s+- \[n4, n2\]\n/, '\n'),
    );
    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    assert.match(plan.o.stdout, /No changes\./);
    assert.match(plan.o.stderr, /2 managed documents no longer declared are kept and still replicate/);
    assert.match(plan.o.stderr, /hint: .*--prune/);
    const pruned = await cli(mesh, ['apply', '-f', mesh.file, '--prune', '--yes']);
    assert.equal(pruned.code, 0, pruned.o.all);
    const again = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(again.code, 0, again.o.all);
  });
});

// The plan's `move` action and the creates withheld while a direction's other endpoint is unseen:
// a direction never gets a second driving node from one plan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeshSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import { hasChanges, makePlan, summarize } from './plan.ts';
import { afterApply, pw, seed } from './test-support.ts';

test('a direction whose driving node changes is one move (delete there, create here), not a create + an orphan', () => {
  // n1 goes behind NAT: its outgoing directions are pushed by n1 instead of pulled by the targets
  const natted: MeshSpec = {
    ...seed,
    nodes: seed.nodes.map((n) => (n.name === 'n1' ? { ...n, reachable: false } : n)),
  };
  const before = afterApply(seed);
  const p = makePlan(desiredState(natted, pw), before);
  const moves = p.actions.filter((a) => a.kind === 'move');
  assert.deepEqual(
    moves.map((a) => a.kind === 'move' && `${a.old_node} -> ${a.node} ${a.id} ${a.mode} ${a.old_rev}`),
    ['n2 -> n1 couchmesh.seed.sensors.n1--n2 push 1-a', 'n3 -> n1 couchmesh.seed.sensors.n1--n3 push 1-a'],
  );
  assert.equal(p.actions.length, 2, 'nothing else: no create-doc, no delete');
  assert.deepEqual(p.orphans, [], 'the old docs are not orphans');
  assert.equal(summarize(p).move, 2);
  assert.equal(summarize(p).add, 0);
  // the same with --prune: still moves, never a delete + create pair
  assert.deepEqual(
    makePlan(desiredState(natted, pw), before, { prune: true }).actions.map((a) => a.kind),
    ['move', 'move'],
  );
  // once applied: nothing left to do
  assert.equal(makePlan(desiredState(natted, pw), afterApply(natted)).actions.length, 0);
  // destroy deletes the old docs where they are (no move)
  assert.ok(
    makePlan(desiredState(natted, pw), before, { destroy: true }).actions.every(
      (a) => a.kind === 'delete-doc',
    ),
  );
});

test('a second copy left on the old driving node (an earlier apply without move) is deleted as moved', () => {
  const natted: MeshSpec = {
    ...seed,
    nodes: seed.nodes.map((n) => (n.name === 'n1' ? { ...n, reachable: false } : n)),
  };
  // both n1 (new driver) and n2/n3 (old drivers) hold the docs: the directions replicate twice
  const now = afterApply(natted);
  const old = afterApply(seed);
  for (const o of now) {
    const stale = old
      .find((x) => x.node === o.node)
      ?.replicator.filter((d) => !o.replicator.some((x) => x.id === d.id));
    o.replicator.push(...(stale ?? []));
  }
  const p = makePlan(desiredState(natted, pw), now);
  assert.deepEqual(
    p.actions.map(
      (a) => `${a.kind} ${a.node} ${'id' in a ? a.id : ''} ${a.kind === 'delete-doc' ? a.reason : ''}`,
    ),
    [
      'delete-doc n2 couchmesh.seed.sensors.n1--n2 moved',
      'delete-doc n3 couchmesh.seed.sensors.n1--n3 moved',
    ],
  );
  assert.deepEqual(p.orphans, []);
  // while the new driving node is unreachable, the old copy is the direction's only job: kept
  const down = now.map((o) => (o.node === 'n1' ? { ...o, reachable: false, replicator: [] } : o));
  const q = makePlan(desiredState(natted, pw), down);
  assert.ok(!q.actions.some((a) => a.kind === 'delete-doc'));
  assert.equal(q.orphans.length, 2);
});

test('a plan whose only actions are moves has changes (plan --detailed-exitcode exits 2)', () => {
  const natted: MeshSpec = {
    ...seed,
    nodes: seed.nodes.map((n) => (n.name === 'n1' ? { ...n, reachable: false } : n)),
  };
  const p = makePlan(desiredState(natted, pw), afterApply(seed));
  assert.ok(p.actions.length > 0 && p.actions.every((a) => a.kind === 'move'));
  assert.equal(hasChanges(p), true);
});

test('the old driving node unreachable at plan time: the create is withheld (blocked), the rest applies', () => {
  // n1 goes behind NAT while n2 is down: n2 may still pull n1->n2, so n1 must not start pushing it
  const natted: MeshSpec = {
    ...seed,
    nodes: seed.nodes.map((n) => (n.name === 'n1' ? { ...n, reachable: false } : n)),
  };
  const observed = afterApply(seed).map((o) =>
    o.node === 'n2'
      ? { ...o, reachable: false, error: { code: 'E_COUCH_UNREACHABLE', message: 'refused' }, replicator: [] }
      : o,
  );
  const p = makePlan(desiredState(natted, pw), observed);
  assert.deepEqual(
    p.actions.map((a) => `${a.kind} ${a.node} ${'id' in a ? a.id : ''}`),
    ['move n1 couchmesh.seed.sensors.n1--n3'],
    'the move whose old node is seen still happens',
  );
  assert.deepEqual(p.errors, [
    {
      node: 'n1',
      id: 'couchmesh.seed.sensors.n1--n2',
      message:
        'not created: n2 is unreachable and may still run this direction (a doc there cannot be seen); creating it here could run it twice',
      hint: 'bring n2 back (or fix the network to it) and apply again: the doc is then moved or created',
      waits_for: 'n2',
      withheld: 'unreachable',
    },
  ]);
  assert.equal(summarize(p).blocked, 1);
  // n2 back: the doc it holds is moved (delete there first, then create on n1)
  const back = makePlan(desiredState(natted, pw), afterApply(seed));
  assert.ok(back.actions.some((a) => a.kind === 'move' && a.id === 'couchmesh.seed.sensors.n1--n2'));
  assert.deepEqual(back.errors, []);
});

test('a direction with an unseen endpoint is never created; one with both endpoints seen is', () => {
  const empty = afterApply({ ...seed, links: [] }).map((o) =>
    o.node === 'n4' ? { ...o, reachable: false, replicator: [], databases: [] } : o,
  );
  const p = makePlan(desiredState(seed, pw), empty);
  const created = p.actions.flatMap((a) => (a.kind === 'create-doc' ? [a.id] : []));
  assert.equal(created.length, 6, 'the 6 directions between n1, n2 and n3 (and n2->n4, n3->n4 live on n4)');
  assert.ok(created.every((id) => !id.includes('n4')));
  assert.deepEqual(p.errors.map((e) => `${e.node} ${e.id} waits for ${e.waits_for}`).sort(), [
    'n2 couchmesh.seed.sensors.n4--n2 waits for n4',
    'n3 couchmesh.seed.sensors.n4--n3 waits for n4',
  ]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import { fingerprintNode, isComplete, makePlan, summarize } from './plan.ts';
import { afterApply, observedEmpty, pw, seed } from './test-support.ts';
import type { ObservedNode } from './types.ts';

/** Passwords per node: `wrong` for the named nodes, the seed's otherwise. */
const pwWith =
  (wrong: Record<string, string>) =>
  (n: NodeSpec): string =>
    wrong[n.name] ?? pw();

/** n1 answered 401 to couchmesh's observation: reachable, its credentials refused. */
const refusedN1 = (obs: ObservedNode[]): ObservedNode[] =>
  obs.map((o) =>
    o.node === 'n1'
      ? {
          node: 'n1',
          reachable: true,
          refused: true,
          credentials_ref: "the password of 'admin' in env PW",
          error: { code: 'E_COUCH_AUTH', message: 'GET /_all_dbs: 401 unauthorized' },
          databases: [],
          replicator: [],
          requests: 2,
        }
      : o,
  );

test('a refused node gets no writes, and no doc carrying its credentials is written anywhere', () => {
  const d = desiredState(seed, pwWith({ n1: 'wrong-pw' }));
  const plan = makePlan(d, refusedN1(observedEmpty(seed)));
  assert.ok(plan.actions.every((a) => a.node !== 'n1'));
  assert.doesNotMatch(JSON.stringify(plan.actions), /wrong-pw/, 'the refused password is in no action');
  // n1's directions into n2 and n3 live there (pull) and carry n1's credentials: withheld
  const withheld = plan.errors.filter((e) => e.withheld === 'refused');
  assert.deepEqual(withheld.map((e) => `${e.node} ${e.id} waits for ${e.waits_for}`).sort(), [
    'n2 couchmesh.seed.sensors.n1--n2 waits for n1',
    'n3 couchmesh.seed.sensors.n1--n3 waits for n1',
  ]);
  assert.match(withheld[0]?.message ?? '', /carries n1's credentials, which n1 refused \(E_COUCH_AUTH\)/);
  assert.match(withheld[0]?.hint ?? '', /check the password of 'admin' in env PW/);
  assert.deepEqual(plan.refused, [
    {
      node: 'n1',
      code: 'E_COUCH_AUTH',
      message: 'GET /_all_dbs: 401 unauthorized',
      hint: "check the password of 'admin' in env PW (n1 answered 401: wrong or missing password), then apply again",
    },
  ]);
  assert.deepEqual(plan.unreachable, [], 'refused is not unreachable');
  // everything else applies: the other 6 docs (n1's 2 are on n1 itself), their databases
  assert.equal(plan.actions.filter((a) => a.kind === 'create-doc').length, 6);
  assert.equal(plan.actions.filter((a) => a.kind === 'create-db').length, 3);
  assert.equal(isComplete(plan), false);
  assert.equal(summarize(plan).refused, 1);
});

test('updates and creates that would write refused credentials are withheld too, the rest goes ahead', () => {
  const d = desiredState(seed, pwWith({ n1: 'wrong-pw' }));
  const plan = makePlan(d, refusedN1(afterApply(seed)));
  assert.deepEqual(plan.actions, [], 'the docs with n1 as an endpoint would only change its password');
  assert.equal(plan.errors.filter((e) => e.withheld === 'refused').length, 2);
  assert.equal(plan.noop, 6);

  // n2 behind NAT: its directions are pushed from n2; the one into n1 would carry n1's credentials
  const nat = { ...seed, nodes: seed.nodes.map((n) => (n.name === 'n2' ? { ...n, reachable: false } : n)) };
  const moved = makePlan(desiredState(nat, pwWith({ n1: 'wrong-pw' })), refusedN1(afterApply(seed)), {
    prune: true,
  });
  assert.deepEqual(
    moved.actions.map((a) => `${a.kind} ${a.node} ${'id' in a ? a.id : ''}`),
    ['move n2 couchmesh.seed.sensors.n2--n3', 'move n2 couchmesh.seed.sensors.n2--n4'],
    'the moves between observed nodes go ahead',
  );
  assert.deepEqual(
    moved.errors.map((e) => `${e.node} ${e.id} ${e.withheld} ${e.waits_for}`),
    [
      'n2 couchmesh.seed.sensors.n1--n2 refused n1',
      'n2 couchmesh.seed.sensors.n2--n1 refused n1',
      'n3 couchmesh.seed.sensors.n1--n3 refused n1',
    ],
  );
  assert.doesNotMatch(JSON.stringify(moved.actions), /wrong-pw/);
});

test('an update that only changes credentials is a rotation, naming the node whose credentials change', () => {
  const d = desiredState(seed, pwWith({ n3: 'new-n3-pw' }));
  const plan = makePlan(d, afterApply(seed));
  const updates = plan.actions.filter((a) => a.kind === 'update-doc');
  // n3's links: n2, n1, n4 -> 6 docs have n3 as an endpoint
  assert.equal(updates.length, 6);
  for (const u of updates) {
    assert.ok(u.kind === 'update-doc');
    assert.equal(u.change, 'credentials');
    assert.deepEqual(u.rotates, ['n3']);
    assert.equal(u.drift, false);
  }
  const s = summarize(plan);
  assert.equal(s.rotate, 6);
  assert.equal(s.change, 0, 'never counted as a generic update');

  const all = makePlan(
    desiredState(seed, () => 'everyone-new'),
    afterApply(seed),
  );
  const u = all.actions.find((a) => a.kind === 'update-doc' && a.id === 'couchmesh.seed.sensors.n1--n2');
  assert.ok(u?.kind === 'update-doc');
  assert.deepEqual(u.rotates, ['n1', 'n2'], 'both endpoints rotate');
});

test('credentials changed with anything else is a generic update; a hand-edited password is put back as a rotation', () => {
  const changed = {
    ...seed,
    links: seed.links.map((l) => ({ ...l, params: { ...l.params, checkpoint_interval: 5000 } })),
  };
  const both = makePlan(desiredState(changed, pwWith({ n3: 'new' })), afterApply(seed));
  assert.ok(both.actions.every((a) => a.kind === 'update-doc' && a.change === 'fields' && !a.rotates));
  assert.equal(summarize(both).rotate, 0);

  const obs = afterApply(seed);
  const doc = obs[1]?.replicator[0];
  assert.ok(doc);
  (doc.body.source as { auth: { basic: { password: string } } }).auth.basic.password = 'typed-by-hand';
  const plan = makePlan(desiredState(seed, pw), obs);
  assert.equal(plan.actions.length, 1);
  const a = plan.actions[0];
  assert.ok(a?.kind === 'update-doc' && a.change === 'credentials');
  assert.equal(
    plan.drift.length,
    0,
    'a password is not in the ownership hash: it shows as rotation, not drift',
  );
});

test('a refused node fingerprints apart from a reachable empty one (a saved plan goes stale)', () => {
  const [ok] = observedEmpty(seed, []);
  assert.ok(ok);
  const refused = { ...ok, databases: [], replicator: [], refused: true };
  assert.notEqual(fingerprintNode({ ...ok, databases: [] }), fingerprintNode(refused));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredState, docId, placement } from './desired.ts';
import { fingerprint, fingerprintNode, isComplete, makePlan, redact, summarize } from './plan.ts';
import { redactString } from './redact.ts';
import { afterApply, node, observedEmpty, pw, seed } from './test-support.ts';
import type { ObservedNode } from './types.ts';

test('the seed mesh wants 10 docs per database, one per direction, pulled by the target', () => {
  const d = desiredState(seed, pw);
  assert.equal(d.docs.length, 10);
  const ids = d.docs.map((x) => x.id);
  assert.ok(ids.includes('couchmesh.seed.sensors.n1--n2'));
  assert.ok(ids.includes('couchmesh.seed.sensors.n2--n1'));
  for (const doc of d.docs) {
    assert.equal(doc.mode, 'pull');
    assert.equal(doc.node, doc.body.couchmesh.to);
    assert.equal(doc.body.create_target, false);
    assert.equal(doc.body.continuous, true);
    assert.doesNotMatch(doc.body.source.url, /@/, 'credentials never in URLs');
    assert.equal(doc.body.source.auth?.basic.username, 'admin');
  }
  assert.equal(new Set(d.databases.map((x) => x.node)).size, 4);
});

test('a NAT node pushes its outgoing direction; two unreachable nodes cannot be linked', () => {
  const nat = node('edge', 9, false);
  assert.deepEqual(placement(nat, node('hub', 1)), { node: 'edge', mode: 'push' });
  assert.deepEqual(placement(node('hub', 1), nat), { node: 'edge', mode: 'pull' }); // the NAT node pulls: it can reach the hub
  assert.throws(() => placement(nat, node('other', 2, false)), /neither node is reachable/);
});

test('plan on empty nodes creates dbs and docs; a second plan after apply is a no-op', () => {
  const d = desiredState(seed, pw);
  const first = makePlan(d, observedEmpty(seed));
  assert.equal(first.actions.filter((a) => a.kind === 'create-db').length, 4);
  assert.equal(first.actions.filter((a) => a.kind === 'create-doc').length, 10);
  const second = makePlan(d, afterApply(seed));
  assert.equal(second.actions.length, 0);
  assert.equal(second.noop, 10);
});

test('a hand-edited managed doc is drift and gets repaired; a foreign doc is never touched', () => {
  const d = desiredState(seed, pw);
  const obs = afterApply(seed);
  const n2 = obs.find((o) => o.node === 'n2') as ObservedNode;
  const doc = n2.replicator.find((x) => x.id === docId('seed', 'sensors', 'n1', 'n2'));
  assert.ok(doc);
  doc.body.checkpoint_interval = 500;
  n2.replicator.push({ id: 'hand-made', rev: '3-x', body: { source: 'http://a/x', target: 'http://b/x' } });
  const plan = makePlan(d, obs, { prune: true });
  assert.equal(plan.drift.length, 1);
  assert.deepEqual(plan.drift[0]?.fields, ['checkpoint_interval']);
  assert.equal(plan.actions.length, 1);
  const a = plan.actions[0];
  assert.equal(a?.kind, 'update-doc');
  assert.ok(plan.actions.every((x) => x.kind === 'create-db' || ('id' in x && x.id !== 'hand-made')));
});

test('a managed doc no longer wanted is an orphan, deleted only with --prune; destroy deletes all of ours', () => {
  const smaller = { ...seed, links: seed.links.slice(0, 4) };
  const obs = afterApply(seed);
  const kept = makePlan(desiredState(smaller, pw), obs);
  assert.equal(kept.orphans.length, 2);
  assert.equal(kept.actions.length, 0);
  const pruned = makePlan(desiredState(smaller, pw), obs, { prune: true });
  assert.equal(pruned.actions.filter((a) => a.kind === 'delete-doc').length, 2);
  const destroy = makePlan(desiredState(seed, pw), obs, { destroy: true });
  assert.equal(destroy.actions.length, 10);
  assert.ok(destroy.actions.every((a) => a.kind === 'delete-doc'));
});

test('an unreachable node is reported and planned around; a foreign doc with our id is an error', () => {
  const d = desiredState(seed, pw);
  const obs = observedEmpty(seed, ['sensors']);
  obs[3] = {
    node: 'n4',
    reachable: false,
    error: { code: 'E_COUCH_UNREACHABLE', message: 'refused' },
    databases: [],
    replicator: [],
    requests: 2,
  };
  const n2 = obs[1] as ObservedNode;
  n2.replicator.push({
    id: docId('seed', 'sensors', 'n1', 'n2'),
    rev: '1-z',
    body: { source: 'x', target: 'y' },
  });
  const plan = makePlan(d, obs);
  assert.deepEqual(
    plan.unreachable.map((u) => u.node),
    ['n4'],
  );
  assert.ok(plan.actions.every((a) => a.node !== 'n4'));
  const foreign = plan.errors.filter((e) => !e.waits_for);
  assert.equal(foreign.length, 1);
  assert.match(foreign[0]?.message ?? '', /not managed by mesh 'seed'/);
  // n4's directions into n2 and n3 are withheld: n4 may still run them (plan-move.test.ts)
  assert.deepEqual(
    plan.errors.filter((e) => e.waits_for === 'n4').map((e) => `${e.node} ${e.id}`),
    ['n3 couchmesh.seed.sensors.n4--n3', 'n2 couchmesh.seed.sensors.n4--n2'],
  );
});

test('redact hides every password', () => {
  const d = desiredState(seed, pw);
  const text = JSON.stringify(redact(makePlan(d, observedEmpty(seed))));
  assert.doesNotMatch(text, /s3cret/);
  assert.match(text, /\(sensitive\)/);
});

test('a changed class parameter is an update (not drift), shown leaf by leaf', () => {
  const obs = afterApply(seed);
  const changed = {
    ...seed,
    links: seed.links.map((l) => ({ ...l, params: { ...l.params, checkpoint_interval: 5000 } })),
  };
  const plan = makePlan(desiredState(changed, pw), obs);
  assert.equal(plan.drift.length, 0);
  assert.equal(plan.actions.length, 10);
  const a = plan.actions[0];
  assert.ok(a?.kind === 'update-doc');
  assert.equal(a.drift, false);
  assert.deepEqual(a.diff, [{ path: 'checkpoint_interval', from: 10000, to: 5000 }]);
});

test('the ownership hash never depends on a password; a password change is a (sensitive) update', () => {
  const a = desiredState(seed, () => 'one').docs[0];
  const b = desiredState(seed, () => 'two').docs[0];
  assert.equal(a?.body.couchmesh.spec, b?.body.couchmesh.spec);
  const plan = makePlan(
    desiredState(seed, () => 'rotated'),
    afterApply(seed),
  );
  assert.equal(plan.drift.length, 0, 'our own documents, not edited by hand');
  const u = plan.actions[0];
  assert.ok(u?.kind === 'update-doc');
  assert.deepEqual(u.changed, ['source', 'target']);
  assert.deepEqual(u.diff, [
    { path: 'source.auth.basic.password', from: '(sensitive)', to: '(sensitive)' },
    { path: 'target.auth.basic.password', from: '(sensitive)', to: '(sensitive)' },
  ]);
  assert.doesNotMatch(JSON.stringify(redact(plan)), /rotated|s3cret/);
});

test('a hand-added filter or selector on a managed doc is drift, removed by the repair', () => {
  const obs = afterApply(seed);
  const doc = obs[1]?.replicator[0];
  assert.ok(doc);
  doc.body.selector = { type: 'mine' };
  const plan = makePlan(desiredState(seed, pw), obs);
  assert.deepEqual(plan.drift[0]?.fields, ['selector']);
  assert.deepEqual(plan.drift[0]?.diff, [{ path: 'selector', from: { type: 'mine' } }]);
  const a = plan.actions[0];
  assert.ok(a?.kind === 'update-doc' && a.drift && !('selector' in a.doc));
});

test('server-written fields (owner, _replication_*) are not ours: no change', () => {
  const obs = afterApply(seed);
  for (const n of obs)
    for (const d of n.replicator)
      Object.assign(d.body, { _replication_state: 'failed', _replication_state_time: 'x', _rev: '9-z' });
  assert.equal(makePlan(desiredState(seed, pw), obs).actions.length, 0);
});

test('_replicator is created first on a node that lacks it', () => {
  const obs = observedEmpty(seed, ['sensors']);
  (obs[0] as ObservedNode).databases = ['sensors'];
  const plan = makePlan(desiredState(seed, pw), obs);
  assert.deepEqual(plan.actions[0], { kind: 'create-db', node: 'n1', db: '_replicator' });
  assert.equal(plan.actions.filter((a) => a.kind === 'create-db').length, 1);
});

test('summarize / isComplete / fingerprint', () => {
  const d = desiredState(seed, pw);
  const empty = observedEmpty(seed);
  const plan = makePlan(d, empty);
  assert.deepEqual(summarize(plan), {
    create_db: 4,
    add: 10,
    change: 0,
    rotate: 0,
    move: 0,
    security: 0,
    users: 0,
    config: 0,
    destroy: 0,
    unchanged: 0,
    drift: 0,
    orphans: 0,
    unreachable: 0,
    refused: 0,
    blocked: 0,
  });
  assert.equal(isComplete(plan), true);
  assert.equal(fingerprint(empty), fingerprint([...empty].reverse()), 'order does not matter');
  const other = afterApply(seed);
  assert.notEqual(fingerprint(empty), fingerprint(other));
  (other[2] as ObservedNode).replicator[0]!.rev = '2-b';
  assert.notEqual(
    fingerprintNode(other[2] as ObservedNode),
    fingerprintNode(afterApply(seed)[2] as ObservedNode),
  );
});

test('redact: passwords, auth headers and URL userinfo', () => {
  assert.deepEqual(
    redact({
      a: { password: 'x', Authorization: 'Basic eA==' },
      u: 'http://admin:pw@h:1/db',
      list: ['https://u:p@h/'],
    }),
    {
      a: { password: '(sensitive)', Authorization: '(sensitive)' },
      u: 'http://admin:(sensitive)@h:1/db',
      list: ['https://u:(sensitive)@h/'],
    },
  );
  assert.equal(redactString('http://h:5984/db'), 'http://h:5984/db');
});

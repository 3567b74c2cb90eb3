import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePlan } from './plan.ts';
import { PLAN_FORMAT, parseSavedPlan, staleness, toSavedPlan } from './saved.ts';
import type { DesiredState, ObservedNode } from './types.ts';

const desired: DesiredState = {
  mesh: 'm',
  nodes: ['a', 'b'],
  databases: [{ node: 'a', db: 'd' }],
  docs: [
    {
      node: 'a',
      id: 'couchmesh.m.d.b--a',
      mode: 'pull',
      body: {
        source: { url: 'http://b/d', auth: { basic: { username: 'u', password: 'hunter2' } } },
        target: { url: 'http://a/d' },
        continuous: true,
        create_target: false,
        checkpoint_interval: 1,
        worker_batch_size: 1,
        http_connections: 1,
        connection_timeout: 1,
        retries_per_request: 1,
        couchmesh: { mesh: 'm', db: 'd', from: 'b', to: 'a', link: 'a--b', class: 'lan', spec: 'x' },
      },
    },
  ],
};
const observed = (): ObservedNode[] => [
  { node: 'a', reachable: true, databases: ['_replicator'], replicator: [], requests: 2 },
  { node: 'b', reachable: true, databases: ['_replicator', 'd'], replicator: [], requests: 2 },
];
const meta = { file: '/m.yaml', meshSha256: 'f'.repeat(64), options: {}, now: new Date(0) };

test('a saved plan holds no password, and round-trips', () => {
  const plan = makePlan(desired, observed());
  const saved = toSavedPlan(plan, observed(), meta);
  const text = JSON.stringify(saved);
  assert.doesNotMatch(text, /hunter2/);
  assert.match(text, /\(sensitive\)/);
  assert.equal(saved.format, PLAN_FORMAT);
  assert.deepEqual(saved.options, { prune: false, destroy: false });
  assert.deepEqual(parseSavedPlan(text, 'p.json'), saved);
  assert.deepEqual(staleness(saved, { meshSha256: meta.meshSha256, observed: observed(), plan }), []);
});

test('staleness names what changed: the file, a node, or the resulting actions', () => {
  const plan = makePlan(desired, observed());
  const saved = toSavedPlan(plan, observed(), meta);
  assert.deepEqual(staleness(saved, { meshSha256: 'e'.repeat(64), observed: observed(), plan }), [
    'the mesh file changed since the plan was made',
  ]);
  const now = observed();
  (now[1] as ObservedNode).replicator.push({ id: 'x', rev: '1-a', body: {} });
  const p2 = makePlan(desired, now);
  assert.deepEqual(staleness(saved, { meshSha256: meta.meshSha256, observed: now, plan: p2 }), [
    'node b changed since the plan was made (databases, _replicator documents or reachability)',
  ]);
  const other = makePlan({ ...desired, docs: [] }, observed());
  assert.match(
    staleness(saved, { meshSha256: meta.meshSha256, observed: observed(), plan: other })[0] ?? '',
    /planning again now gives other actions/,
  );
});

test('a file that is not a saved plan is refused with a hint', () => {
  assert.throws(() => parseSavedPlan('nope', 'p.json'), /p\.json is not a saved couchmesh plan \(not JSON/);
  assert.throws(() => parseSavedPlan('{"format":"x"}', 'p.json'), /expected "format": "couchmesh-plan\/1"/);
  assert.throws(
    () => parseSavedPlan(JSON.stringify({ format: PLAN_FORMAT }), 'p.json'),
    (e: Error & { code?: string }) => e.code === 'E_PLAN_FILE',
  );
});

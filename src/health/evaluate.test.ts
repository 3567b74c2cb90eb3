import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { unreachableSnapshot } from '../observe/snapshot.ts';
import { crashingDoc, dbAt, runningDoc, snapshot, T0, twoNodeLink } from '../observe/test-support.ts';
import { diffFindings, findingKey } from './diff.ts';
import { evaluateHealth } from './evaluate.ts';
import { L, N1N2, N2N1, points, series, TH } from './test-support.ts';

const refused = (at: number) =>
  ({
    ...crashingDoc(N2N1.docId, 1, at),
    info: { error: 'http_request_failed: connect ECONNREFUSED 127.0.0.1:25985' },
  }) as const;

/** A stopped node n2: n2 unreachable, n1's pull from n2 crashing; then n2 is back. */
function stoppedThenBack() {
  const healthy = (at: number) => [
    snapshot('n1', at, { docs: [runningDoc(N2N1.docId)], dbInfo: { sensors: dbAt(5) } }),
    snapshot('n2', at, { docs: [runningDoc(N1N2.docId)], dbInfo: { sensors: dbAt(5) } }),
  ];
  const stopped = (at: number) => [
    snapshot('n1', at, { docs: [refused(at)], dbInfo: { sensors: dbAt(5) } }),
    unreachableSnapshot('n2', at, { code: 'E_COUCH_UNREACHABLE', message: 'connect ECONNREFUSED' }),
  ];
  return { healthy, stopped };
}

test('a stopped node: unreachable + crashing link, then recovery resolves both', () => {
  const { healthy, stopped } = stoppedThenBack();
  const during = [...healthy(T0), ...stopped(T0 + 5000)];
  const down = evaluateHealth({ snapshots: during, links: [L] }, T0 + 5000, TH);
  assert.deepEqual(
    down.map((f) => [f.rule, f.severity, f.node ?? f.direction]),
    [
      ['crashing', 'warning', 'n2->n1'],
      ['node-unreachable', 'critical', 'n2'],
    ],
  );
  assert.match(down[0]?.playbook ?? '', /peer is unreachable/);
  const after = evaluateHealth(
    { snapshots: [...during, ...healthy(T0 + 10_000)], links: [L] },
    T0 + 10_000,
    TH,
  );
  assert.deepEqual(after, []);
  const d = diffFindings(down, after);
  assert.deepEqual(
    d.resolved.map((f) => f.rule),
    ['crashing', 'node-unreachable'],
  );
});

test('findings are sorted by key and carry link, db and direction', () => {
  const snaps = series(points(5, 5000, (i) => ({ checkpointed: 5, source: 10 + i, pending: 2000 })));
  const fs = evaluateHealth({ snapshots: snaps, links: [L] }, T0 + 20_000, TH);
  const keys = fs.map(findingKey);
  assert.deepEqual(keys, [...keys].sort());
  assert.ok(keys.includes('stalled|n1--n2|sensors|n1->n2|'));
  assert.ok(keys.includes('lag|n1--n2|sensors|n1->n2|'));
  assert.ok(keys.includes('doc-missing|n1--n2|sensors|n2->n1|'), 'n1 holds no doc for n2->n1');
});

test('snapshots after `now` are ignored (injected time)', () => {
  const snaps = [...series([{ t: 0 }]), unreachableSnapshot('n2', T0 + 60_000, { code: 'X', message: 'x' })];
  const fs = evaluateHealth({ snapshots: snaps, links: [L] }, T0 + 1000, TH);
  assert.ok(!fs.some((f) => f.rule === 'node-unreachable'));
});

test('checkpoint pairs are judged too', () => {
  const fs = evaluateHealth(
    {
      snapshots: series([{ t: 0 }]),
      links: [L],
      checkpoints: [{ link: L.link, db: 'sensors', from: 'n1', to: 'n2', source: null, target: null }],
    },
    T0,
    TH,
  );
  assert.ok(fs.some((f) => f.rule === 'checkpoint-integrity' && f.severity === 'info'));
});

const L2 = twoNodeLink('n2', 'n3', 'sensors');
const meshSnapshots = () => {
  const { stopped } = stoppedThenBack();
  return [
    ...series(points(5, 5000, (i) => ({ checkpointed: 5, source: 10 + i, failures: i }))),
    ...stopped(T0 + 25_000),
    snapshot('n3', T0 + 20_000, { docs: [crashingDoc(L2.directions[0].docId, 4, T0)] }),
    snapshot('n3', T0, { confidence: 'reduced' }),
  ];
};

test('property: findings do not depend on the order of snapshots or links', () => {
  const snaps = meshSnapshots();
  const at20 = evaluateHealth({ snapshots: snaps, links: [L, L2] }, T0 + 20_000, TH);
  const at25 = evaluateHealth({ snapshots: snaps, links: [L, L2] }, T0 + 25_000, TH);
  assert.deepEqual(
    at20.map((f) => `${f.rule} ${f.direction ?? f.node}`),
    [
      'crashing n2->n3',
      'doc-missing n2->n1',
      'doc-missing n3->n2',
      'stalled n1->n2',
      'writes-failing n1->n2',
    ],
  );
  assert.deepEqual(
    at25.map((f) => `${f.rule} ${f.direction ?? f.node}`),
    ['crashing n2->n1', 'crashing n2->n3', 'node-unreachable n2'],
  );
  fc.assert(
    fc.property(fc.shuffledSubarray(snaps, { minLength: snaps.length }), fc.boolean(), (shuffled, flip) => {
      const links = flip ? [L2, L] : [L, L2];
      assert.deepEqual(evaluateHealth({ snapshots: shuffled, links }, T0 + 20_000, TH), at20);
      assert.deepEqual(evaluateHealth({ snapshots: shuffled, links }, T0 + 25_000, TH), at25);
    }),
    { numRuns: 100 },
  );
});

test('property: evaluation is deterministic and every key is unique', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60_000 }), (dt) => {
      const input = { snapshots: meshSnapshots(), links: [L, L2] };
      const a = evaluateHealth(input, T0 + dt, TH);
      assert.deepEqual(evaluateHealth(input, T0 + dt, TH), a);
      assert.equal(new Set(a.map(findingKey)).size, a.length);
    }),
    { numRuns: 50 },
  );
});

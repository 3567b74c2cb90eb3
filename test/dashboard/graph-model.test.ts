// The dashboard's pure parts, without a browser: arrow health from recorded status reports and the
// node layout of the seed mesh (by region, fixed whatever the data).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphOf, recordedStatus, seedSpec } from '../../src/api/testing.ts';
import type { DirectionRow } from '../../src/ops/status.ts';
import { diagnosisOf, directionHealth, downWord, rowOf, unreachableNodes } from '../../web/src/health.ts';
import { HEIGHT, layout, WIDTH } from '../../web/src/layout.ts';

const { nodes, directions } = graphOf(seedSpec());

test('recorded healthy poll: every arrow green; n3 down: the six arrows touching n3 red, the rest green', () => {
  for (const which of ['healthy', 'n3-down'] as const) {
    const status = recordedStatus(which);
    const down = unreachableNodes(status, status.findings);
    const health = directions.map((d) => [
      d.direction,
      directionHealth(d, rowOf(status, d), status.findings, down),
    ]);
    const want = directions.map((d) => [
      d.direction,
      which === 'n3-down' && (d.from === 'n3' || d.to === 'n3') ? 'bad' : 'ok',
    ]);
    assert.deepEqual(health, want, which);
  }
});

test('a node answering errors is down and named failing; one not answering is unreachable', () => {
  const status = recordedStatus('healthy');
  const f = { ...(status.findings[0] ?? {}), severity: 'critical', link: null, direction: null, db: null };
  const erroring = [{ ...f, rule: 'node-erroring', node: 'n3' }] as typeof status.findings;
  assert.ok(unreachableNodes(status, erroring).has('n3'));
  assert.equal(downWord(erroring, 'n3'), 'failing');
  assert.equal(downWord([{ ...erroring[0]!, rule: 'node-unreachable' }], 'n3'), 'unreachable');
});

test('job states and findings: crashing red, pending amber, warning finding amber, no row grey', () => {
  const d = directions[0]!;
  const row = rowOf(recordedStatus('healthy'), d) as DirectionRow;
  const none = new Set<string>();
  assert.equal(directionHealth(d, { ...row, state: 'crashing' }, [], none), 'bad');
  assert.equal(directionHealth(d, { ...row, state: 'pending' }, [], none), 'warn');
  assert.equal(directionHealth(d, null, [], none), 'unknown');
  const lag = {
    ...recordedStatus('n3-down').findings[0]!,
    rule: 'lag' as const,
    severity: 'warning' as const,
  };
  const onD = { ...lag, node: null, direction: d.direction, db: d.db, link: d.link };
  assert.equal(directionHealth(d, row, [onD], none), 'warn');
  assert.deepEqual(diagnosisOf([onD], d), [onD]);
  const n3 = directions.find((x) => x.to === 'n3')!;
  assert.deepEqual(
    diagnosisOf(recordedStatus('n3-down').findings, n3).map((f) => f.rule),
    ['node-unreachable'],
  );
});

test('layout: one column per region, nodes inside the drawing, none on top of another', () => {
  const { columns, at } = layout(nodes);
  assert.deepEqual(
    columns.map((c) => c.region),
    ['site-a', 'site-b'],
  );
  const points = nodes.map((n) => at.get(n.name)!);
  for (const p of points) assert.ok(p.x > 0 && p.x < WIDTH && p.y > 0 && p.y < HEIGHT);
  assert.equal(new Set(points.map((p) => `${p.x},${p.y}`)).size, 4);
  assert.ok(at.get('n1')!.x < WIDTH / 2 && at.get('n3')!.x > WIDTH / 2, 'site-a left of site-b');
});

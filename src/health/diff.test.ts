import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_THRESHOLDS } from '../spec/thresholds.ts';
import { diffFindings, findingKey } from './diff.ts';
import type { Finding, Severity } from './types.ts';
import { DEFAULT_HEALTH_THRESHOLDS, healthThresholdsFromSpec, withDefaults } from './types.ts';

const f = (
  rule: Finding['rule'],
  direction: string | null,
  severity: Severity = 'warning',
  n = 1,
): Finding => ({
  rule,
  severity,
  link: direction ? 'a--b' : null,
  direction,
  db: direction ? 'db' : null,
  node: direction ? null : 'a',
  evidence: { n },
  message: `m${n}`,
  playbook: 'p',
});

test('raised / resolved / unchanged / changed, keyed by rule + link + db + direction + node', () => {
  const prev = [f('crashing', 'a->b'), f('lag', 'a->b'), f('node-unreachable', null, 'critical')];
  const next = [f('crashing', 'a->b', 'critical', 2), f('lag', 'a->b', 'warning', 9), f('stalled', 'b->a')];
  const d = diffFindings(prev, next);
  assert.deepEqual(d.raised.map(findingKey), ['stalled|a--b|db|b->a|']);
  assert.deepEqual(d.resolved.map(findingKey), ['node-unreachable||||a']);
  assert.deepEqual(
    d.unchanged.map((x) => x.evidence.n),
    [9],
    'fresh evidence, no re-alert',
  );
  assert.deepEqual(
    d.changed.map((c) => [c.from.severity, c.to.severity]),
    [['warning', 'critical']],
  );
});

test('property: diff partitions the keys of both sides', () => {
  const arb = fc.uniqueArray(
    fc.record({
      rule: fc.constantFrom('crashing' as const, 'lag' as const, 'stalled' as const),
      dir: fc.constantFrom('a->b', 'b->a'),
      sev: fc.constantFrom<Severity>('critical', 'warning', 'info'),
    }),
    { selector: (x) => `${x.rule}${x.dir}` },
  );
  fc.assert(
    fc.property(arb, arb, (a, b) => {
      const prev = a.map((x) => f(x.rule, x.dir, x.sev));
      const next = b.map((x) => f(x.rule, x.dir, x.sev));
      const d = diffFindings(prev, next);
      assert.equal(d.raised.length + d.unchanged.length + d.changed.length, next.length);
      assert.equal(d.resolved.length + d.unchanged.length + d.changed.length, prev.length);
      assert.deepEqual(diffFindings(next, next).unchanged.length, next.length);
    }),
  );
});

test('thresholds: defaults, overrides, and the mesh.yaml mapping', () => {
  assert.equal(withDefaults({ lagWarning: undefined }).lagWarning, 1000);
  assert.equal(withDefaults({ stallIntervals: 5 }).stallIntervals, 5);
  const t = healthThresholdsFromSpec(DEFAULT_THRESHOLDS);
  assert.equal(t.pollIntervalMs, 10_000);
  assert.equal(t.stallFloorMs, 300_000);
  assert.equal(t.crashingCriticalMs, 120_000);
  assert.equal(t.stallIntervals, DEFAULT_HEALTH_THRESHOLDS.stallIntervals);
  assert.equal(healthThresholdsFromSpec(DEFAULT_THRESHOLDS, { stallFloorMs: 0 }).stallFloorMs, 0);
});

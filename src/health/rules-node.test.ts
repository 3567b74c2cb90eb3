import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unreachableSnapshot } from '../observe/snapshot.ts';
import { snapshot, T0 } from '../observe/test-support.ts';
import { reducedRule, staleRule, unreachableRule } from './rules-node.ts';
import { withDefaults } from './types.ts';

const down = (at: number) =>
  unreachableSnapshot('n2', at, { code: 'E_COUCH_UNREACHABLE', message: 'connect ECONNREFUSED' });

test('unreachable: critical, with failed polls, duration and last seen', () => {
  const series = [snapshot('n2', T0), down(T0 + 10_000), down(T0 + 20_000)];
  const f = unreachableRule('n2', series, T0 + 25_000);
  assert.equal(f?.severity, 'critical');
  assert.equal(f?.node, 'n2');
  assert.equal(f?.link, null);
  assert.deepEqual(f?.evidence, {
    failedPolls: 2,
    unreachableForMs: 15_000,
    lastSeenAt: T0,
    code: 'E_COUCH_UNREACHABLE',
  });
  assert.match(f?.message ?? '', /ECONNREFUSED/);
});

test('a node answering errors is node-erroring, never unreachable (only network failures are)', () => {
  const failing = (at: number, code: string) =>
    unreachableSnapshot('n2', at, { code, message: 'GET /_scheduler/docs -> 500 unknown_error' });
  for (const code of ['E_COUCH_HTTP', 'E_COUCH_AUTH', 'E_COUCH_PROTOCOL', 'E_TELEMETRY_SHAPE']) {
    const f = unreachableRule('n2', [snapshot('n2', T0), failing(T0 + 10_000, code)], T0 + 10_000);
    assert.equal(f?.rule, 'node-erroring', code);
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.evidence.code, code);
    assert.match(f?.message ?? '', /answers its telemetry reads with errors .*-> 500/);
    assert.doesNotMatch(f?.message ?? '', /unreachable/);
  }
  for (const code of ['E_COUCH_UNREACHABLE', 'E_COUCH_TIMEOUT', 'E_COUCH_TLS'])
    assert.equal(unreachableRule('n2', [failing(T0, code)], T0)?.rule, 'node-unreachable', code);
});

test('recovered or never failing: no finding', () => {
  assert.equal(unreachableRule('n2', [down(T0), snapshot('n2', T0 + 10_000)], T0 + 10_000), null);
  assert.equal(unreachableRule('n2', [], T0), null);
});

test('stale telemetry after 3 missed polls; never observed', () => {
  const t = withDefaults({ pollIntervalMs: 10_000 });
  assert.equal(staleRule('n2', [snapshot('n2', T0)], T0 + 30_000, t), null);
  const f = staleRule('n2', [snapshot('n2', T0)], T0 + 31_000, t);
  assert.equal(f?.severity, 'warning');
  assert.equal(f?.evidence.ageMs, 31_000);
  assert.match(staleRule('n2', [], T0, t)?.message ?? '', /never been observed/);
});

test('reduced confidence is stated (info)', () => {
  assert.equal(reducedRule('p', [snapshot('p', T0, { confidence: 'reduced' })])?.severity, 'info');
  assert.equal(reducedRule('p', [snapshot('p', T0)]), null);
});

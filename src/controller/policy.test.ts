import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerSchema } from '../spec/controller.ts';
import { actionId, decide, directionTarget, parseDirectionTarget, remediationFor } from './policy.ts';

const spec = ControllerSchema.parse({
  max_actions_per_hour: 2,
  remediation: { 'db-recreated': 'restart-job', stalled: 'reconcile' },
});

describe('remediation policy', () => {
  it('is none unless mesh.yaml asks, for every kind and for unknown kinds', () => {
    assert.equal(remediationFor(undefined, 'db-recreated'), 'none');
    assert.equal(remediationFor(spec, 'crashing'), 'none');
    assert.equal(remediationFor(spec, 'node-unreachable'), 'none');
    assert.equal(remediationFor(spec, 'stalled'), 'reconcile');
    assert.deepEqual(decide(spec, 'lag', 0), { act: false, why: 'no-policy' });
  });

  it('acts until the per-direction hourly limit, then declines as rate-limited', () => {
    assert.deepEqual(decide(spec, 'db-recreated', 0), { act: true, remediation: 'restart-job' });
    assert.deepEqual(decide(spec, 'db-recreated', 1), { act: true, remediation: 'restart-job' });
    assert.deepEqual(decide(spec, 'db-recreated', 2), {
      act: false,
      why: 'rate-limited',
      remediation: 'restart-job',
      count: 2,
      limit: 2,
    });
  });

  it('action ids are deterministic per episode; targets round-trip', () => {
    const t = directionTarget('n1->n2', 'sensors');
    assert.equal(t, 'direction:n1->n2/sensors');
    assert.deepEqual(parseDirectionTarget(t), { from: 'n1', to: 'n2', db: 'sensors' });
    assert.equal(parseDirectionTarget('mesh'), null);
    assert.equal(
      actionId('remediate', 'restart-job', t, 'e1'),
      actionId('remediate', 'restart-job', t, 'e1'),
    );
    assert.notEqual(
      actionId('remediate', 'restart-job', t, 'e1'),
      actionId('remediate', 'restart-job', t, 'e2'),
    );
  });

  it('mesh.yaml refuses an unknown remediation', () => {
    assert.equal(ControllerSchema.safeParse({ remediation: { stalled: 'reboot' } }).success, false);
    assert.equal(ControllerSchema.safeParse({ remediation: { stalld: 'reconcile' } }).success, false);
  });
});

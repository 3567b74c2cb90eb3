import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthThresholdsFromSpec } from '../health/types.ts';
import { check, NODES } from './test-support.ts';

describe('controller.cluster_quiet_period_ms (CouchDB [replicator] cluster_quiet_period)', () => {
  const spec = (controller: string) => check(`${NODES}links: [[n1, n2], [n2, n3]]\n${controller}`).spec;

  it("defaults to CouchDB's 60 s and reaches the health thresholds", () => {
    const s = spec('controller: {}\n');
    assert.equal(s?.controller?.cluster_quiet_period_ms, 60_000);
    assert.equal(healthThresholdsFromSpec(s!.thresholds, {}, s?.controller).clusterQuietPeriodMs, 60_000);
    const none = spec('');
    assert.equal(
      healthThresholdsFromSpec(none!.thresholds, {}, none?.controller).clusterQuietPeriodMs,
      60_000,
    );
  });

  it('a cluster configured with another quiet period says so in mesh.yaml', () => {
    const s = spec('controller: { cluster_quiet_period_ms: 90000 }\n');
    assert.equal(healthThresholdsFromSpec(s!.thresholds, {}, s?.controller).clusterQuietPeriodMs, 90_000);
    // a test's explicit override still wins
    assert.equal(
      healthThresholdsFromSpec(s!.thresholds, { clusterQuietPeriodMs: 5 }, s?.controller)
        .clusterQuietPeriodMs,
      5,
    );
    assert.deepEqual(
      check(
        `${NODES}links: [[n1, n2], [n2, n3]]\ncontroller: { cluster_quiet_period_ms: -1 }\n`,
      ).diagnostics.map((d) => d.code),
      ['E_RANGE'],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';

describe('thresholds', () => {
  it('has a documented default for every threshold', () => {
    assert.deepEqual(DEFAULT_THRESHOLDS, {
      observe_interval_ms: 10000,
      lag_warning_changes: 1000,
      lag_critical_changes: 10000,
      stall_after_ms: 300000,
      crashing_after_ms: 120000,
      doc_write_failures: 1,
      conflicts_warning: 100,
      rate_limited_per_minute: 10,
      relay_latency_ms: 2000,
    });
  });
});
